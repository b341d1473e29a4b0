package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLooksLikePath(t *testing.T) {
	for s, want := range map[string]bool{
		"vettng-notes.pdf": true, "notes/visit": true, "./x": true, "report.docx": true, "a.TXT": true,
		"Met their CISO on 3 March": false, "ok.": false, "approved-v2.0": false, "references": false,
		"see notes.pdf and call": false, "e.g.": false,
	} {
		if got := looksLikePath(s); got != want {
			t.Errorf("looksLikePath(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestEndorseEvidence: --evidence takes an existing file or text, and
// refuses a missing file; --evidence-file takes files only,
// --evidence-text text only. What is kept is what is hashed into the vote.
func TestEndorseEvidence(t *testing.T) {
	root, dirs, gpath := finishedCircle(t)
	n := initOrgs(t, root, "n")[0]
	appPath := filepath.Join(root, "n.application")
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", appPath).must(t)
	f := newFakeDaemon(t, 0)
	notes := filepath.Join(root, "vetting-notes.pdf")
	if err := os.WriteFile(notes, []byte("%PDF site visit"), 0o600); err != nil {
		t.Fatal(err)
	}
	endorse := func(args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[0], "--api", f.url, "endorse", appPath}, args...)...)
	}
	kept := func(data string) {
		t.Helper()
		sum := sha256.Sum256([]byte(data))
		h := hex.EncodeToString(sum[:])
		if b, err := os.ReadFile(filepath.Join(dirs[0], evidenceDir, h)); err != nil || string(b) != data {
			t.Errorf("evidence %q not kept: %v", data, err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.evidence) == 0 || f.evidence[len(f.evidence)-1] != h {
			t.Errorf("the vote carries %v, want the hash of %q", f.evidence, data)
		}
	}
	endorse("--evidence", notes).must(t)
	kept("%PDF site visit")
	endorse("--evidence", "Met their CISO; two references").must(t)
	kept("Met their CISO; two references")
	endorse("--evidence-file", notes).must(t)
	kept("%PDF site visit")
	endorse("--evidence-text", "vettng-notes.pdf").must(t)
	kept("vettng-notes.pdf")

	calls := len(f.evidence)
	typo := filepath.Join(root, "vettng-notes.pdf")
	endorse("--evidence", "vettng-notes.pdf").fails(t, exitUsage, `--evidence "vettng-notes.pdf" looks like a file name, but there is no such file`)
	endorse("--evidence", typo).fails(t, exitUsage, "--evidence-text")
	endorse("--evidence", "notes/visit").fails(t, exitUsage, "no such file")
	endorse("--evidence", root).fails(t, exitUsage, "is not a regular file")
	endorse("--evidence-file", typo).fails(t, exitUsage, "--evidence-file")
	endorse("--evidence-file", "Met their CISO").fails(t, exitUsage, "no such file")
	endorse("--evidence-text", "  ").fails(t, exitUsage, "the evidence is empty")
	endorse("--evidence", "x", "--evidence-text", "y").fails(t, exitUsage, "none of the others can be")
	endorse().fails(t, exitUsage, "needs --evidence")
	if len(f.evidence) != calls {
		t.Errorf("a refused endorse reached the daemon: %v", f.evidence[calls:])
	}
	if ents, err := os.ReadDir(filepath.Join(dirs[0], evidenceDir)); err != nil || len(ents) != 3 {
		t.Errorf("evidence dir holds %d files (%v), want 3", len(ents), err)
	}
	if !strings.Contains(endorse("--help").stdout, "--evidence-text") {
		t.Error("endorse --help does not show --evidence-text")
	}
}
