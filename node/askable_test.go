package node

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// askFixture parks, in a fresh pending set: H, an honest op that P
// forwarded, missing Z's op Z3; Z3, forwarded by R, missing its Prev Z2;
// and O, an orphan R forwarded, missing a pred nobody has.
type askFixture struct {
	p          *pendingSet
	h, z3, o   *protocol.Op
	z2, nobody protocol.Hash
}

func newAskFixture(t *testing.T) askFixture {
	t.Helper()
	c := newCircle(t, "A", "B", "C")
	var zs []*protocol.Op
	for i := range 3 {
		zs = append(zs, must(t)(c.Advise("C", fmt.Sprint("Z", i+1), protocol.TLPGreen)))
	}
	syncActor(t, c, "B", "C")
	h := must(t)(c.Advise("B", "honest, citing Z3", protocol.TLPGreen))
	o := must(t)(c.Advise("A", "the orphan", protocol.TLPGreen))
	f := askFixture{p: newPendingSet(limitBytes(1 << 30)), h: h, z3: zs[2], o: o, z2: zs[1].Hash(), nobody: protocol.Hash{0xee}}
	now := time.Unix(0, 0)
	f.p.add(h, []protocol.Hash{zs[2].Hash()}, "P", now)
	f.p.add(zs[2], []protocol.Hash{f.z2}, "R", now)
	f.p.add(o, []protocol.Hash{f.nobody}, "R", now)
	return f
}

// What a node asks a peer for: the preds of the ops that peer forwarded,
// and of the parked ops those wait for, whoever forwarded them; never the
// preds of another forwarder's orphans.
func TestAskedOfAPeerFollowsItsOwnOps(t *testing.T) {
	f := newAskFixture(t)
	none := func(protocol.Hash) bool { return false }
	if got := f.p.wantedOf("P", none); !slices.Equal(got, []protocol.Hash{f.z2}) {
		t.Errorf("wanted of P = %v, want Z2 only (H waits for Z3, parked, which waits for Z2)", got)
	}
	if got := f.p.wantedOf("R", none); !slices.Equal(got, protocol.SortPreds([]protocol.Hash{f.z2, f.nobody})) {
		t.Errorf("wanted of R = %v, want Z2 and the orphan's pred", got)
	}
	if got := f.p.wantedOf("Q", none); len(got) != 0 {
		t.Errorf("wanted of Q, which forwarded nothing = %v, want none", got)
	}
	ck := f.z3.Author
	if got := f.p.chainGaps("P", none); got[ck] != 2 || len(got) != 1 {
		t.Errorf("chain gaps for P = %v, want C's chain up to seq 2", got)
	}
	if got := f.p.chainGaps("Q", none); len(got) != 0 {
		t.Errorf("chain gaps for Q = %v, want none", got)
	}
}

// A forwarder that answers, in full, that it lacks a pred of an op it
// forwarded loses that op, and only that one: ops other forwarders parked
// stay.
func TestUnservedOpsAreDroppedForTheirForwarderOnly(t *testing.T) {
	f := newAskFixture(t)
	none := func(protocol.Hash) bool { return false }
	gone := f.p.unserved("R", map[protocol.Hash]bool{f.nobody: true}, none)
	if len(gone) != 1 || gone[0].op != f.o {
		t.Fatalf("R denied the orphan's pred: dropped %d ops, want the orphan alone", len(gone))
	}
	if !f.p.has(f.z3.Hash()) || !f.p.has(f.h.Hash()) {
		t.Error("an op whose preds R did not deny was dropped")
	}
	if gone := f.p.unserved("P", map[protocol.Hash]bool{f.nobody: true}, none); len(gone) != 0 {
		t.Errorf("P lost %d ops for a pred of another forwarder's op", len(gone))
	}
	if gone := f.p.unserved("R", map[protocol.Hash]bool{f.z2: true}, none); len(gone) != 1 || gone[0].op != f.z3 {
		t.Errorf("R denied Z3's pred: dropped %d ops, want Z3 alone", len(gone))
	}
	if !f.p.has(f.h.Hash()) {
		t.Error("P's op was dropped when R denied what it waits for: it goes only when P denies")
	}
}
