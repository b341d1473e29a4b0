package node

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// gossipBatcher opens and judges the gossiped ops that wait in the
// validator, gathered opportunistically. Pubsub validates each message on
// a goroutine of its own, so during a burst many validations wait at once:
// a worker that becomes free takes every op waiting then (up to
// maxGossipBatch), checks their signatures in one batch
// (protocol.OpenBatch, which falls back to checking them one by one to
// name a bad one), and the good ones go to the loop in one turn. A lone op
// is taken at once by a free worker, alone: gathering adds no wait. Each
// op keeps its own message and its own verdict: the batch is only how the
// work is done.
//
// A worker leaves each batch it opened to the hander, one goroutine that
// hands the opened batches to the loop, and takes more work at once: it
// never waits for the loop. The hander's turn takes the batches opened by
// the time the loop runs it, not by the time it was queued: while the
// loop commits the ops of the turn before (a store write and a sync), the
// workers open what arrives meanwhile, and all of it, up to
// Config.CommitBatch ops, goes in the next turn and its one commit.
//
// Batches go to the loop in the order they were taken, whichever worker
// finishes first: the hander waits for a batch opened late and hands
// those taken after it with it. Pubsub validates concurrently, so an
// author's ops published in order reach the validator a little out of
// order; taken in order, and in causal order within a turn, they seldom
// wait in the pending set for a pred that is already here.
type gossipBatcher struct {
	n     *Node
	wake  chan struct{}   // one token per worker that may sleep with ops queued
	ready chan struct{}   // a token when a batch may be ready to hand
	done  <-chan struct{} // the node is stopping

	mu      sync.Mutex
	queue   []*gossipJob
	taken   uint64                  // batches taken so far
	next    uint64                  // the batch to hand to the loop next
	opened  map[uint64]*gossipBatch // opened, not yet handed
	handing bool                    // the hander is handing a turn to the loop
}

// gossipJob is one gossiped op waiting in the validator for its verdict.
type gossipJob struct {
	from peer.ID
	raw  []byte
	res  chan pubsub.ValidationResult // holds the verdict: answer never waits
}

// gossipBatch is the jobs one worker took at once, and once opened, those
// still to judge with their ops.
type gossipBatch struct {
	seq  uint64
	jobs []*gossipJob
	ops  []*protocol.Op
}

// maxGossipBatch bounds the ops one worker takes at once: enough for most
// of what batch verification saves (protocol's BenchmarkVerifyBatch: a
// signature costs about 29 µs in a batch of 64, 21 µs in one of 256,
// against 38 µs alone), few enough that one batch's checks take about
// 3.5 ms of a core, and that a burst is taken in two batches at least
// when 256 ops are in flight (the benchmark's feeder), so that one is
// opened while the other is judged. A lone op is taken alone whatever it
// is. In BenchmarkGossipIngest and BenchmarkIngestGossip, 128 spent less
// CPU per op than 64 (docs/benchmarks.md, issue 19's fifth round).
const maxGossipBatch = 128

// newGossipBatcher starts one worker per two cores (at least one) and the
// hander; they stop when ctx ends. Gossip ingest is bound by pubsub, the
// loop and the store as much as by signatures, so fewer workers than
// cores keep up, and they gather larger batches, each signature cheaper:
// in BenchmarkGossipIngest on two cores, one worker spent 15 % less CPU
// per op than two.
func newGossipBatcher(ctx context.Context, n *Node, wg *sync.WaitGroup) *gossipBatcher {
	workers := max(1, runtime.GOMAXPROCS(0)/2)
	b := newIdleBatcher(n, workers, ctx.Done())
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-b.wake:
					for bt := b.take(); bt != nil; bt = b.take() {
						b.open(bt)
						b.put(bt)
					}
				case <-b.done:
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-b.ready:
				b.handOpened()
			case <-b.done:
				return
			}
		}
	}()
	return b
}

// newIdleBatcher returns a batcher for n with room for workers' tokens
// and no goroutine: its caller takes, opens and hands the batches.
func newIdleBatcher(n *Node, workers int, done <-chan struct{}) *gossipBatcher {
	return &gossipBatcher{n: n, wake: make(chan struct{}, workers), ready: make(chan struct{}, 1), done: done, opened: map[uint64]*gossipBatch{}}
}

// verdict queues one gossiped op from forwarder from and waits for its
// verdict; Ignore if the node stops or ctx ends first.
func (b *gossipBatcher) verdict(ctx context.Context, from peer.ID, raw []byte) pubsub.ValidationResult {
	j := &gossipJob{from: from, raw: raw, res: make(chan pubsub.ValidationResult, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, j)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // every worker has a token: one will take this op
	}
	select {
	case r := <-j.res:
		return r
	case <-ctx.Done():
	case <-b.done:
	}
	return pubsub.ValidationIgnore
}

