package main

import (
	"context"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/internal/cli"
)

// kring's short names for the command-line helpers it shares with
// kring-testnet (package internal/cli): its exit statuses as errors, the
// interrupt context and the logger.

// exitError is an error that carries kring's exit status. Its message is
// one line: what is wrong and what to do.
type exitError = cli.ExitError

// usageErrorf is a wrong command line or configuration (exit 2).
func usageErrorf(format string, args ...any) error { return cli.UsageErrorf(format, args...) }

// failuref is a command that ran and failed (exit 1).
func failuref(format string, args ...any) error { return cli.Failuref(format, args...) }

// exitCode returns the exit status for err.
func exitCode(err error) int { return cli.ExitCode(err) }

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error { return cli.NoArgs(cmd, args) }

// interruptible returns a context that ends on SIGINT or SIGTERM.
func interruptible(parent context.Context) (context.Context, context.CancelFunc) {
	return cli.Interruptible(parent)
}

// parseLevel parses a log level name: trace, debug, info, warn or error.
func parseLevel(s string) (slog.Level, error) { return cli.ParseLevel(s) }
