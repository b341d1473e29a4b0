package node

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// idleBatcher is a gossip batcher of n without workers: the test takes,
// opens and hands its batches itself, in the order it chooses.
func idleBatcher(n *Node) *gossipBatcher {
	return newIdleBatcher(n, 1, n.ctx.Done())
}

// queueFor adds a job for raw from forwarder from to b's queue.
func (b *gossipBatcher) queueFor(from peer.ID, raw []byte) *gossipJob {
	j := &gossipJob{from: from, raw: raw, res: make(chan pubsub.ValidationResult, 1)}
	b.queue = append(b.queue, j)
	return j
}

// openAndHand opens bt, leaves it to the hander and hands what is opened,
// as a worker and the hander would.
func (b *gossipBatcher) openAndHand(bt *gossipBatch) {
	b.open(bt)
	b.put(bt)
	b.handOpened()
}

// wantAccepted checks that every job in jobs is answered Accept, and that
// n counted that many accepted ops and parked none.
func wantAccepted(t *testing.T, n *Node, jobs ...*gossipJob) {
	t.Helper()
	for i, j := range jobs {
		if got, ok := answered(j); !ok || got != pubsub.ValidationAccept {
			t.Errorf("job %d: %s (answered %v), want accept", i, resultName(got), ok)
		}
	}
	if got := n.Verdicts(); got["ignore/missing-preds"] != 0 || got["accept/accepted"] != uint64(len(jobs)) {
		t.Errorf("Verdicts = %v, want %d accepted and none parked", got, len(jobs))
	}
}

// answered returns j's verdict, or false if it has none yet.
func answered(j *gossipJob) (pubsub.ValidationResult, bool) {
	select {
	case r := <-j.res:
		return r, true
	default:
		return 0, false
	}
}

// A batch holding an author's chain out of order, a forged op and a
// malformed one gives each op its own verdict, and judges the chain in
// causal order: no op of it waits in the pending set for a pred that came
// in the same batch.
func TestGossipBatchGivesEachOpItsVerdict(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	b1 := op(c.Advise("B", "one", protocol.TLPGreen))
	b2 := op(c.Advise("B", "two", protocol.TLPGreen))
	b3 := op(c.Advise("B", "three", protocol.TLPGreen))
	fresh := op(c.Advise("C", "forged on the way", protocol.TLPGreen))
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	B := peerOf(t, c, "B")
	jobs := []*gossipJob{
		b.queueFor(B, b3.Bytes()), b.queueFor(B, forge(fresh)), b.queueFor(B, b2.Bytes()),
		b.queueFor(B, []byte{0xff, 0x00}), b.queueFor(B, b1.Bytes()),
	}
	want := []pubsub.ValidationResult{pubsub.ValidationAccept, pubsub.ValidationReject, pubsub.ValidationAccept, pubsub.ValidationReject, pubsub.ValidationAccept}
	bt := b.take()
	if bt == nil || len(bt.jobs) != len(jobs) || len(b.queue) != 0 {
		t.Fatalf("take: %+v, %d left; want all %d jobs in one batch", bt, len(b.queue), len(jobs))
	}
	b.openAndHand(bt)
	for i, j := range jobs {
		if got, ok := answered(j); !ok || got != want[i] {
			t.Errorf("job %d: %s (answered %v), want %s", i, resultName(got), ok, resultName(want[i]))
		}
	}
	wantCounts := map[string]uint64{"accept/accepted": 3, "reject/bad-signature": 1, "reject/malformed": 1}
	if got := n.Verdicts(); !maps.Equal(got, wantCounts) {
		t.Errorf("Verdicts = %v, want %v", got, wantCounts)
	}
}

// Batches go to the loop in the order they were taken: a batch opened
// before the one taken before it waits for it, and the hander hands both
// in one turn once the earlier one is opened.
func TestGossipBatchesAreJudgedInTakeOrder(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	b1 := op(c.Advise("B", "one", protocol.TLPGreen))
	b2 := op(c.Advise("B", "two", protocol.TLPGreen))
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	B := peerOf(t, c, "B")
	j1 := b.queueFor(B, b1.Bytes())
	first := b.take()
	j2 := b.queueFor(B, b2.Bytes())
	second := b.take()
	b.openAndHand(second)
	if r, ok := answered(j2); ok {
		t.Fatalf("the second batch was judged (%s) before the first was handed", resultName(r))
	}
	b.openAndHand(first)
	wantAccepted(t, n, j1, j2)
}

// A burst of 128 gossiped ops waiting in the validator is taken in one
// batch, so that each signature of it costs what a batch of 128 costs,
// not a batch of 64 (docs/benchmarks.md, issue 19's fifth round).
func TestGossipBatchTakesABurstOf128AtOnce(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	B, C := peerOf(t, c, "B"), peerOf(t, c, "C")
	for i := range 129 {
		b.queueFor([]peer.ID{B, C}[i%2], []byte{0})
	}
	size := func(bt *gossipBatch) int {
		if bt == nil {
			return 0
		}
		return len(bt.jobs)
	}
	if got := size(b.take()); got != 128 {
		t.Fatalf("took a batch of %d of a burst of 129, want 128", got)
	}
	if got := size(b.take()); got != 1 {
		t.Fatalf("took a batch of %d after the first, want the one job left", got)
	}
}

