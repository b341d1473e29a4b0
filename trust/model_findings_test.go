package trust_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestModelFindings replays the histories in testdata/findings: rapid fail
// files of TestModelSettledIsFinal that it found with KRING_MODEL_FINALES
// set, each answered by a draft of the rules (docs/membership.md §7,
// "Found by the property tests"). Each must replay, and pass.
func TestModelFindings(t *testing.T) {
	files, err := filepath.Glob("testdata/findings/*.fail")
	if err != nil || len(files) == 0 {
		t.Fatalf("no findings: %v", err)
	}
	forceFinales = true
	defer func() { forceFinales = false }()
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".fail"), func(t *testing.T) {
			setFlag(t, "rapid.failfile", f)
			setFlag(t, "rapid.checks", "0")
			setFlag(t, "rapid.nofailfile", "true")
			cov := newModelCoverage()
			prop := settledIsFinal(cov)
			replayed := 0
			rapid.Check(t, func(rt *rapid.T) {
				replayed++
				prop(rt)
			})
			if replayed == 0 {
				t.Fatalf("%s was not replayed (a fail file of another rapid version?)", f)
			}
		})
	}
}

// setFlag sets a command-line flag for the rest of the test.
func setFlag(t *testing.T, name, value string) {
	t.Helper()
	f := flag.Lookup(name)
	if f == nil {
		t.Fatalf("no flag %s", name)
	}
	old := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(old) })
}
