package node

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// diamond is a small history of advisories in circle {A, B, C, D}; the
// node under test is D, which authored nothing:
//
//	P1 (A)   P2 (B)
//	 |  \    /  |
//	 |    X (C) |     X waits on two preds of different authors
//	Q (A)   |   |
//	   \    |   /
//	     Y (B)        Y cites X, Q and its own prev P2
type diamond struct {
	c               *trusttest.Circle
	p1, p2, x, q, y *protocol.Op
	ops             []*protocol.Op // creation order, which is causal
	names           map[protocol.Hash]string
}

func newDiamond(t *testing.T) *diamond {
	t.Helper()
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	d := &diamond{c: c}
	d.p1 = op(c.Advise("A", "P1", protocol.TLPGreen))
	d.p2 = op(c.Advise("B", "P2", protocol.TLPGreen))
	syncActor(t, c, "C", "A", "B")
	d.x = op(c.Advise("C", "X", protocol.TLPGreen))
	d.q = op(c.Advise("A", "Q", protocol.TLPGreen))
	syncActor(t, c, "B", "C", "A")
	d.y = op(c.Advise("B", "Y", protocol.TLPGreen))
	d.ops = []*protocol.Op{d.p1, d.p2, d.x, d.q, d.y}
	d.names = map[protocol.Hash]string{d.p1.Hash(): "P1", d.p2.Hash(): "P2", d.x.Hash(): "X", d.q.Hash(): "Q", d.y.Hash(): "Y"}

	// The shape is what the picture says.
	if want := protocol.SortPreds([]protocol.Hash{d.p1.Hash(), d.p2.Hash()}); !slices.Equal(d.x.Preds, want) {
		t.Fatalf("X cites %v, want P1 and P2", d.x.Preds)
	}
	if want := protocol.SortPreds([]protocol.Hash{d.p2.Hash(), d.x.Hash(), d.q.Hash()}); !slices.Equal(d.y.Preds, want) {
		t.Fatalf("Y cites %v, want P2, X and Q", d.y.Preds)
	}
	return d
}

func (d *diamond) order(ops []*protocol.Op) string {
	var s []string
	for _, op := range ops {
		s = append(s, d.names[op.Hash()])
	}
	return fmt.Sprint(s)
}

// TestLoopIngestEveryOrder feeds the diamond to a fresh loop in every
// order, committing after each op or once at the end: each op waits in
// the pending buffer until its preds are applied, and the store ends up
// holding all of them, in causal order, with the buffer empty.
func TestLoopIngestEveryOrder(t *testing.T) {
	d := newDiamond(t)
	perms := permutations(d.ops)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(perms), func(i, j int) { perms[i], perms[j] = perms[j], perms[i] })
	// Every order costs a store; a sample keeps the test fast under -race,
	// and the reverse order (the worst case) is always in it.
	sample := append([][]*protocol.Op{reversed(d.ops)}, perms[:24]...)
	for i, order := range sample {
		commitEach := i%2 == 0
		t.Run(fmt.Sprintf("%s/commitEach=%v", d.order(order), commitEach), func(t *testing.T) {
			l, n := newTestLoop(t, d.c, "D", "", nil)
			for _, op := range order {
				missing := len(l.eng.Missing(op)) > 0
				v := l.ingest(op, true)
				switch {
				case missing && v != ignore(ReasonMissingPreds):
					t.Fatalf("%s with preds missing: %+v, want ignore/missing-preds", d.names[op.Hash()], v)
				case !missing && v != accept():
					t.Fatalf("%s with preds present: %+v, want accept", d.names[op.Hash()], v)
				}
				if commitEach {
					l.commit()
				}
			}
			l.commit()
			if err := n.Err(); err != nil {
				t.Fatalf("the node failed: %v", err)
			}
			checkAllStored(t, l, n, d.ops)
		})
	}
}

// checkAllStored checks that the store holds the genesis and ops, in
// causal order, and that nothing is pending any more.
func checkAllStored(t *testing.T, l *loop, n *Node, ops []*protocol.Op) {
	t.Helper()
	order := storedOrder(t, n.store)
	if len(order) != len(ops)+1 {
		t.Fatalf("the store holds %d ops, want %d", len(order), len(ops)+1)
	}
	for _, op := range ops {
		if ok, err := n.store.Has(op.Hash()); err != nil || !ok {
			t.Fatalf("store.Has(%s) = %v, %v", op, ok, err)
		}
		if !l.eng.Live(op.Hash()) {
			t.Errorf("%s is not live", op)
		}
	}
	if got := n.store.PendingLen(); got != 0 {
		t.Errorf("store.PendingLen = %d, want 0", got)
	}
	if l.pending.len() != 0 || len(l.pending.waiting) != 0 {
		t.Errorf("the loop still holds %d pending ops waiting on %d preds", l.pending.len(), len(l.pending.waiting))
	}
}

