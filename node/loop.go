package node

import (
	"context"
	"fmt"
	"maps"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// loop owns the node's mutable log state. Work arrives as functions on
// Node.work; the loop runs them one at a time and commits the ops they
// applied in one store write, then runs their continuations: persist,
// then tell (raft's Ready order). Nothing outside the loop goroutine
// touches these fields.
type loop struct {
	n   *Node
	eng *trust.Engine

	pending map[protocol.Hash]*protocol.Op    // ops waiting for preds
	waiting map[protocol.Hash][]protocol.Hash // missing pred -> pending ops
	blocks  map[protocol.Key]store.Block

	seq  uint64         // own chain: last applied seq
	last *protocol.Hash // and its hash

	batch      []*protocol.Op // applied, not yet committed
	unparked   []protocol.Hash
	membership bool          // batch holds a membership op
	after      []func(error) // continuations, run after the commit
}

// newLoop loads the store: it applies the genesis to an empty store, then
// rebuilds the engine, the own chain, the pending buffer and the blocks.
func newLoop(n *Node) (*loop, error) {
	l := &loop{n: n, pending: map[protocol.Hash]*protocol.Op{}, waiting: map[protocol.Hash][]protocol.Hash{}}
	size, err := n.store.Len()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if size == 0 {
		if err := n.store.Put(n.genesis); err != nil {
			return nil, fmt.Errorf("node: storing the genesis: %w", err)
		}
	}
	if l.eng, err = trust.Load(n.store); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if l.eng.Group() != n.group {
		return nil, fmt.Errorf("node: the store holds circle %s, the config names %s", l.eng.Group().Short(), n.group.Short())
	}
	if err := l.loadChain(); err != nil {
		return nil, err
	}
	if l.blocks, err = n.store.Blocks(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := l.loadPending(); err != nil {
		return nil, err
	}
	return l, l.checkReserved()
}

// loadPending re-judges the ops that waited for preds when the node
// stopped. An op already stored (the node stopped between storing it and
// clearing it from the buffer) is cleared now.
func (l *loop) loadPending() error {
	pend, err := l.n.store.Pending()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	var stale []protocol.Hash
	for _, op := range pend {
		if v := l.ingest(op); v.Reason == "duplicate" {
			stale = append(stale, op.Hash())
		}
	}
	if len(stale) > 0 {
		if err := l.n.store.DeletePending(stale...); err != nil {
			return fmt.Errorf("node: %w", err)
		}
	}
	if len(l.batch) > 0 {
		l.commit()
	}
	return l.n.Err()
}

// loadChain finds the node's own last op. The seq persisted before the last
// signing tells whether a signed op may be out there that this store lacks.
func (l *loop) loadChain() error {
	tips, err := l.n.store.Tips()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if t, ok := tips[l.n.key]; ok {
		if len(t.Hashes) != 1 {
			return fmt.Errorf("node: this node's own chain forks at seq %d; refusing to sign more", t.Seq)
		}
		l.seq, l.last = t.Seq, &t.Hashes[0]
	}
	return nil
}

// checkReserved compares the seq persisted before the last signing with the
// own chain and the pending buffer.
func (l *loop) checkReserved() error {
	next, err := l.n.store.NextSeq()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if next > l.seq+1 && l.outstanding() == nil {
		// The node reserved seq next-1 and stopped before storing the op.
		// It never sends an op it has not stored, so the seq is free again.
		l.n.log.Warn("reserved seq was never stored; reusing it", "reserved", next-1, "last", l.seq)
	}
	return nil
}

// outstanding returns an op of this node's own that is signed and sent but
// not yet applied here (an applicant's Admit enactment awaiting its past).
func (l *loop) outstanding() *protocol.Op {
	for _, op := range l.pending {
		if op.Author == l.n.key && op.Seq > l.seq {
			return op
		}
	}
	return nil
}

// run executes work until the node stops, committing after each burst.
func (l *loop) run() {
	defer close(l.n.loopDone)
	for {
		select {
		case <-l.n.ctx.Done():
			l.drain()
			return
		case f := <-l.n.work:
			f(l)
		burst:
			for len(l.batch) < l.n.cfg.CommitBatch {
				select {
				case f := <-l.n.work:
					f(l)
				default:
					break burst
				}
			}
			l.commit()
		}
	}
}

// drain commits what was applied before the node stopped, so no caller is
// left waiting on a continuation.
func (l *loop) drain() {
	for {
		select {
		case f := <-l.n.work:
			f(l)
		default:
			l.commit()
			return
		}
	}
}

// do runs f in the loop and waits for its commit. f may register
// continuations with l.after.
func (n *Node) do(ctx context.Context, f func(*loop)) error {
	done := make(chan error, 1)
	work := func(l *loop) {
		f(l)
		l.after = append(l.after, func(err error) { done <- err })
	}
	select {
	case n.work <- work:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.loopDone:
		return ErrClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-n.loopDone:
		// The loop drains work before it stops; whatever it did not run
		// never will.
		select {
		case err := <-done:
			return err
		default:
			return ErrClosed
		}
	}
}

// commit writes the batch in one store write, then publishes the new
// State and admission, then runs the continuations.
func (l *loop) commit() {
	err := l.put()
	if err != nil {
		l.n.fail(err)
	}
	if err == nil && len(l.unparked) > 0 {
		if derr := l.n.store.DeletePending(l.unparked...); derr != nil {
			l.n.log.Warn("pending buffer cleanup", "err", derr)
		}
	}
	changed := len(l.batch) > 0
	if l.membership {
		st := l.eng.State()
		l.n.state.Store(st)
		l.n.enforce(l.admission())
		if l.n.topic != nil {
			l.n.joinGossip(st)
		}
	}
	after := l.after
	l.batch, l.unparked, l.membership, l.after = nil, nil, false, nil
	for _, f := range after {
		f(err)
	}
	if changed {
		l.n.afterChange()
	}
}

// maxCommitBytes bounds the op bytes of one store write of several ops, well
// inside badger's transaction limit (a share of the memtable). A larger op
// is written alone.
const maxCommitBytes = 512 << 10

// put writes the batch in order, in store writes of at most maxCommitBytes
// (or one op), so that each write's preds are in earlier writes.
func (l *loop) put() error {
	for rest := l.batch; len(rest) > 0; {
		n, size := 0, 0
		for n < len(rest) && (n == 0 || size+len(rest[n].Bytes()) <= maxCommitBytes) {
			size += len(rest[n].Bytes())
			n++
		}
		if err := l.n.store.Put(rest[:n]...); err != nil {
			return fmt.Errorf("node: committing %d ops: %w", n, err)
		}
		rest = rest[n:]
	}
	return nil
}

// admission returns the admission snapshot of the current State and
// blocks.
func (l *loop) admission() *admission {
	a := &admission{state: l.eng.State(), blocks: map[protocol.Key]bool{}, boot: map[protocol.Key]bool{}, self: l.n.key}
	for k := range l.blocks {
		a.blocks[k] = true
	}
	for _, ai := range l.n.boot {
		if k, ok := keyOfPeer(ai.ID); ok {
			a.boot[k] = true
		}
	}
	return a
}

// ingest judges one verified op and applies it if it is admissible. Ops
// whose preds are missing wait in the pending buffer.
func (l *loop) ingest(op *protocol.Op) Verdict {
	h := op.Hash()
	if l.eng.Has(h) {
		return ignore("duplicate")
	}
	if _, ok := l.pending[h]; ok {
		return ignore("missing-preds")
	}
	if miss := l.eng.Missing(op); len(miss) > 0 {
		l.park(op, miss)
		return ignore("missing-preds")
	}
	if err := l.eng.Apply(op); err != nil {
		return applyVerdict(err)
	}
	l.applied(op)
	if !l.eng.Live(h) {
		// Admissible but void: its author was removed concurrently. It is
		// kept so that ops citing it can be applied, never forwarded.
		return ignore("void")
	}
	return accept()
}

// applied records an op the engine accepted and applies the pending ops
// that were waiting only for it. Ops join the batch in the order the
// engine applied them, which is causal.
func (l *loop) applied(op *protocol.Op) {
	l.record(op)
	stack := []*protocol.Op{op}
	for len(stack) > 0 {
		h := stack[len(stack)-1].Hash()
		stack = stack[:len(stack)-1]
		for _, w := range l.waiting[h] {
			wop, ok := l.pending[w]
			if !ok || len(l.eng.Missing(wop)) > 0 {
				continue
			}
			delete(l.pending, w)
			l.unparked = append(l.unparked, w)
			if err := l.eng.Apply(wop); err != nil {
				l.n.log.Debug("pending op refused", "op", wop, "reason", trust.Reason(err))
				continue
			}
			l.record(wop)
			stack = append(stack, wop)
		}
		delete(l.waiting, h)
	}
}

// record adds an applied op to the batch.
func (l *loop) record(op *protocol.Op) {
	l.batch = append(l.batch, op)
	if op.Kind.IsMembership() {
		l.membership = true
	}
	if op.Author == l.n.key && op.Seq > l.seq {
		h := op.Hash()
		l.seq, l.last = op.Seq, &h
	}
}

// park keeps op until its missing preds arrive.
func (l *loop) park(op *protocol.Op, missing []protocol.Hash) {
	evicted, err := l.n.store.PutPending(op)
	if err != nil {
		l.n.log.Warn("pending buffer", "err", err)
	}
	for _, h := range evicted {
		delete(l.pending, h)
	}
	h := op.Hash()
	l.pending[h] = op
	for _, m := range missing {
		l.waiting[m] = append(l.waiting[m], h)
	}
}

// wanted returns the missing preds of pending ops that nobody holds here.
func (l *loop) wanted() []protocol.Hash {
	var out []protocol.Hash
	for m := range l.waiting {
		if _, ok := l.pending[m]; !ok && !l.eng.Has(m) {
			out = append(out, m)
		}
	}
	return protocol.SortPreds(out)
}

// submit hands verified ops received from a peer to the loop, in
// order, and returns their verdicts once the accepted ones are durable.
func (n *Node) submit(ctx context.Context, ops []*protocol.Op) ([]Verdict, error) {
	out := make([]Verdict, len(ops))
	err := n.do(ctx, func(l *loop) {
		for i, op := range ops {
			out[i] = l.ingest(op)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		n.verdicts.add(v)
	}
	return out, nil
}

// blocksCopy returns the local blocks; loop only.
func (l *loop) blocksCopy() map[protocol.Key]store.Block { return maps.Clone(l.blocks) }
