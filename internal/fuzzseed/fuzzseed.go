package fuzzseed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// File encodes vals ([]byte, string or byte values) in the corpus file
// format of `go test -fuzz`. It panics on another type: seeds are written
// by tests, and a wrong type is the test's bug.
func File(vals ...any) []byte {
	b := []byte("go test fuzz v1\n")
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			b = fmt.Appendf(b, "[]byte(%q)\n", v)
		case string:
			b = fmt.Appendf(b, "string(%q)\n", v)
		case byte:
			b = fmt.Appendf(b, "byte(%q)\n", v)
		default:
			panic(fmt.Sprintf("fuzzseed.File: %T", v))
		}
	}
	return b
}

// Check compares the seed-* files under dir (by path below it) with want.
// With update it writes want there and removes the seed-* files want
// lacks; without, it fails t naming the stale seeds and rerun, the command
// that rewrites them. Other files (the fuzzer's own finds) are left alone.
func Check(t testing.TB, dir string, want map[string][]byte, update bool, rerun string) {
	t.Helper()
	var stale []string
	for path, content := range want {
		p := filepath.Join(dir, path)
		if got, err := os.ReadFile(p); err == nil && bytes.Equal(got, content) {
			continue
		}
		if !update {
			stale = append(stale, path)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*", "seed-*"))
	for _, p := range old {
		rel, _ := filepath.Rel(dir, p)
		if _, ok := want[rel]; ok {
			continue
		}
		if !update {
			stale = append(stale, rel)
			continue
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		t.Fatalf("%d fuzz seeds are stale (%s, ...): run %s", len(stale), stale[0], rerun)
	}
}
