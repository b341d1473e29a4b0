package store_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
)

// TestCompactsItself writes many memtables' worth into a store whose
// badger runs no compactors (the default): the writes must keep going
// past the level-0 stall, the tree must be compacted below level 0, and a
// reopened store must read back every value.
func TestCompactsItself(t *testing.T) {
	dir := t.TempDir()
	o := diskOptions()
	o.MemTableSize = 8 << 20
	o.NumMemtables = 2
	o = store.WithLevelZero(o, 2) // compacts at 2 level-0 tables, flushes stall at 6
	if o.NumCompactors != 0 {
		t.Fatalf("DefaultOptions().NumCompactors = %d, want 0", o.NumCompactors)
	}
	s, err := store.Open(dir, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// 100 MiB: twelve memtables, past the nine that level 0 under its
	// stall and the memtables waiting for their flush hold.
	const n, size = 400, 256 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([][]byte, n)
	key := func(i int) []byte { return fmt.Appendf(nil, "x/%04d", i) }
	wrote := make(chan error, 1)
	go func() {
		for i := range n {
			values[i] = make([]byte, size)
			for j := range values[i] {
				values[i][j] = byte(rng.Uint32())
			}
			if err := s.PutRaw(key(i), values[i]); err != nil {
				wrote <- fmt.Errorf("write %d: %w", i, err)
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("writes stalled: level 0 was not compacted") // s stays open: Close would wait for the stalled write
	}
	zero, below := s.Tables()
	if below == 0 || zero >= 6 {
		t.Errorf("after the writes: %d tables in level 0 and %d below, want some below and level 0 under its stall (6)", zero, below)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	r := open(t, dir, diskOptions())
	for i := range n {
		v, ok, err := r.GetRaw(key(i))
		if err != nil || !ok || !bytes.Equal(v, values[i]) {
			t.Fatalf("after reopening, value %d: found %v, err %v, equal %v", i, ok, err, bytes.Equal(v, values[i]))
		}
	}
}

// TestLongIngest stores 100,000 ops in batches, as a catch-up does, into a
// durable store with the default options: every batch must be stored in
// time, level 0 must stay under badger's stall, and a reopened store must
// hold every op.
func TestLongIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 100,000 ops")
	}
	const n, batch = 100_000, 256
	c := chains(t, n, "A")
	dir := t.TempDir()
	s, err := store.Open(dir, diskOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	wrote := make(chan error, 1)
	go func() {
		for i := 0; i < len(c.Ops); i += batch {
			if err := s.PutVisible(c.Ops[i:min(i+batch, len(c.Ops))]...); err != nil {
				wrote <- fmt.Errorf("batch at %d: %w", i, err)
				return
			}
		}
		wrote <- s.Sync()
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Minute):
		stored, _ := s.Len()
		t.Fatalf("writes stalled: %d ops stored of %d", stored, len(c.Ops)) // s stays open: Close would wait for the stalled write
	}
	if zero, _ := s.Tables(); zero >= 24 {
		t.Errorf("after the writes: %d tables in level 0, at badger's stall (24)", zero)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	r := open(t, dir, diskOptions())
	if stored, err := r.Len(); stored != len(c.Ops) || err != nil {
		t.Fatalf("after reopening: Len %d, %v; want %d", stored, err, len(c.Ops))
	}
	for _, i := range []int{0, len(c.Ops) / 2, len(c.Ops) - 1} {
		if op, err := r.Get(c.Ops[i].Hash()); err != nil || op.Hash() != c.Ops[i].Hash() {
			t.Errorf("after reopening, op %d: %v", i, err)
		}
	}
}
