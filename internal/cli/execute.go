package cli

import (
	"context"
	"errors"
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
	if told := (*Told)(nil); errors.As(err, &told) {
		return told.Code
	}
	err = Classify(err, cmd.CommandPath())
	fmt.Fprintln(stderr, OneLine(root.Name(), err))
	return ExitCode(err)
}

// Told is an exit status whose reason is told already (a process kring
// ran printed it on the same stderr): Execute returns Code and prints
// nothing more.
type Told struct {
	Code int // the exit status
}

// Error describes the status; Execute never prints it.
func (t *Told) Error() string { return fmt.Sprintf("exit status %d (told already)", t.Code) }