func permutations(ops []*protocol.Op) [][]*protocol.Op {
	if len(ops) <= 1 {
		return [][]*protocol.Op{slices.Clone(ops)}
	}
	var out [][]*protocol.Op
	for i := range ops {
		rest := append(slices.Clone(ops[:i]), ops[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]*protocol.Op{ops[i]}, p...))
		}
	}
	return out
}

func reversed(ops []*protocol.Op) []*protocol.Op {
	out := slices.Clone(ops)
	slices.Reverse(out)
	return out
}

// TestLoopWanted checks that the loop asks for the preds its pending ops
// miss, and not for ops it holds in the pending buffer.
func TestLoopWanted(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", nil)
	l.saveAt = 0 // parked ops are written at the next commit
	for _, op := range []*protocol.Op{d.y, d.x, d.q} {
		if v := l.ingest(op, true); v != ignore(ReasonMissingPreds) {
			t.Fatalf("%s: %+v, want missing-preds", d.names[op.Hash()], v)
		}
	}
	// A second delivery of a pending op is still missing its preds, and
	// not parked twice.
	if v := l.ingest(d.x, true); v != ignore(ReasonMissingPreds) {
		t.Fatalf("X again: %+v", v)
	}
	l.commit() // writes the parked ops to the store's pending buffer
	if got := n.store.PendingLen(); got != 3 {
		t.Fatalf("store.PendingLen = %d, want 3", got)
	}
	want := protocol.SortPreds([]protocol.Hash{d.p1.Hash(), d.p2.Hash()})
	if got := l.wantedOf(self); !slices.Equal(got, want) {
		t.Fatalf("wanted = %v, want P1 and P2", got)
	}
	l.ingest(d.p2, true)
	if got := l.wantedOf(self); !slices.Equal(got, []protocol.Hash{d.p1.Hash()}) {
		t.Fatalf("wanted after P2 = %v, want P1", got)
	}
	l.ingest(d.p1, true)
	if got := l.wantedOf(self); len(got) != 0 {
		t.Fatalf("wanted after P1 = %v, want nothing", got)
	}
	l.commit()
	checkAllStored(t, l, n, d.ops)
}

// TestLoopPendingEviction checks that an op evicted from a full pending
// buffer leaves the loop too, and is applied once it comes again.
func TestLoopPendingEviction(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", func(o *store.Options) { o.PendingMax = 2 })
	l.saveAt = 0                                       // parked ops are written at the next commit
	for _, op := range []*protocol.Op{d.y, d.x, d.q} { // Y is evicted
		l.ingest(op, true)
	}
	l.commit() // the store's buffer keeps the newest 2; the loop follows
	if got := n.store.PendingLen(); got != 2 || l.pending.len() != 2 {
		t.Fatalf("pending: store %d, loop %d; want 2 and 2", got, l.pending.len())
	}
	if l.pending.has(d.y.Hash()) {
		t.Fatal("the oldest pending op was not evicted from the loop")
	}
	l.ingest(d.p1, true)
	if v := l.ingest(d.p2, true); v != accept() {
		t.Fatalf("P2: %+v", v)
	}
	l.commit()
	if ok, _ := n.store.Has(d.y.Hash()); ok {
		t.Fatal("the evicted op was applied")
	}
	if v := l.ingest(d.y, true); v != accept() {
		t.Fatalf("the evicted op, again: %+v, want accept", v)
	}
	l.commit()
	checkAllStored(t, l, n, d.ops)
}

// TestLoopPendingSurvivesRestart parks ops, reopens the store, and checks
// that the reloaded loop applies them once their preds arrive.
func TestLoopPendingSurvivesRestart(t *testing.T) {
	d := newDiamond(t)
	dir := t.TempDir()
	l, n := newTestLoop(t, d.c, "D", dir, nil)
	l.saveAt = 0 // parked ops are written at the next commit
	for _, op := range []*protocol.Op{d.y, d.x} {
		l.ingest(op, true)
	}
	l.ingest(d.p2, true)
	l.commit()
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}
	l, n = newTestLoop(t, d.c, "D", dir, nil)
	if l.pending.len() != 2 || n.store.PendingLen() != 2 {
		t.Fatalf("after restart: %d pending in the loop, %d in the store; want 2", l.pending.len(), n.store.PendingLen())
	}
	if !l.eng.Has(d.p2.Hash()) {
		t.Fatal("P2 was lost")
	}
	l.ingest(d.q, true) // cites P1, missing
	if v := l.ingest(d.p1, true); v != accept() {
		t.Fatalf("P1: %+v", v)
	}
	l.commit()
	checkAllStored(t, l, n, d.ops)
}

