package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileAtomicSyncsDir: writeFileAtomic syncs the directory after
// the rename (so the new name survives a power loss), and kring init syncs
// the parent of the data dir it creates; a failing directory sync is an
// error, not a silent success.
func TestWriteFileAtomicSyncsDir(t *testing.T) {
	real := syncDir
	defer func() { syncDir = real }()
	var synced []string
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return real(dir)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := writeFileAtomic(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || synced[0] != dir {
		t.Fatalf("writeFileAtomic synced %q, want [%s]", synced, dir)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "x" {
		t.Fatalf("read back %q, %v", b, err)
	}

	synced = nil
	d := filepath.Join(dir, "org")
	kring(t, "--data-dir", d, "init", "--org", "A").must(t)
	if len(synced) == 0 || synced[0] != dir {
		t.Errorf("kring init synced %q first, want the data dir's parent %s", synced, dir)
	}
	for _, s := range synced[1:] {
		if s != d {
			t.Errorf("kring init synced %s, want only %s after the parent", s, d)
		}
	}

	syncDir = func(string) error { return os.ErrPermission }
	if err := writeFileAtomic(filepath.Join(dir, "g"), []byte("y"), 0o600); err == nil {
		t.Error("writeFileAtomic hid a failed directory sync")
	}
}
