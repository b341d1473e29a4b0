package cli

import (
	"errors"
	"fmt"
	"testing"
)

// An exit status survives wrapping; an error without one is a failure.
func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("disk full"), ExitFailure},
		{UsageErrorf("bad flag"), ExitUsage},
		{Failuref("refused"), ExitFailure},
		{fmt.Errorf("run: %w", Exitf(4, "daemon down")), 4},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	base := errors.New("the cause")
	if err := Failuref("step 3: %w", base); !errors.Is(err, base) || err.Error() != "step 3: the cause" {
		t.Errorf("Failuref with %%w: %q, Is(cause) %v", err, errors.Is(err, base))
	}
}

// The line on stderr is one line, named after the binary.
func TestOneLine(t *testing.T) {
	got := OneLine("kring-testnet", errors.New("demo: step 2\n  failed:   timeout"))
	if want := "kring-testnet: demo: step 2; failed: timeout"; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
}

// cobra's own command-line errors become usage errors with a hint to the
// command's help; others keep their status.
func TestClassify(t *testing.T) {
	err := Classify(errors.New(`unknown command "frob" for "kring-testnet"`+"\n\nDid you mean this?"), "kring-testnet")
	if ExitCode(err) != ExitUsage || err.Error() != "unknown command \"frob\" for \"kring-testnet\": see `kring-testnet --help`" {
		t.Errorf("unknown command: exit %d, %q", ExitCode(err), err)
	}
	failed := Failuref("unknown flag in the config")
	if got := Classify(failed, "kring run"); got != failed {
		t.Errorf("an error with a status became %q", got)
	}
	plain := errors.New("disk full")
	if got := Classify(plain, "kring run"); got != plain || ExitCode(got) != ExitFailure {
		t.Errorf("a plain error became %q (exit %d)", got, ExitCode(got))
	}
}