// TestLoopStalePendingEntry: the loop commits its ops and then, in a
// second write, deletes the unparked ones from the pending buffer. A crash
// between the two leaves a stored op in the buffer. After a restart it is
// judged a duplicate, and should leave the buffer.
func TestLoopStalePendingEntry(t *testing.T) {
	d := newDiamond(t)
	dir := t.TempDir()
	l, n := newTestLoop(t, d.c, "D", dir, nil)
	l.ingest(d.p1, true)
	l.commit()
	// The crash: the op is stored and still in the pending buffer.
	if _, err := n.store.PutPending(d.p1); err != nil {
		t.Fatal(err)
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}
	_, n = newTestLoop(t, d.c, "D", dir, nil)
	if got := n.store.PendingLen(); got != 0 {
		t.Errorf("after restart the pending buffer holds %d ops that are already stored, want 0", got)
	}
}

// TestSubmitReverseOrder drives a real node's loop through submit, one op
// at a time in reverse causal order: the verdicts are missing-preds until
// the last op completes the past, then every op is stored in causal order,
// the pending buffer is empty, a second delivery is a duplicate, and
// Verdicts counts it all.
func TestSubmitReverseOrder(t *testing.T) {
	d := newDiamond(t)
	n := startNode(t, d.c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	order := []*protocol.Op{d.y, d.x, d.q, d.p2, d.p1}
	want := []Verdict{ignore(ReasonMissingPreds), ignore(ReasonMissingPreds), ignore(ReasonMissingPreds), accept(), accept()}
	for i, op := range order {
		vs, err := n.submit(ctx, []*protocol.Op{op})
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		if vs[0] != want[i] {
			t.Errorf("%s: %+v, want %+v", d.names[op.Hash()], vs[0], want[i])
		}
	}
	vs, err := n.submit(ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v != ignore(ReasonDuplicate) {
			t.Errorf("%s again: %+v, want duplicate", d.names[order[i].Hash()], v)
		}
	}
	if err := n.Err(); err != nil {
		t.Fatalf("the node failed: %v", err)
	}
	order2 := storedOrder(t, n.store)
	if len(order2) != len(d.ops)+1 {
		t.Fatalf("the store holds %d ops, want %d", len(order2), len(d.ops)+1)
	}
	for _, op := range d.ops {
		live, err := n.Live(ctx, op.Hash())
		if err != nil || !live {
			t.Errorf("Live(%s) = %v, %v", d.names[op.Hash()], live, err)
		}
	}
	if got := n.store.PendingLen(); got != 0 {
		t.Errorf("PendingLen = %d, want 0", got)
	}
	wantCounts := map[string]uint64{"ignore/missing-preds": 3, "accept/accepted": 2, "ignore/duplicate": 5}
	if got := n.Verdicts(); !maps.Equal(got, wantCounts) {
		t.Errorf("Verdicts = %v, want %v", got, wantCounts)
	}
}

// TestSubmitShuffledBatch submits the whole diamond in one shuffled
// batch, as a sync response might arrive unsorted.
func TestSubmitShuffledBatch(t *testing.T) {
	d := newDiamond(t)
	n := startNode(t, d.c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	batch := []*protocol.Op{d.q, d.y, d.p2, d.x, d.p1}
	vs, err := n.submit(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, v := range vs {
		switch v {
		case accept():
			accepted++
		case ignore(ReasonMissingPreds):
		default:
			t.Errorf("verdict %+v", v)
		}
	}
	if accepted == 0 {
		t.Error("no op accepted")
	}
	if err := n.Err(); err != nil {
		t.Fatalf("the node failed: %v", err)
	}
	if got := len(storedOrder(t, n.store)); got != len(d.ops)+1 {
		t.Fatalf("the store holds %d ops, want %d", got, len(d.ops)+1)
	}
	if got := n.store.PendingLen(); got != 0 {
		t.Errorf("PendingLen = %d, want 0", got)
	}
	if st := n.State(); !st.InSharingSet(d.c.Actor("D").Key) {
		t.Error("D is not in its own sharing set")
	}
}
