// Package cli holds what Kring's two binaries share on the command line:
// kring (the member's daemon and verbs) and kring-testnet (the demo and
// benchmark harness). Both print every error as one line on stderr, named
// after the binary ("kring: what is wrong: what to do"), and exit with a
// status that has one meaning; both stop on SIGINT or SIGTERM through
// Interruptible and log through one slog logger from NewLogger.
//
// A command returns an error made by UsageErrorf (exit 2), Failuref
// (exit 1) or Exitf (a status of the binary's own); Execute runs the root
// command, turns cobra's own errors (unknown command or flag) into usage
// errors with a hint to the command's help, prints the line and returns
// the status for os.Exit:
//
//	root := &cobra.Command{Use: "kring-testnet"}
//	cli.Prepare(root)
//	os.Exit(cli.Execute(ctx, root, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
//
// The package depends on cobra and node/store (for the trace log level),
// never on testnet: the kring binary imports it.
package cli
