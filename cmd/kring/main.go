package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run carries out one invocation and returns the exit status. Errors are
// printed as one line on stderr; no usage dump, no stack trace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	err = classify(err, cmd.CommandPath())
	fmt.Fprintln(stderr, oneLine(err))
	return exitCode(err)
}

// classify gives cobra's own errors (unknown command or flag, missing
// required flag) the usage exit status and a hint to the help of path,
// the command that ran. An error that has its exit status already (the
// flag error func gives one) is left as it is.
func classify(err error, path string) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "required flag",
		"invalid argument", "flag needs an argument", "accepts ", "requires at least", "bad flag syntax",
		"if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return usageErrorf("%s: see `%s --help`", strings.TrimSuffix(strings.Split(msg, "\n")[0], "."), path)
		}
	}
	return err
}
