package node

import (
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
	return &gossipBatcher{n: n, wake: make(chan struct{}, 1), done: n.ctx.Done(), opened: map[uint64]*gossipBatch{}}
}

// queueFor adds a job for raw from forwarder from to b's queue.
func (b *gossipBatcher) queueFor(from peer.ID, raw []byte) *gossipJob {
	j := &gossipJob{from: from, raw: raw, res: make(chan pubsub.ValidationResult, 1)}
	b.queue = append(b.queue, j)
	return j
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
	b.open(bt)
	b.hand(bt)
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
// before the one taken before it waits for it, and the worker that hands
// the earlier batch hands both.
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
	b.open(second)
	b.hand(second)
	if r, ok := answered(j2); ok {
		t.Fatalf("the second batch was judged (%s) before the first was handed", resultName(r))
	}
	b.open(first)
	b.hand(first)
	for i, j := range []*gossipJob{j1, j2} {
		if got, ok := answered(j); !ok || got != pubsub.ValidationAccept {
			t.Errorf("batch %d: %s (answered %v), want accept", i+1, resultName(got), ok)
		}
	}
	if got := n.Verdicts(); got["ignore/missing-preds"] != 0 || got["accept/accepted"] != 2 {
		t.Errorf("Verdicts = %v, want 2 accepted and none parked", got)
	}
}

// A forwarder that floods the validator takes no more than its share of
// a batch: an honest forwarder's op queued behind a hundred of the
// flooder's goes in the next batch, and each forwarder's ops keep their
// order.
func TestGossipBatchGivesEachForwarderItsShare(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "D", nil)
	b := idleBatcher(n)
	flooder, honest := peerOf(t, c, "B"), peerOf(t, c, "C")
	var flood []*gossipJob
	for range 100 {
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
