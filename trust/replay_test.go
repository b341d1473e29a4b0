package trust_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// replayFailFiles replays each rapid fail file that glob names through the
// property that prop returns (one per file), with the finales drawn as
// KRING_MODEL_FINALES draws them, and fails a file that rapid does not
// replay (one of another rapid version).
func replayFailFiles(t *testing.T, glob string, prop func() func(*rapid.T)) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no fail files match %s: %v", glob, err)
	}
	forceFinales = true
	defer func() { forceFinales = false }()
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".fail"), func(t *testing.T) {
			setFlag(t, "rapid.failfile", f)
			setFlag(t, "rapid.checks", "0")
			setFlag(t, "rapid.nofailfile", "true")
			check := prop()
			replayed := 0
			rapid.Check(t, func(rt *rapid.T) {
				replayed++
				check(rt)
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
