package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Execute runs root with args and the given streams and returns the exit
// status. An error is printed as one line on stderr, prefixed with root's
// name (OneLine): no usage dump, no stack trace. Call Prepare on root
// first.
func Execute(ctx context.Context, root *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	err = Classify(err, cmd.CommandPath())
	fmt.Fprintln(stderr, OneLine(root.Name(), err))
	return ExitCode(err)
}
