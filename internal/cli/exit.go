package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// The exit statuses both binaries share. A binary may add statuses of its
// own above ExitUsage (kring's 3 to 5) with Exitf.
const (
	// ExitOK: the command did what it was asked.
	ExitOK = 0
	// ExitFailure: the command ran and failed.
	ExitFailure = 1
	// ExitUsage: the command line or the configuration is wrong.
	ExitUsage = 2
)

// ExitError is an error that carries the exit status of the command that
// returned it. Its message is one line: what is wrong and what to do.
type ExitError struct {
	Code int   // the exit status
	Err  error // what went wrong
}

// Error returns Err's message.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// Exitf is an error with exit status code, formatted as fmt.Errorf does
// (so %w wraps).
func Exitf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// UsageErrorf is a wrong command line or configuration (exit 2).
func UsageErrorf(format string, args ...any) error {
	return Exitf(ExitUsage, format, args...)
}

// Failuref is a command that ran and failed (exit 1).
func Failuref(format string, args ...any) error {
	return Exitf(ExitFailure, format, args...)
}

// ExitCode returns the exit status for err: ExitOK for nil, the status an
// ExitError in err's chain carries, else ExitFailure.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}

// OneLine renders err for stderr as one line, prefixed with the binary's
// name: "kring: " and the message with its line breaks and runs of white
// space collapsed.
func OneLine(prog string, err error) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	return prog + ": " + msg
}

// cobraUsage are the prefixes of cobra's own errors about the command line.
var cobraUsage = []string{"unknown command", "unknown flag", "unknown shorthand flag", "required flag",
	"invalid argument", "flag needs an argument", "accepts ", "requires at least", "bad flag syntax",
	"if any flags in the group"}

// Classify gives cobra's own errors (unknown command or flag, missing
// required flag) the usage exit status and a hint to the help of path,
// the command that ran. An error that has its exit status already (the
// flag error func of Prepare gives one) is left as it is.
func Classify(err error, path string) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	msg := err.Error()
	for _, p := range cobraUsage {
		if strings.HasPrefix(msg, p) {
			return UsageErrorf("%s: see `%s --help`", strings.TrimSuffix(strings.Split(msg, "\n")[0], "."), path)
		}
	}
	return err
}

// Prepare gives root the conventions Execute relies on: cobra prints
// neither the usage nor the error (Execute prints the one line), and a bad
// flag is a usage error with a hint to the command's help.
func Prepare(root *cobra.Command) {
	root.SilenceUsage = true
	root.SilenceErrors = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return UsageErrorf("%v: see `%s --help`", err, cmd.CommandPath())
	})
}

// NoArgs refuses positional arguments with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageErrorf("%s takes no arguments, got %q: see `%s --help`", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}
