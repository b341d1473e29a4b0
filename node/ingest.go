package node

import (
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// maxPendingBytes bounds the ops the loop keeps waiting for preds, in
// bytes; the store's PendingMax bounds their number.
const maxPendingBytes = 64 << 20

// ingest judges one verified op and applies it if it is admissible. An op
// whose preds are missing waits in the pending buffer if park is set, and
// is turned away otherwise (for peers who may not fill the buffer).
func (l *loop) ingest(op *protocol.Op, park bool) Verdict {
	h := op.Hash()
	if l.eng.Has(h) {
		return ignore("duplicate")
	}
	if l.pending.has(h) {
		return ignore("missing-preds")
	}
	if miss := l.eng.Missing(op); len(miss) > 0 {
		if park {
			l.park(op, miss)
		}
		return ignore("missing-preds")
	}
	if err := l.eng.Apply(op); err != nil {
		l.refused(op, err)
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
		for _, w := range l.pending.waiters(h) {
			wop, ok := l.pending.get(w)
			if !ok || len(l.eng.Missing(wop)) > 0 {
				continue
			}
			l.pending.remove(w)
			l.unparked = append(l.unparked, w)
			if err := l.eng.Apply(wop); err != nil {
				l.n.log.Debug("pending op refused", "op", wop, "reason", trust.Reason(err))
				l.refused(wop, err)
				continue
			}
			l.record(wop)
			stack = append(stack, wop)
		}
	}
}

// record adds an applied op to the batch and follows the own chain.
func (l *loop) record(op *protocol.Op) {
	l.batch = append(l.batch, op)
	if op.Author != l.n.key {
		return
	}
	h := op.Hash()
	if op.Seq > l.seq {
		l.seq, l.last = op.Seq, &h
		l.n.lastSigned.Store(op.TS)
	}
	if l.own != nil && l.own.Hash() == h {
		l.own, l.ownDone = nil, true
	}
}

// refused notes an op the engine refused. If it is the node's own
// outstanding op, this node, now holding its past, knows it is invalid for
// every honest node: its seq is free again.
func (l *loop) refused(op *protocol.Op, err error) {
	if l.own != nil && l.own.Hash() == op.Hash() && !trust.IsTransient(err) {
		l.n.log.Warn("own outstanding op refused by the log; its seq is free again", "op", op, "reason", trust.Reason(err))
		l.dropOwn(op)
	}
}

// park keeps op until its missing preds arrive; a commit writes it to the
// store's pending buffer if it is still waiting after pendingSaveAfter.
func (l *loop) park(op *protocol.Op, missing []protocol.Hash) {
	l.unparked = append(l.unparked, l.pending.add(op, missing)...)
	l.unsaved = append(l.unsaved, unsavedOp{op: op, at: time.Now()})
	l.parked++
}

// wanted returns the missing preds of pending ops that nobody holds here.
func (l *loop) wanted() []protocol.Hash { return l.pending.wanted(l.eng.Has) }

// dropOwn forgets the outstanding own op after every node it was handed to
// refused it for good: no honest node stores a refused op, so its seq is
// free again.
func (l *loop) dropOwn(op *protocol.Op) {
	if l.own == nil || l.own.Hash() != op.Hash() {
		return
	}
	l.pending.remove(op.Hash())
	l.unparked = append(l.unparked, op.Hash())
	l.own, l.ownDone = nil, true
}
