package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		stdout     string
		stderrPart string
	}{
		{args: []string{"version"}, code: 0, stdout: "kring dev\n"},
		{args: []string{"--version"}, code: 0, stdout: "kring dev\n"},
		{args: nil, code: 2, stderrPart: "usage: kring version"},
		{args: []string{"run"}, code: 2, stderrPart: `"run" is not available yet`},
		{args: []string{"testnet", "demo"}, code: 2, stderrPart: "arrive with a later issue"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(c.args, &out, &errOut)
		if code != c.code {
			t.Errorf("run(%q) = %d, want %d", c.args, code, c.code)
		}
		if c.stdout != "" && out.String() != c.stdout {
			t.Errorf("run(%q) stdout = %q, want %q", c.args, out.String(), c.stdout)
		}
		if c.stderrPart != "" && !strings.Contains(errOut.String(), c.stderrPart) {
			t.Errorf("run(%q) stderr = %q, want it to contain %q", c.args, errOut.String(), c.stderrPart)
		}
	}
}
