package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// File writes the corpus format go test reads.
func TestFile(t *testing.T) {
	got := string(File([]byte("a\x00"), "b", byte(7)))
	want := "go test fuzz v1\n[]byte(\"a\\x00\")\nstring(\"b\")\nbyte('\\a')\n"
	if got != want {
		t.Errorf("File = %q, want %q", got, want)
	}
}

// Check writes the seeds with update, removes stale seed-* files, keeps
// other files, and then finds nothing stale.
func TestCheckUpdates(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "FuzzX"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"seed-old", "found-1"} {
		if err := os.WriteFile(filepath.Join(dir, "FuzzX", name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]byte{filepath.Join("FuzzX", "seed-new"): File("v")}
	Check(t, dir, want, true, "")
	if _, err := os.Stat(filepath.Join(dir, "FuzzX", "seed-old")); !os.IsNotExist(err) {
		t.Error("a stale seed-* file was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "FuzzX", "found-1")); err != nil {
		t.Error("the fuzzer's own find was removed")
	}
	Check(t, dir, want, false, "") // fails t if anything is stale
}
