package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// result is one in-process invocation of kring.
type result struct {
	stdout, stderr string
	code           int
}

// kring runs the CLI in-process with args.
func kring(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// must fails the test unless r succeeded.
func (r result) must(t *testing.T) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

// fails checks that r failed with code and a one-line message containing want.
func (r result) fails(t *testing.T, code int, want string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 ||
		!strings.HasPrefix(r.stderr, "kring: ") {
		t.Fatalf("exit %d, stderr %q; want exit %d and one line containing %q", r.code, r.stderr, code, want)
	}
}

// initOrgs inits one data dir per name under root and returns their paths.
func initOrgs(t *testing.T, root string, names ...string) []string {
	t.Helper()
	var dirs []string
	for _, n := range names {
		d := filepath.Join(root, n)
		kring(t, "--data-dir", d, "init", "--org", "Org "+n).must(t)
		dirs = append(dirs, d)
	}
	return dirs
}

// charter writes a charter with the given k, s, r into dir.
func writeCharter(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "charter.toml")
	if err := writeFileAtomic(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
