package main

import (
	"errors"
	"fmt"

	"github.com/kring-circle/kring/internal/cli"
)

// Exit statuses of kring. `kring run --help` documents them for operators.
// The first three are the ones kring-testnet shares (internal/cli).
const (
	// exitOK: the command did what it was asked.
	exitOK = cli.ExitOK
	// exitFailure: the command ran and failed: the circle refused an op,
	// the node stopped on a runtime error, a file could not be written.
	exitFailure = cli.ExitFailure
	// exitUsage: the command line or the configuration is wrong.
	exitUsage = cli.ExitUsage
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

// identityErrorf is a missing or unusable identity, genesis or store (exit 3).
func identityErrorf(format string, args ...any) error {
	return cli.Exitf(exitIdentity, format, args...)
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

// errorf is fmt.Errorf, for messages that get their exit status elsewhere.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
