package main

import (
	"context"
	"io"
	"os"

	"github.com/kring-circle/kring/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	supervise = true
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run carries out one invocation and returns the exit status. Errors are
// printed as one line on stderr; no usage dump, no stack trace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args}
	return cli.Execute(ctx, a.rootCommand(), args, stdin, stdout, stderr)
}
