package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestExecuteTold: an exit status told already (by a process the command
// ran) is returned without a line of its own; other errors print one.
func TestExecuteTold(t *testing.T) {
	for _, tc := range []struct {
		err      error
		code     int
		printed  string
		describe string
	}{
		{&Told{Code: 3}, 3, "", "told"},
		{errors.New("broke"), ExitFailure, "prog: broke\n", "plain"},
		{UsageErrorf("bad flag"), ExitUsage, "prog: bad flag\n", "usage"},
	} {
		root := &cobra.Command{Use: "prog", RunE: func(*cobra.Command, []string) error { return tc.err }}
		Prepare(root)
		var out, errOut bytes.Buffer
		code := Execute(context.Background(), root, nil, strings.NewReader(""), &out, &errOut)
		if code != tc.code || errOut.String() != tc.printed {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", tc.describe, code, errOut.String(), tc.code, tc.printed)
		}
	}
}
