package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit statuses of kring. `kring run --help` documents them for operators.
const (
	// exitOK: the command did what it was asked.
	exitOK = 0
	// exitFailure: the command ran and failed: the circle refused an op,
	// the node stopped on a runtime error, a file could not be written.
	exitFailure = 1
	// exitUsage: the command line or the configuration is wrong.
	exitUsage = 2
	// exitIdentity: a file kring checks does not hold up: the data dir's
	// identity, genesis or store is missing or unusable, or a genesis, a
	// genesis draft or an application is damaged, altered after it was
	// signed, or lacks a founder's signature. The remedy is a good copy
	// of the file, not another command line.
	exitIdentity = 3
	// exitDaemon: the daemon (kring run) cannot be reached.
	exitDaemon = 4
	// exitCutOff: kring run stopped because this organisation is
	// suspended, revoked or gone from the circle, and node.exit_when_cut_off
	// asked it to stop rather than wait for a notice.
	exitCutOff = 5
)

// exitError is an error that carries kring's exit status. Its message is
// one line: what is wrong and what to do.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a wrong command line or configuration (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// identityErrorf is a missing or unusable identity, genesis or store (exit 3).
func identityErrorf(format string, args ...any) error {
	return &exitError{code: exitIdentity, err: fmt.Errorf(format, args...)}
}

// draftError is the error of verb on the genesis draft at path: exit 3
// when the draft does not hold up (not a draft, altered, or not every
// founder has signed, as for a genesis), exit 1 otherwise.
func draftError(verb, path string, err error) error {
	if errors.Is(err, errAltered) || errors.Is(err, errUnsigned) || errors.Is(err, errNotDraft) {
		return identityErrorf("%s %s: %v", verb, path, err)
	}
	return failuref("%s %s: %v", verb, path, err)
}

// failuref is a command that ran and failed (exit 1).
func failuref(format string, args ...any) error {
	return &exitError{code: exitFailure, err: fmt.Errorf(format, args...)}
}

// exitCode returns the exit status for err.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailure
}

// oneLine renders err for stderr: "kring: " and the message on one line.
func oneLine(err error) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	return "kring: " + msg
}

// errorf is fmt.Errorf, for messages that get their exit status elsewhere.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
