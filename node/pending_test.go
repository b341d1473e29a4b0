package node

import (
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// limitBytes are pending limits of maxBytes in all, with room for any
// number of ops and no smaller quota per forwarder.
func limitBytes(maxBytes int) pendingLimits {
	return pendingLimits{maxBytes: maxBytes, maxOps: 1 << 20, peerBytes: maxBytes, peerOps: 1 << 20, ttl: time.Hour}
}

// TestPendingSetBound checks the byte bound: the oldest ops go first, with
// every index entry that pointed at them.
func TestPendingSetBound(t *testing.T) {
	d := newDiamond(t)
	now := time.Unix(0, 0)
	p1, p2 := d.p1.Hash(), d.p2.Hash()
	size := parkedCost(d.x, 2) + parkedCost(d.q, 1) + parkedCost(d.y, 2) - 1
	p := newPendingSet(limitBytes(size)) // one byte short of X, Q and Y together
	add := func(op *protocol.Op, missing ...protocol.Hash) []*parked {
		t.Helper()
		ev, _ := p.add(op, missing, "B", now)
		return ev
	}
	if ev := add(d.x, p1, p2); len(ev) != 0 {
		t.Fatalf("X evicted %v", ev)
	}
	if ev := add(d.q, p1); len(ev) != 0 {
		t.Fatalf("Q evicted %v", ev)
	}
	if ev, ok := p.add(d.x, nil, "B", now); len(ev) != 0 || ok || p.len() != 2 {
		t.Fatalf("adding X again evicted %v, parked %v, len %d", ev, ok, p.len())
	}
	ev := add(d.y, d.x.Hash(), d.q.Hash())
	if len(ev) != 1 || ev[0].op != d.x {
		t.Fatalf("Y evicted %v, want X (the oldest)", ev)
	}
	if p.has(d.x.Hash()) || !p.has(d.q.Hash()) || !p.has(d.y.Hash()) {
		t.Fatal("after evicting X, the set should hold Q and Y")
	}
	if w := p.waiters(p2); len(w) != 0 {
		t.Errorf("P2 still has waiters %v after X, its only waiter, was evicted", w)
	}
	if w := p.waiters(p1); !slices.Equal(w, []protocol.Hash{d.q.Hash()}) {
		t.Errorf("P1's waiters = %v, want Q", w)
	}
	held := func(h protocol.Hash) bool { return h == p1 }
	if got := p.wantedOf("B", held); !slices.Equal(got, []protocol.Hash{d.x.Hash()}) {
		t.Errorf("wanted = %v, want X (Q is parked, P1 held)", got)
	}
	p.remove(d.q.Hash())
	p.remove(d.y.Hash())
	if p.len() != 0 || len(p.waiting) != 0 || p.bytes != 0 || len(p.by) != 0 {
		t.Errorf("after removing everything: %d ops, %d waiting entries, %d bytes, %d forwarders", p.len(), len(p.waiting), p.bytes, len(p.by))
	}
}

// TestPendingStoreFollowsTheLoop evicts an op by the byte bound and parks
// it again in the same burst: after the commit the store's pending buffer
// holds exactly what the loop holds.
func TestPendingStoreFollowsTheLoop(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", nil)
	l.saveAt = 0                                                                       // parked ops are written at the next commit
	l.pending = newPendingSet(limitBytes(parkedCost(d.x, 2) + parkedCost(d.q, 1) - 1)) // one of X and Q at a time
	for _, op := range []*protocol.Op{d.x, d.q, d.x} {
		if v := l.ingest(op, true); v != ignore(ReasonMissingPreds) {
			t.Fatalf("%s: %+v", d.names[op.Hash()], v)
		}
	}
	l.commit()
	stored, err := n.store.Pending()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range stored {
		got = append(got, d.names[op.Hash()])
		if !l.pending.has(op.Hash()) {
			t.Errorf("the store keeps %s, which the loop evicted", d.names[op.Hash()])
		}
	}
	if len(stored) != l.pending.len() || !l.pending.has(d.x.Hash()) {
		t.Fatalf("store pending %v, loop holds %d ops; want X alone in both", got, l.pending.len())
	}
}

// A parked op is written to the pending buffer only once it has waited
// saveAt; one whose preds come sooner never is; a stopping node writes
// every parked op.
func TestParkedOpsAreWrittenLate(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", nil)
	l.saveAt = time.Hour
	for _, op := range []*protocol.Op{d.x, d.q} {
		if v := l.ingest(op, true); v != ignore(ReasonMissingPreds) {
			t.Fatalf("%s: %+v", d.names[op.Hash()], v)
		}
	}
	l.commit()
	if got := n.store.PendingLen(); got != 0 {
		t.Fatalf("after a commit within saveAt: %d ops in the pending buffer, want 0", got)
	}
	l.ingest(d.p1, true) // Q's pred: Q is applied and never written
	l.commit()
	if got := n.store.PendingLen(); got != 0 || l.pending.len() != 1 {
		t.Fatalf("after P1: %d in the store, %d in the loop; want 0 and 1 (X)", got, l.pending.len())
	}
	l.saveAt = 0
	l.ingest(d.y, true)
	l.commit()
	if got := n.store.PendingLen(); got != 2 {
		t.Fatalf("once saveAt has passed: %d in the pending buffer, want 2 (X and Y)", got)
	}
	l.saveAt = time.Hour
	l.ingest(d.p2, true) // X's pred: X leaves the buffer, Y (citing X) too
	l.commit()
	if got := n.store.PendingLen(); got != 0 || l.pending.len() != 0 {
		t.Fatalf("after P2: %d in the store, %d in the loop; want 0 and 0", got, l.pending.len())
	}
	checkAllStored(t, l, n, d.ops)
}

// A stopping node writes the ops still parked, however recent.
func TestDrainWritesParkedOps(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", nil)
	l.saveAt = time.Hour
	l.ingest(d.x, true)
	l.drain()
	if got := n.store.PendingLen(); got != 1 {
		t.Fatalf("after drain: %d in the pending buffer, want 1", got)
	}
}
