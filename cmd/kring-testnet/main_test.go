package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is one in-process run of kring-testnet.
type result struct {
	stdout, stderr string
	code           int
}

// harnessRun runs kring-testnet with args in-process.
func harnessRun(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestExitCodes checks the one-line errors and exit statuses of the
// demo and bench commands when they fail before, or instead of, running
// a circle: 2 for the command line, 1 when the command ran and failed.
func TestExitCodes(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench"}, 2, "bench needs --out DIR"},
		{[]string{"bench", "--quick"}, 2, "bench needs --out DIR"},
		{[]string{"bench", "--bogus"}, 2, "unknown flag: --bogus: see `kring-testnet bench --help`"},
		{[]string{"demo", "--log-level", "verbose"}, 2, `--log-level: log level "verbose" is unknown`},
		{[]string{"demo", "extra"}, 2, "kring-testnet demo takes no arguments"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"demo", "--dir", full}, 1, "demo: testnet: demo directory is not empty"},
		{[]string{"bench", "--out", filepath.Join(file, "sub")}, 1, "bench: "},
		{[]string{"bench", "--out", t.TempDir(), "--cpuprofile", filepath.Join(file, "cpu.pprof")}, 1, "bench: cpu profile: "},
	}
	for _, c := range cases {
		r := harnessRun(t, c.args...)
		if r.code != c.code || !strings.HasPrefix(r.stderr, "kring-testnet: ") || !strings.Contains(r.stderr, c.want) ||
			strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("kring-testnet %s: exit %d, stdout %q, stderr %q; want exit %d and one line containing %q",
				strings.Join(c.args, " "), r.code, r.stdout, r.stderr, c.code, c.want)
		}
	}
}

// TestHelpAndVersion: the harness names its two commands, each with
// examples, and its version.
func TestHelpAndVersion(t *testing.T) {
	r := harnessRun(t, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "demo ") || !strings.Contains(r.stdout, "bench ") ||
		!strings.Contains(r.stdout, "Exit status:") {
		t.Errorf("--help: exit %d\n%s", r.code, r.stdout)
	}
	for _, cmd := range []string{"demo", "bench"} {
		if r := harnessRun(t, cmd, "--help"); r.code != 0 || !strings.Contains(r.stdout, "kring-testnet "+cmd) ||
			!strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help: exit %d\n%s", cmd, r.code, r.stdout)
		}
	}
	if r := harnessRun(t, "--version"); r.code != 0 || r.stdout != "kring-testnet dev\n" {
		t.Errorf("--version: exit %d, %q", r.code, r.stdout)
	}
}