// take removes the ops waiting, up to maxGossipBatch, and returns them as
// the next batch, or nil if none waits. While the hander hands a turn to
// the loop, it takes only a full batch: the ops wait for the loop's next
// turn anyway, and a larger batch checks each signature for less. It
// leaves a token for another worker when more ops wait. When more wait
// than a batch holds, each forwarder gets an equal share of it
// (fairShare), oldest first: a peer that floods the validator delays the
// other forwarders' ops by a batch at most, not by everything it queued
// before them.
func (b *gossipBatcher) take() *gossipBatch {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 || b.handing && len(b.queue) < maxGossipBatch {
		return nil
	}
	bt := &gossipBatch{seq: b.taken}
	b.taken++
	if len(b.queue) <= maxGossipBatch {
		bt.jobs, b.queue = b.queue, nil
		return bt
	}
	share := fairShare(b.queue, maxGossipBatch)
	took := map[peer.ID]int{}
	bt.jobs = make([]*gossipJob, 0, maxGossipBatch)
	rest := b.queue[:0]
	for _, j := range b.queue {
		if len(bt.jobs) < maxGossipBatch && took[j.from] < share {
			took[j.from]++
			bt.jobs = append(bt.jobs, j)
		} else {
			rest = append(rest, j)
		}
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return bt
}

// fairShare returns the fewest jobs per forwarder that let a batch of at
// most k take k of queue's jobs (more than k wait): a forwarder with
// fewer jobs waiting has them all taken, and the others share the rest.
func fairShare(queue []*gossipJob, k int) int {
	per := map[peer.ID]int{}
	for _, j := range queue {
		per[j.from]++
	}
	share := 1
	for {
		n := 0
		for _, c := range per {
			n += min(c, share)
		}
		if n >= k {
			return share
		}
		share++
	}
}

// open decodes and verifies bt's ops, answers the jobs whose op is bad,
// and keeps the rest in bt with their ops. A panic opens the jobs again
// one by one, so that only the op that panics is rejected (ReasonPanic).
func (b *gossipBatcher) open(bt *gossipBatch) {
	jobs := bt.jobs
	bt.jobs, bt.ops = nil, nil
	if len(jobs) == 1 {
		j := jobs[0]
		op, err := b.openOne(j)
		b.keep(bt, j, op, err)
		return
	}
	raw := make([][]byte, len(jobs))
	for i, j := range jobs {
		raw[i] = j.raw
	}
	ops, errs, ok := b.openMany(raw)
	for i, j := range jobs {
		if !ok {
			ops[i], errs[i] = b.openOne(j)
		}
		b.keep(bt, j, ops[i], errs[i])
	}
}

// errPanicked stands for an op whose opening panicked; it is answered
// already.
var errPanicked = errors.New("node: opening a gossiped op panicked")

// openMany is protocol.OpenBatch; ok is false if it panicked.
func (b *gossipBatcher) openMany(raw [][]byte) (ops []*protocol.Op, errs []error, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ops, errs, ok = make([]*protocol.Op, len(raw)), make([]error, len(raw)), false
		}
	}()
	ops, errs = protocol.OpenBatch(raw, b.n.group)
	return ops, errs, true
}

// openOne is protocol.Open for j's op; a panic is counted, and j rejected.
func (b *gossipBatcher) openOne(j *gossipJob) (op *protocol.Op, err error) {
	defer func() {
		if r := recover(); r != nil {
			b.n.log.Error("validator panic", "forwarder", b.n.peerName(j.from), "panic", fmt.Sprint(r))
			b.n.verdicts.add(reject(ReasonPanic))
			answer(j, pubsub.ValidationReject)
			op, err = nil, errPanicked
		}
	}()
	return protocol.Open(j.raw, b.n.group)
}

// keep adds j and its opened op to bt, or answers j if the op is bad.
func (b *gossipBatcher) keep(bt *gossipBatch, j *gossipJob, op *protocol.Op, err error) {
	switch {
	case errors.Is(err, errPanicked):
	case err != nil:
		v := openVerdict(err)
		b.n.verdicts.add(v)
		b.n.log.Debug("op rejected", "forwarder", b.n.peerName(j.from), "reason", v.Reason, "err", err)
		answer(j, v.Result)
	default:
		bt.jobs, bt.ops = append(bt.jobs, j), append(bt.ops, op)
	}
}

// put leaves the opened batch bt to the hander.
func (b *gossipBatcher) put(bt *gossipBatch) {
	b.mu.Lock()
	b.opened[bt.seq] = bt
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default: // the hander has a token: it will see bt
	}
}

// handOpened hands the opened batches to the loop, a turn at a time,
// until none is left (gossipTurn). Only the hander calls it (a test may,
// in its place). When it is done, a worker takes what waits.
func (b *gossipBatcher) handOpened() {
	for b.startTurn() {
		var t gossipTurn
		err := b.n.doNow(context.Background(), func(l *loop) { t = b.turn(l) })
		t.tell(b.n, err)
		if err != nil { // the loop has stopped: the verdicts still waiting are Ignore (verdict)
			return
		}
	}
}

