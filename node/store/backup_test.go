package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// TestBackupRestore: a backup of a running store restores into an empty
// dir with every op, the seq reservation and the order of the log, marked
// restored until ClearRestored; a restore of the keys alone makes an empty
// store marked so; a dir that holds files, or a damaged backup, is
// refused.
func TestBackupRestore(t *testing.T) {
	c := chains(t, 20, "A", "B")
	src := open(t, t.TempDir(), diskOptions())
	put(t, src, c.Ops...)
	if err := src.SetNextSeq(21); err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if err := src.Backup(&backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if ok, err := src.Restored(); err != nil || ok {
		t.Fatalf("a store never restored says restored=%v (%v)", ok, err)
	}

	dir := filepath.Join(t.TempDir(), "store")
	if err := store.Restore(dir, bytes.NewReader(backup.Bytes()), diskOptions()); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	got := open(t, dir, diskOptions())
	if want := ranged(t, src); !slices.Equal(ranged(t, got), want) || len(want) != len(c.Ops) {
		t.Errorf("the restored store ranges over %d ops, the original over %d", len(ranged(t, got)), len(want))
	}
	if next, err := got.NextSeq(); err != nil || next != 21 {
		t.Errorf("restored NextSeq = %d, %v; want 21", next, err)
	}
	if ok, err := got.Restored(); err != nil || !ok {
		t.Errorf("restored store: Restored = %v, %v; want true", ok, err)
	}
	if err := got.ClearRestored(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := got.Restored(); ok {
		t.Error("Restored after ClearRestored")
	}

	// Keys alone: an empty store, marked restored.
	empty := filepath.Join(t.TempDir(), "store")
	if err := store.Restore(empty, nil, diskOptions()); err != nil {
		t.Fatalf("Restore(nil): %v", err)
	}
	e := open(t, empty, diskOptions())
	if n, err := e.Len(); err != nil || n != 0 {
		t.Errorf("a keys-only restore holds %d ops (%v)", n, err)
	}
	if ok, _ := e.Restored(); !ok {
		t.Error("a keys-only restore is not marked restored")
	}

	// Refusals: a dir that holds files; a damaged backup.
	if err := store.Restore(dir, bytes.NewReader(backup.Bytes()), diskOptions()); !errors.Is(err, store.ErrInvalidOptions) {
		t.Errorf("Restore into a dir with a store = %v, want ErrInvalidOptions", err)
	}
	cut := backup.Bytes()[:backup.Len()/2]
	if err := store.Restore(filepath.Join(t.TempDir(), "cut"), bytes.NewReader(cut), diskOptions()); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Restore of half a backup = %v, want ErrCorrupt", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}
