package store_test

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// TestPutWritesEachHeadOnce: a put of two chains writes the head keys it
// changes once, not one head and one deletion per op, and the heads and
// tips read back after a reopen are the chains' last ops.
func TestPutWritesEachHeadOnce(t *testing.T) {
	c := chains(t, 20, "A", "B")
	dir := t.TempDir()
	s := open(t, dir, diskOptions())
	put(t, s, c.Ops[0])
	if err := s.Put(c.Ops[1:]...); err != nil {
		t.Fatal(err)
	}
	n, err := s.HeadEntries()
	if err != nil {
		t.Fatal(err)
	}
	// The genesis's head and its deletion, and one head per chain.
	if n != 4 {
		t.Errorf("%d head entries after one put of two chains of 20, want 4", n)
	}
	last := map[protocol.Key]*protocol.Op{}
	for _, op := range c.Ops {
		last[op.Author] = op
	}
	for _, reopen := range []bool{false, true} {
		if reopen {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir, diskOptions())
		}
		heads, _ := s.Heads()
		want := protocol.SortPreds([]protocol.Hash{last[member("A")].Hash(), last[member("B")].Hash()})
		if len(heads) != 2 || heads[0] != want[0] || heads[1] != want[1] {
			t.Errorf("reopened %v: heads %v, want the chains' last ops %v", reopen, heads, want)
		}
		tips, _ := s.Tips()
		for _, name := range []string{"A", "B"} {
			op := last[member(name)]
			if tip := tips[op.Author]; tip.Seq != op.Seq || len(tip.Hashes) != 1 || tip.Hashes[0] != op.Hash() {
				t.Errorf("reopened %v: %s's tip %v, want %s", reopen, name, tip, op)
			}
		}
	}
}
