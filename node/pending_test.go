package node

import (
	"slices"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// TestPendingSetBound checks the byte bound: the oldest ops go first, with
// every index entry that pointed at them, and the newest stays even when it
// alone is over the bound.
func TestPendingSetBound(t *testing.T) {
	d := newDiamond(t)
	size := len(d.x.Bytes()) + len(d.q.Bytes()) + len(d.y.Bytes()) - 1
	p := newPendingSet(size) // one byte short of X, Q and Y together
	if ev := p.add(d.x, []protocol.Hash{d.p1.Hash(), d.p2.Hash()}); len(ev) != 0 {
		t.Fatalf("X evicted %v", ev)
	}
	if ev := p.add(d.q, []protocol.Hash{d.p1.Hash()}); len(ev) != 0 {
		t.Fatalf("Q evicted %v", ev)
	}
	if ev := p.add(d.x, nil); len(ev) != 0 || p.len() != 2 {
		t.Fatalf("adding X again evicted %v, len %d", ev, p.len())
	}
	ev := p.add(d.y, []protocol.Hash{d.x.Hash(), d.q.Hash()})
	if !slices.Equal(ev, []protocol.Hash{d.x.Hash()}) {
		t.Fatalf("Y evicted %v, want X (the oldest)", ev)
	}
	if p.has(d.x.Hash()) || !p.has(d.q.Hash()) || !p.has(d.y.Hash()) {
		t.Fatal("after evicting X, the set should hold Q and Y")
	}
	if w := p.waiters(d.p2.Hash()); len(w) != 0 {
		t.Errorf("P2 still has waiters %v after X, its only waiter, was evicted", w)
	}
	if w := p.waiters(d.p1.Hash()); !slices.Equal(w, []protocol.Hash{d.q.Hash()}) {
		t.Errorf("P1's waiters = %v, want Q", w)
	}
	held := func(h protocol.Hash) bool { return h == d.p1.Hash() }
	if got := p.wanted(held); !slices.Equal(got, []protocol.Hash{d.x.Hash()}) {
		t.Errorf("wanted = %v, want X (Q is parked, P1 held)", got)
	}
	p.remove(d.q.Hash())
	p.remove(d.y.Hash())
	if p.len() != 0 || len(p.waiting) != 0 || p.bytes != 0 {
		t.Errorf("after removing everything: %d ops, %d waiting entries, %d bytes", p.len(), len(p.waiting), p.bytes)
	}
}
