package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// open opens a store in dir (in memory when dir is empty) and closes it
// when the test ends.
func open(t testing.TB, dir string, o store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(dir, o)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// diskOptions are the defaults without syncs, which tests do not need.
func diskOptions() store.Options {
	o := store.DefaultOptions()
	o.SyncWrites = false
	return o
}

// chains founds a circle of A, B, C and the named actors and has each
// named actor publish n advisories without syncing, so every author's chain
// hangs off the genesis alone. It returns the circle; c.Ops is in causal
// order.
func chains(t testing.TB, n int, names ...string) *trusttest.Circle {
	t.Helper()
	founders := []string{"A", "B", "C"}
	for _, name := range names {
		if !slices.Contains(founders, name) {
			founders = append(founders, name)
		}
	}
	c, err := trusttest.NewCircle(protocol.DefaultCharter("store test"), founders...)
	if err != nil {
		t.Fatalf("founding: %v", err)
	}
	for i := range n {
		for _, name := range names {
			if _, err := c.Advise(name, fmt.Sprintf("%s %d", name, i), protocol.TLPGreen); err != nil {
				t.Fatalf("%s advising: %v", name, err)
			}
		}
	}
	return c
}

// put stores ops one Put at a time.
func put(t testing.TB, s *store.Store, ops ...*protocol.Op) {
	t.Helper()
	for _, op := range ops {
		if err := s.Put(op); err != nil {
			t.Fatalf("Put(%s): %v", op, err)
		}
	}
}

// hashes returns the ops' hashes, in order.
func hashes(ops []*protocol.Op) []protocol.Hash {
	out := make([]protocol.Hash, len(ops))
	for i, op := range ops {
		out[i] = op.Hash()
	}
	return out
}

// ranged returns the hashes Range visits, in order.
func ranged(t testing.TB, s *store.Store) []protocol.Hash {
	t.Helper()
	var out []protocol.Hash
	if err := s.Range(func(op *protocol.Op) error { out = append(out, op.Hash()); return nil }); err != nil {
		t.Fatalf("Range: %v", err)
	}
	return out
}

// member returns the key of the test actor called name.
func member(name string) protocol.Key { return protocol.KeyOf(trusttest.KeyFor(name)) }