// A forwarder that floods the validator takes no more than its share of
// a batch: an honest forwarder's op queued behind more than a batch of
// the flooder's goes in the next batch, and each forwarder's ops keep
// their order.
func TestGossipBatchGivesEachForwarderItsShare(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	flooder, honest := peerOf(t, c, "B"), peerOf(t, c, "C")
	var flood []*gossipJob
	for range maxGossipBatch + 36 {
		flood = append(flood, b.queueFor(flooder, []byte{0}))
	}
	h := b.queueFor(honest, []byte{1})
	first := b.take()
	if len(first.jobs) != maxGossipBatch || !slices.Contains(first.jobs, h) {
		t.Fatalf("the first batch holds %d jobs, the honest one: %v; want %d with it", len(first.jobs), slices.Contains(first.jobs, h), maxGossipBatch)
	}
	if want := append(flood[:maxGossipBatch-1:maxGossipBatch-1], h); !slices.Equal(first.jobs, want) {
		t.Error("the first batch is not the flooder's oldest jobs in order and the honest one")
	}
	second := b.take()
	if !slices.Equal(second.jobs, flood[maxGossipBatch-1:]) || b.take() != nil {
		t.Error("the second batch is not the rest of the flood in order")
	}
}

// The loop's turn takes every batch opened by the time it runs, in take
// order, as many as fit in Config.CommitBatch ops, and stops at a batch
// taken but not opened yet: ops opened while the loop committed the turn
// before go in one turn and one commit, not one turn per batch.
func TestGossipTurnTakesTheBatchesOpenedByThen(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	var chain []*protocol.Op
	for i := range 7 {
		chain = append(chain, op(c.Advise("B", fmt.Sprint("advisory ", i), protocol.TLPGreen)))
	}
	n := startNode(t, c, "D", func(cfg *Config) { cfg.CommitBatch = 4 })
	b := idleBatcher(n)
	B := peerOf(t, c, "B")
	var batches [][]*gossipJob
	var taken []*gossipBatch
	for _, ops := range [][]*protocol.Op{chain[:2], chain[2:4], chain[4:5], chain[5:7]} {
		var jobs []*gossipJob
		for _, o := range ops {
			jobs = append(jobs, b.queueFor(B, o.Bytes()))
		}
		batches = append(batches, jobs)
		taken = append(taken, b.take())
	}
	for _, bt := range taken[:3] { // the fourth is still being opened
		b.open(bt)
		b.put(bt)
	}
	turn := func() []*gossipJob {
		var tn gossipTurn
		if err := n.doNow(context.Background(), func(l *loop) { tn = b.turn(l) }); err != nil {
			t.Fatal(err)
		}
		tn.tell(n, nil)
		return tn.jobs
	}
	if got, want := turn(), slices.Concat(batches[0], batches[1]); !slices.Equal(got, want) {
		t.Fatalf("the first turn took %d jobs, want the first two batches' %d (CommitBatch 4)", len(got), len(want))
	}
	if got := turn(); !slices.Equal(got, batches[2]) {
		t.Fatalf("the second turn took %d jobs, want the third batch's 1: the fourth is not opened", len(got))
	}
	if got := turn(); len(got) != 0 {
		t.Fatalf("a turn took %d jobs of a batch not opened yet", len(got))
	}
	b.openAndHand(taken[3])
	wantAccepted(t, n, slices.Concat(batches...)...)
}

// While the hander hands a turn to the loop, a worker takes only a full
// batch: fewer ops wait for the next turn, and are taken once the hander
// has no opened batch left to hand, which wakes a worker for them.
func TestGossipTakeWaitsForAFullBatchWhileHanding(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	B := peerOf(t, c, "B")
	b.handing = true
	for range maxGossipBatch - 1 {
		b.queueFor(B, []byte{0})
	}
	if bt := b.take(); bt != nil {
		t.Fatalf("took a batch of %d while handing, want none below %d", len(bt.jobs), maxGossipBatch)
	}
	b.queueFor(B, []byte{0})
	if bt := b.take(); bt == nil || len(bt.jobs) != maxGossipBatch {
		t.Fatalf("took %v while handing with a full batch waiting, want %d jobs", bt, maxGossipBatch)
	}
	few := b.queueFor(B, []byte{0})
	if b.startTurn() {
		t.Fatal("startTurn reports a batch to hand, with none opened")
	}
	select {
	case <-b.wake:
	default:
		t.Fatal("the hander, done, left no token for a worker with an op waiting")
	}
	if bt := b.take(); bt == nil || len(bt.jobs) != 1 || bt.jobs[0] != few {
		t.Fatalf("took %v once the hander was done, want the one op waiting", bt)
	}
}

// A panic while answering a turn's jobs answers Ignore those not
// answered yet, counts the panic and leaves the node running: the
// validator never panics the daemon.
func TestGossipTurnTellSurvivesAPanic(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "D", nil)
	B := peerOf(t, c, "B")
	j := &gossipJob{from: B, res: make(chan pubsub.ValidationResult, 1)}
	bad := gossipTurn{jobs: []*gossipJob{j}, ops: []*protocol.Op{nil}, judged: []int{1}, vs: []Verdict{accept()}} // judged names no job
	bad.tell(n, nil)
	if got, ok := answered(j); !ok || got != pubsub.ValidationIgnore {
		t.Errorf("job: %s (answered %v), want ignore", resultName(got), ok)
	}
	if got := n.Verdicts()["ignore/panic"]; got != 1 {
		t.Errorf("ignore/panic = %d, want 1 (verdicts %v)", got, n.Verdicts())
	}
	if err := n.Err(); err != nil {
		t.Errorf("the node stopped: %v", err)
	}
}
