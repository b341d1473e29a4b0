package node

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFullDiskRefusesToStart: on a disk with less free space than the
// store needs (memtables and a value log file, which badger maps), the
// node refuses to start with ErrDiskFull, saying what to do, rather than
// opening the store and faulting; with the space freed it starts on the
// same data dir.
func TestFullDiskRefusesToStart(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	dir := t.TempDir()
	cfg := testConfig(c, "A")
	cfg.DataDir, cfg.Store.InMemory, cfg.MinFreeDisk = dir, false, 1<<20
	free := uint64(8 << 20)
	cfg.DiskFree = func(string) (uint64, error) { return free, nil }
	if need := storeNeeds(cfg.Store); free >= need {
		t.Fatalf("the test's free space %d is not below what the store needs, %d", free, need)
	}
	_, err := New(context.Background(), cfg)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "8 MiB free") || !strings.Contains(err.Error(), "free space on the disk") {
		t.Fatalf("New on a full disk = %v, want ErrDiskFull saying what to do", err)
	}
	free = 10 << 30
	n, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New once space is freed: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}
