package main

import (
	"bytes"
	"testing"
)

// TestPager: a pager gets the text and writes to stdout; a pager that is
// not installed, or stdout that is no terminal, get the text as it is.
func TestPager(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runPager("sed 's/^/| /'", []byte("a\nb\n"), &out, &errOut); err != nil || out.String() != "| a\n| b\n" {
		t.Errorf("through sed: %q %v", out.String(), err)
	}
	out.Reset()
	errOut.Reset()
	if err := runPager("kring-no-such-pager", []byte("a\n"), &out, &errOut); err != nil || out.String() != "a\n" {
		t.Errorf("through a missing pager: %q %v", out.String(), err)
	}
	t.Setenv("PAGER", "sed 's/^/| /'")
	out.Reset()
	a := &app{stdout: &out, stderr: &errOut}
	if err := a.page([]byte("a\n")); err != nil || out.String() != "a\n" {
		t.Errorf("paged to a non-terminal: %q %v", out.String(), err)
	}
}
