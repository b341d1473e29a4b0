package node

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// maxPendingBytes bounds the memory the ops waiting for preds take, with
// their index entries (see parkedCost); the store's PendingMax bounds
// their number.
const maxPendingBytes = 64 << 20

// ingest judges one verified op that the node itself hands the loop (its
// own op); see ingestFrom.
func (l *loop) ingest(op *protocol.Op, park bool) Verdict { return l.ingestFrom(op, self, park) }

// ingestFrom judges one verified op that forwarder from delivered and
// applies it if it is admissible. An op whose preds are missing waits in
// the pending buffer, within from's quota, if park is set and its author
// is one the State knows (see parkable); otherwise it is turned away, and
// sync brings it again once what it cites is here.
func (l *loop) ingestFrom(op *protocol.Op, from peer.ID, park bool) Verdict {
	if v, ok := l.admit(op, from, park); !ok {
		return v
	}
	return l.liveness(op)
}

// ingestAll judges ops in order, each as ingestFrom judges it (ops[i]
// delivered by from(i)), except that whether an applied op is void is
// asked once every op is applied, against the State they commit
// together: the engine evaluates the whole log for that, and once per op
// it cost more than judging the ops.
func (l *loop) ingestAll(ops []*protocol.Op, from func(i int) peer.ID, park bool) []Verdict {
	out := make([]Verdict, len(ops))
	applied := make([]bool, len(ops))
	for i, op := range ops {
		out[i], applied[i] = l.admit(op, from(i), park)
	}
	for i, op := range ops {
		if applied[i] {
			out[i] = l.liveness(op)
		}
	}
	return out
}

// admit is ingestFrom up to the verdict on an applied op: it reports
// true if op was applied, and otherwise returns op's verdict.
func (l *loop) admit(op *protocol.Op, from peer.ID, park bool) (Verdict, bool) {
	h := op.Hash()
	if l.eng.Has(h) {
		return ignore(ReasonDuplicate), false
	}
	if l.pending.has(h) {
		return ignore(ReasonMissingPreds), false
	}
	if from != self {
		l.noteSecondSigner(op)
	}
	if miss := l.eng.Missing(op); len(miss) > 0 {
		switch {
		case !park:
		case !l.parkable(op, from):
			return ignore(ReasonUnknownAuthor), false
		case !l.park(op, miss, from):
			return ignore(ReasonOverQuota), false
		}
		return ignore(ReasonMissingPreds), false
	}
	if err := l.eng.Apply(op); err != nil {
		l.refused(op, err)
		return applyVerdict(err), false
	}
	l.applied(op)
	return Verdict{}, true
}

// liveness is the verdict on an applied op: accepted, or void if the ops
// applied so far remove its author concurrently (an admissible op that is
// kept so that ops citing it can be applied, never forwarded).
func (l *loop) liveness(op *protocol.Op) Verdict {
	if !l.eng.Live(op.Hash()) {
		return ignore(ReasonVoid)
	}
	return accept()
}

// parkable reports whether op, whose preds are missing, may wait for them:
// only if the State knows its author (a member, or a key removed or lapsed,
// whose ops others may cite), or op is an applicant's own Admit enactment,
// or the node parks its own op. A stranger's op could never be applied
// before its author's admission is here, and sync brings both in causal
// order; parking it would let anyone who can sign with a fresh key fill
// the buffer.
func (l *loop) parkable(op *protocol.Op, from peer.ID) bool {
	if from == self || op.Author == l.n.key || ownAdmitEnactment(op) {
		return true
	}
	known := func(st *trust.State) bool {
		s := st.Key(op.Author).Status
		return s != trust.StatusStranger && s != trust.StatusApplicant
	}
	if st := l.n.state.Load(); st != nil && known(st) {
		return true
	}
	return known(l.eng.State()) // ops applied since the last commit
}

// ownAdmitEnactment reports whether op is its author's enactment of its
// own admission.
func ownAdmitEnactment(op *protocol.Op) bool {
	e, ok := op.Content().(*protocol.Enact)
	return ok && e.Motion.Kind == protocol.MotionAdmit && e.Motion.Application != nil && e.Motion.Application.Member.Key == op.Author
}

// forwarderKey is the context key under which a sync carries the peer
// whose ops it submits.
type forwarderKey struct{}

// withForwarder returns ctx carrying p as the forwarder of the ops
// submitted under it: a sync or fetch with p marks its context so.
func withForwarder(ctx context.Context, p peer.ID) context.Context {
	return context.WithValue(ctx, forwarderKey{}, p)
}

// forwarderOf returns the forwarder ctx carries, or unattributed.
func forwarderOf(ctx context.Context) peer.ID {
	if p, ok := ctx.Value(forwarderKey{}).(peer.ID); ok && p != self {
		return p
	}
	return unattributed
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
		l.n.ownSeq.Store(op.Seq)
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

// park keeps op, delivered by from, until its missing preds arrive; a
// commit writes it to the store's pending buffer if it is still waiting
// after pendingSaveAfter. It reports false if op alone is over from's
// quota.
func (l *loop) park(op *protocol.Op, missing []protocol.Hash, from peer.ID) bool {
	now := time.Now()
	evicted, ok := l.pending.add(op, missing, from, now)
	l.incomplete(evicted, now)
	if !ok {
		return false
	}
	l.unsaved = append(l.unsaved, unsavedOp{op: op, at: now})
	l.parked++
	return true
}

// expirePending drops the parked ops that have waited the configured
// PendingTTL at now, and charges their forwarders.
func (l *loop) expirePending(now time.Time) { l.incomplete(l.pending.expire(now), now) }

// incomplete notes parked ops that left the pending set without
// completing, and charges each one's forwarder.
func (l *loop) incomplete(gone []*parked, now time.Time) {
	if len(gone) == 0 {
		return
	}
	per := map[peer.ID]int{}
	for _, e := range gone {
		l.unparked = append(l.unparked, e.op.Hash())
		per[e.from]++
	}
	for from, n := range per {
		l.n.penalties.charge(from, n, now)
	}
}

// dropUnserved removes the ops parked from forwarder p that miss a pred p
// denied (every op parked from p if denied is nil), and charges p
// unservedPenalty for each.
func (l *loop) dropUnserved(p peer.ID, denied map[protocol.Hash]bool, now time.Time) {
	gone := l.pending.unserved(p, denied, l.eng.Has)
	l.n.log.Debug("unserved", "peer", l.n.peerName(p), "denied", len(denied), "dropped", len(gone))
	for _, e := range gone {
		l.unparked = append(l.unparked, e.op.Hash())
	}
	l.n.penalties.charge(p, len(gone)*unservedPenalty, now)
}

// wantedOf returns the missing preds, held nowhere here, of the parked
// ops worth asking peer about.
func (l *loop) wantedOf(peer peer.ID) []protocol.Hash { return l.pending.wantedOf(peer, l.eng.Has) }

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