// startTurn reports whether an opened batch waits to be handed, and
// notes whether the hander is handing. When none waits and ops do, it
// wakes a worker: take held them back for the turn that has ended.
func (b *gossipBatcher) startTurn() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handing = b.opened[b.next] != nil
	if !b.handing && len(b.queue) > 0 {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	return b.handing
}

// gossipTurn is one turn of the loop's: the opened jobs it took and
// their ops, and each judged op's verdict (the others are answered).
type gossipTurn struct {
	jobs   []*gossipJob
	ops    []*protocol.Op
	judged []int // the indexes of the jobs the loop judged, in order
	vs     []Verdict
}

// turn runs in the loop: it takes the batches opened by now, in the
// order they were taken, up to the first not opened yet and as many as
// fit in Config.CommitBatch ops (at least one batch), and judges their
// ops together (admissible, then loop.ingestAll); tell answers them.
func (b *gossipBatcher) turn(l *loop) gossipTurn {
	var t gossipTurn
	b.mu.Lock()
	for bt := b.opened[b.next]; bt != nil && (len(t.jobs) == 0 || len(t.jobs)+len(bt.jobs) <= l.n.cfg.CommitBatch); bt = b.opened[b.next] {
		t.jobs, t.ops = append(t.jobs, bt.jobs...), append(t.ops, bt.ops...)
		delete(b.opened, b.next)
		b.next++
	}
	b.mu.Unlock()
	t.judged = b.admissible(l, t.jobs, t.ops)
	ordered := make([]*protocol.Op, len(t.judged))
	for k, i := range t.judged {
		ordered[k] = t.ops[i]
	}
	t.vs = l.ingestAll(ordered, func(k int) peer.ID { return t.jobs[t.judged[k]].from }, true)
	return t
}

// admissible returns the indexes of the ops of jobs to judge, in causal
// order among themselves (judged as ingestAll judges a batch): the ops
// deferred for a low disk or refused for their author's pace are
// answered Ignore first, in the same order, so that the pace lets an
// author's earliest ops through. A panic answers every job Ignore and
// judges none.
func (b *gossipBatcher) admissible(l *loop, jobs []*gossipJob, ops []*protocol.Op) (order []int) {
	defer func() {
		if r := recover(); r != nil {
			b.n.log.Error("gossip batch panic", "ops", len(ops), "panic", fmt.Sprint(r))
			b.n.verdicts.add(ignore(ReasonPanic))
			for _, j := range jobs {
				answer(j, pubsub.ValidationIgnore)
			}
			order = nil
		}
	}()
	at := make(map[protocol.Hash][]int, len(ops))
	for i, op := range ops {
		at[op.Hash()] = append(at[op.Hash()], i)
	}
	for _, op := range causalOrder(ops) {
		for _, i := range at[op.Hash()] {
			if b.n.deferredForDisk(op) || b.n.pacedUnless(jobs[i].from, op, l.eng.Has) {
				answer(jobs[i], pubsub.ValidationIgnore)
				continue
			}
			order = append(order, i)
		}
	}
	return order
}

// tell answers each job the loop judged in t with its op's verdict, once
// the loop has judged them and before their commit, so that pubsub
// forwards an accepted op without waiting for this node's disk. That is
// safe for another member's op: its author stored it before sending it,
// and had this node's commit failed, the node stops and syncs the op
// again when restarted. A node's own ops, and every op a user or a sync
// waits for, are answered only once durable (submit). A forwarder of ops
// that miss preds is asked for them once. If the loop did not run the
// turn (err), its jobs are answered Ignore; a panic answers Ignore the
// jobs not answered yet.
func (t *gossipTurn) tell(n *Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("gossip batch panic", "ops", len(t.ops), "panic", fmt.Sprint(r))
			n.verdicts.add(ignore(ReasonPanic))
			for _, j := range t.jobs {
				answer(j, pubsub.ValidationIgnore)
			}
		}
	}()
	if err != nil {
		for _, j := range t.jobs {
			answer(j, pubsub.ValidationIgnore)
		}
		return
	}
	var fetched map[peer.ID]bool
	for k, i := range t.judged {
		j, v := t.jobs[i], t.vs[k]
		n.verdicts.add(v)
		switch {
		case v.Reason == ReasonMissingPreds && !fetched[j.from]:
			if fetched == nil {
				fetched = map[peer.ID]bool{}
			}
			fetched[j.from] = true
			n.sync.fetch(j.from)
		case v.Result == pubsub.ValidationReject:
			n.log.Info("op rejected", "op", t.ops[i], "forwarder", n.peerName(j.from), "reason", v.Reason)
		}
		answer(j, v.Result)
	}
}

// answer gives j its verdict, unless it has one.
func answer(j *gossipJob, r pubsub.ValidationResult) {
	select {
	case j.res <- r:
	default:
	}
}
