package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// TestPutVisible checks the write that members see before it is synced:
// readers find its ops at once, it stays unsynced until Sync, and any
// later write syncs it first, so that at most the newest write is ever
// unsynced (badger's Sync reaches only its newest memtable's log).
func TestPutVisible(t *testing.T) {
	c := chains(t, 4, "A")
	s := open(t, t.TempDir(), store.DefaultOptions())
	put(t, s, c.Genesis)
	if s.Unsynced() {
		t.Fatal("a Put left its write unsynced")
	}
	if err := s.PutVisible(c.Ops[1]); err != nil {
		t.Fatalf("PutVisible: %v", err)
	}
	if ok, err := s.Has(c.Ops[1].Hash()); !ok || err != nil {
		t.Fatalf("Has after PutVisible = %v, %v; want the op", ok, err)
	}
	if n, _ := s.Len(); n != 2 {
		t.Fatalf("Len after PutVisible = %d, want 2", n)
	}
	if !s.Unsynced() {
		t.Fatal("PutVisible synced its write")
	}
	if err := s.Sync(); err != nil || s.Unsynced() {
		t.Fatalf("Sync: %v, unsynced %v", err, s.Unsynced())
	}
	if err := s.PutVisible(c.Ops[2]); err != nil {
		t.Fatalf("PutVisible: %v", err)
	}
	if err := s.SetNextSeq(3); err != nil {
		t.Fatalf("SetNextSeq: %v", err)
	}
	if s.Unsynced() {
		t.Fatal("a write after PutVisible left a write unsynced")
	}
	if err := s.PutVisible(c.Ops[3]); err != nil {
		t.Fatalf("PutVisible: %v", err)
	}
	if err := s.PutVisible(c.Ops[4]); err != nil {
		t.Fatalf("PutVisible: %v", err)
	}
	if !s.Unsynced() {
		t.Fatal("the newest PutVisible was synced")
	}
	if got := ranged(t, s); len(got) != 5 {
		t.Fatalf("the store holds %d ops, want 5", len(got))
	}
}

// TestPutVisibleWithoutSyncWrites checks that a store without SyncWrites
// never counts a write as unsynced: it has nothing to sync.
func TestPutVisibleWithoutSyncWrites(t *testing.T) {
	c := chains(t, 1, "A")
	s := open(t, t.TempDir(), diskOptions())
	put(t, s, c.Genesis)
	if err := s.PutVisible(c.Ops[1]); err != nil || s.Unsynced() {
		t.Fatalf("PutVisible: %v, unsynced %v; want nil, false", err, s.Unsynced())
	}
}

// TestValueLogWriteSynced checks that a write holding a value badger keeps
// in its value log (an op of the largest size) is synced at once even when
// left unsynced otherwise: badger may start a new value log file after it,
// and a later Sync would reach only that one.
func TestValueLogWriteSynced(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, store.DefaultOptions())
	big := bytes.Repeat([]byte{0xa5}, 1<<20)
	if err := s.PutRawVisible([]byte("x/big"), big); err != nil {
		t.Fatalf("PutRawVisible: %v", err)
	}
	if s.Unsynced() {
		t.Fatal("a value-log write was left unsynced")
	}
	small := bytes.Repeat([]byte{0x5a}, 1<<10)
	if err := s.PutRawVisible([]byte("x/small"), small); err != nil || !s.Unsynced() {
		t.Fatalf("PutRawVisible of a small value: %v, unsynced %v; want nil, true", err, s.Unsynced())
	}
	found := false
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".vlog") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, big[:4096]) {
			found = true
		}
	}
	if !found {
		t.Fatal("the 1 MiB value is in no value log file: the case this guards does not arise")
	}
}

// TestPutVisibleOwn checks the write of an own op: the op and the seq
// after it are saved in one write, left unsynced like PutVisible's, made
// durable by one sync, and a write that would lower the saved seq stores
// nothing.
func TestPutVisibleOwn(t *testing.T) {
	c := chains(t, 3, "A")
	s := open(t, t.TempDir(), store.DefaultOptions())
	put(t, s, c.Genesis)
	before := s.Syncs()
	if err := s.PutVisibleOwn(c.Ops[1].Seq+1, c.Ops[1]); err != nil {
		t.Fatalf("PutVisibleOwn: %v", err)
	}
	if next, err := s.NextSeq(); err != nil || next != c.Ops[1].Seq+1 {
		t.Fatalf("NextSeq after PutVisibleOwn = %d, %v; want %d", next, err, c.Ops[1].Seq+1)
	}
	if ok, err := s.Has(c.Ops[1].Hash()); !ok || err != nil {
		t.Fatalf("Has after PutVisibleOwn = %v, %v; want the op", ok, err)
	}
	if !s.Unsynced() || s.Syncs() != before {
		t.Fatalf("PutVisibleOwn synced: unsynced %v, syncs %d → %d", s.Unsynced(), before, s.Syncs())
	}
	if err := s.Sync(); err != nil || s.Syncs() != before+1 {
		t.Fatalf("Sync: %v, syncs %d → %d; want one", err, before, s.Syncs())
	}
	if err := s.PutVisibleOwn(1, c.Ops[2]); !errors.Is(err, store.ErrSeqRewind) {
		t.Fatalf("PutVisibleOwn lowering the seq: error %v, want ErrSeqRewind", err)
	}
	if ok, err := s.Has(c.Ops[2].Hash()); ok || err != nil {
		t.Fatalf("Has after a refused PutVisibleOwn = %v, %v; want nothing stored", ok, err)
	}
	if err := s.PutVisibleOwn(0, c.Ops[2]); !errors.Is(err, store.ErrSeqRewind) {
		t.Fatalf("PutVisibleOwn with next 0: error %v, want ErrSeqRewind", err)
	}
}
