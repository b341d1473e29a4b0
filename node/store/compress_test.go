package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// TestTablesUncompressed: the store writes its tables uncompressed, reads
// the compressed tables of a store written before as they are, and
// rewrites them uncompressed when it compacts.
func TestTablesUncompressed(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("store test"), "A", "B", "C")
	if err != nil {
		t.Fatalf("founding: %v", err)
	}
	// Advisories that compress well, so that a compressed table is
	// smaller on disk than its blocks.
	text := strings.Repeat("Indicator update: new C2 addresses seen in the sector. ", 40)
	for i := range 200 {
		if _, err := c.Do("A", &protocol.Advisory{Title: fmt.Sprintf("advisory %d", i), TLP: protocol.TLPGreen, Summary: text}); err != nil {
			t.Fatalf("advising: %v", err)
		}
	}
	a, b := len(c.Ops)/3, 2*len(c.Ops)/3
	dir := t.TempDir()
	// putClose opens the store in dir with o, puts ops and closes it,
	// which flushes its memtable to one more level-0 table.
	putClose := func(o store.Options, ops []*protocol.Op) {
		s, err := store.Open(dir, o)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		put(t, s, ops...)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	// Compacting at three level-0 tables: none before the third.
	o := store.WithLevelZero(diskOptions(), 3)

	// A store written compressed, in two tables.
	putClose(store.WithCompressedTables(o), c.Ops[:a])
	putClose(store.WithCompressedTables(o), c.Ops[a:b])
	s := open(t, dir, o)
	if compressed, plain := tableKinds(s); compressed != 2 || plain != 0 {
		t.Fatalf("the store written compressed holds %d compressed and %d uncompressed tables, want 2 and 0", compressed, plain)
	}
	readBack(t, s, c.Ops[:b])
	put(t, s, c.Ops[b:]...)
	readBack(t, s, c.Ops)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// The third table, written now, is uncompressed; opening wakes the
	// compaction, which rewrites the first two uncompressed too.
	s = open(t, dir, o)
	deadline := time.Now().Add(30 * time.Second)
	first := true
	for {
		zero, below := s.Tables()
		compressed, plain := tableKinds(s)
		if first && zero == 3 && (compressed != 2 || plain != 1) {
			t.Fatalf("before the compaction: %d compressed and %d uncompressed tables, want 2 and 1", compressed, plain)
		}
		first = false
		if zero == 0 && below > 0 && compressed == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the compaction: %d level-0 tables, %d below, %d compressed, %d uncompressed; want all below level 0, uncompressed", zero, below, compressed, plain)
		}
		time.Sleep(10 * time.Millisecond)
	}
	readBack(t, s, c.Ops)
}

// tableKinds counts s's tables that are smaller on disk than their blocks
// (compressed) and the others.
func tableKinds(s *store.Store) (compressed, plain int) {
	onDisk, blocks := s.TableSizes()
	for i := range onDisk {
		if onDisk[i] < blocks[i] {
			compressed++
		} else {
			plain++
		}
	}
	return compressed, plain
}

// readBack checks that s returns every op of ops by hash and in its
// author's chain.
func readBack(t *testing.T, s *store.Store, ops []*protocol.Op) {
	t.Helper()
	type chain struct {
		from uint64
		ops  [][]byte
	}
	chains := map[protocol.Key]*chain{}
	for _, op := range ops {
		got, err := s.Get(op.Hash())
		if err != nil {
			t.Fatalf("Get(%s): %v", op, err)
		}
		if !slices.Equal(got.Bytes(), op.Bytes()) {
			t.Fatalf("Get(%s) returned other bytes", op)
		}
		if chains[op.Author] == nil {
			chains[op.Author] = &chain{from: op.Seq}
		}
		chains[op.Author].ops = append(chains[op.Author].ops, op.Bytes())
	}
	for author, want := range chains {
		got, _, err := s.Chain(author, want.from, store.ChainLimits{Ops: len(want.ops), Bytes: 1 << 30})
		if err != nil {
			t.Fatalf("Chain(%s): %v", author.Short(), err)
		}
		if len(got) != len(want.ops) {
			t.Fatalf("Chain(%s) returned %d ops, want %d", author.Short(), len(got), len(want.ops))
		}
		for i := range got {
			if !slices.Equal(got[i], want.ops[i]) {
				t.Fatalf("Chain(%s) op %d: other bytes", author.Short(), i)
			}
		}
	}
}
