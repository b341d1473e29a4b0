package trust

import (
	"github.com/kring-circle/kring/protocol"
)

// Acknowledgement (docs/membership.md §3.2) on the engine's dag.

// acknowledges reports whether key acknowledges x within the closure c,
// whose ops are ops and whose judgement is t: as a key that left, of a
// Leave that applies; as the target of the removal x that took no side
// against it; or with an op of its own.
func (s *settler) acknowledges(key protocol.Key, x *node, c closure, ops []*node, t *judgement, a *anchors) bool {
	return s.acknowledgesIn(key, x, c, ops, t, true, a)
}

// acknowledgesIn is acknowledges, with the target's implicit
// acknowledgement of its removal counted only when targets is set (a
// circle whose quorum is everyone).
func (s *settler) acknowledgesIn(key protocol.Key, x *node, c closure, ops []*node, t *judgement, targets bool, a *anchors) bool {
	if x.op.Kind == protocol.KindLeave && t.effective(x) && t.leftKey(key) && s.leftAnchored(a, key, c) {
		return true
	}
	if targets && x.op.Kind == protocol.KindEnact && isRemovalNode(x) && *motionOf(x).Target == key && !s.tookSideAgainst(key, x, c, ops, t) {
		return true
	}
	return s.acknowledgesWithOp(key, x, c, ops, a)
}

// leftKey reports whether key left in this judgement.
func (j *judgement) leftKey(key protocol.Key) bool {
	for id := range j.applied {
		if d := j.d.nodes[id]; d.op.Kind == protocol.KindLeave && d.op.Author == key {
			return true
		}
	}
	return false
}

// tookSideAgainst reports whether key cast a removal or lift vote that the
// removal x would make inert, or acknowledged with an op a removal or lift
// that x disables in c.
func (s *settler) tookSideAgainst(key protocol.Key, x *node, c closure, ops []*node, t *judgement) bool {
	xm := motionOf(x)
	for _, v := range ops {
		if v.op.Kind != protocol.KindVote || v.op.Author != key {
			continue
		}
		switch motionOf(v).Kind {
		case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend, protocol.MotionDisavow:
			if t.wouldInert(v, xm, t.countingVotes(x.motion, xm, nil)) {
				return true
			}
		}
	}
	return s.acknowledgedAny(key, s.disabledBy(x, c, s.zIn(t), t.v.anch), ops)
}

// zIn returns the settled set a judgement was made with, as a set.
func (s *settler) zIn(t *judgement) map[nodeID]bool {
	z := map[nodeID]bool{}
	for _, n := range s.d.nodes {
		if t.in(n) && t.z(n) {
			z[n.id] = true
		}
	}
	return z
}

// disabledBy returns the removals and lifts outside z that the removal x
// disables in c: effective with x left out, void with it.
func (s *settler) disabledBy(x *node, c closure, z map[nodeID]bool, a *anchors) []*node {
	with := s.judge(c, z, judgeView{ack: true, anch: a})
	without := s.judge(c, z, judgeView{ack: true, exclude: x, anch: a})
	var out []*node
	for _, w := range s.membershipOf(c) {
		if w == x || z[w.id] || w.op.Kind != protocol.KindEnact {
			continue
		}
		if (isRemovalNode(w) || motionOf(w).Kind == protocol.MotionUnsuspend) && !with.effective(w) && without.effective(w) {
			out = append(out, w)
		}
	}
	return out
}

// acknowledgedAny reports whether key acknowledged one of ws with an op
// among ops (the op itself, or an op after it in whose ack view it is
// effective).
func (s *settler) acknowledgedAny(key protocol.Key, ws, ops []*node) bool {
	for _, w := range ws {
		for _, y0 := range ops {
			if y0.op.Author != key {
				continue
			}
			if y0 == w || (s.d.inPast(w, y0) && s.ackView(y0, w).effective(w)) {
				return true
			}
		}
	}
	return false
}

// acknowledgesWithOp reports whether key has an op in c (x itself, or one
// after it, made before its own Leaves) that acknowledges x.
func (s *settler) acknowledgesWithOp(key protocol.Key, x *node, c closure, ops []*node, a *anchors) bool {
	for _, y := range ops {
		if y.op.Author != key || (y != x && !s.d.inPast(x, y)) || s.afterOwnLeave(y, ops) || !a.anchored(s.d, y) {
			continue
		}
		if y != x && !s.ackView(y, x).effective(x) {
			continue
		}
		if s.takesOtherSide(key, x, y) {
			continue
		}
		return true
	}
	return false
}

// afterOwnLeave reports whether op y precedes no Leave of its own author
// among ops (and is none): a twin signed after leaving.
func (s *settler) afterOwnLeave(y *node, ops []*node) bool {
	for _, l := range ops {
		if l != y && l.op.Kind == protocol.KindLeave && l.op.Author == y.op.Author && !s.d.inPast(y, l) {
			return true
		}
	}
	return false
}

// ackView is the view in which op y judges x: Judge(past(y), Z(past(y)))
// in which lifts outside that Z other than x do not apply.
func (s *settler) ackView(y, x *node) *judgement {
	past := s.pastOf(y)
	e := s.eval(past)
	return s.judge(past, e.z, judgeView{ack: true, x: x, anch: e.anch})
}

// takesOtherSide reports whether acknowledging x with y would have key
// take both sides of a conflict (rules 3 and 4), unless it is released.
func (s *settler) takesOtherSide(key protocol.Key, x, y *node) bool {
	past := s.pastOf(y)
	var sides []*node
	pe := s.eval(past)
	for _, w := range s.sidesOf(x, past, pe.z, pe.anch) {
		if w.op.Kind == protocol.KindEnact { // rule 4 reads enactments, not votes
			sides = append(sides, w)
		}
	}
	pastOps := s.opsOf(past)
	if !s.acknowledgedAny(key, sides, pastOps) {
		return false
	}
	return !s.released(x, sides, past, pastOps)
}

// sidesOf returns what x takes sides against in c: the removals and lifts
// a removal x disables, or the other Charter motions (votes and
// enactments) of x's version.
func (s *settler) sidesOf(x *node, c closure, z map[nodeID]bool, a *anchors) []*node {
	switch {
	case isRemovalNode(x):
		return s.disabledBy(x, c, z, a)
	case x.op.Kind == protocol.KindEnact && motionOf(x).Kind == protocol.MotionCharter:
		var out []*node
		v := motionOf(x).Charter.Version
		for _, w := range s.membershipOf(c) {
			if m := motionOf(w); m != nil && m.Kind == protocol.MotionCharter && w.motion != x.motion && m.Charter.Version == v {
				out = append(out, w)
			}
		}
		return out
	}
	return nil
}

// released reports whether, within past, n - q + f keys of L acknowledge x
// with ops and are counted for none of the sides.
func (s *settler) released(x *node, sides []*node, past closure, ops []*node) bool {
	if !s.in(past, x) {
		return false
	}
	e := s.eval(past)
	t := s.judge(past, e.z, judgeView{anch: e.anch})
	need := t.sig.t.N - t.sig.t.Settle + t.sig.t.Hostile
	count := 0
	for key := range t.sig.members {
		if !s.acknowledgesWithOp(key, x, past, ops, e.anch) {
			continue
		}
		other := false
		for _, w := range sides {
			if s.acknowledges(key, w, past, ops, t, e.anch) {
				other = true
			}
		}
		if !other {
			count++
		}
	}
	return count >= need
}

// jointQuorum reports whether decision x, acknowledged by count keys of L,
// also has the quorum of the membership before the settled removals of c
// (§3.2, joint quorum).
func (s *settler) jointQuorum(x *node, c closure, ops []*node, z map[nodeID]bool, t *judgement, count int, a *anchors) bool {
	gone := map[protocol.Key]bool{}
	for _, n := range ops {
		if !z[n.id] {
			continue
		}
		switch {
		case n.op.Kind == protocol.KindLeave:
			gone[n.op.Author] = true
		case n.op.Kind == protocol.KindEnact && removesVoters(motionOf(n)):
			gone[*motionOf(n).Target] = true
		}
	}
	if len(gone) == 0 {
		return true
	}
	before := ThresholdsFor(&t.sig.charter, t.sig.t.N+len(gone))
	var enactments []*node
	for _, w := range s.sidesOf(x, c, z, t.v.anch) {
		if w.op.Kind == protocol.KindEnact {
			enactments = append(enactments, w)
		}
	}
	leaversFor := 0
	for k := range gone {
		if !s.tookSideBeforeGoing(k, enactments, ops, t) {
			count++
			if t.leftKey(k) {
				leaversFor++
			}
		}
	}
	explicit := 0
	for k := range t.sig.members {
		if s.acknowledgesWithOp(k, x, c, ops, a) {
			explicit++
		}
	}
	if explicit+leaversFor < before.N-before.Settle+before.Hostile {
		return false
	}
	return count >= before.Settle
}

// tookSideBeforeGoing reports whether key acknowledged one of the
// enactments ws with an op that is not inert in t.
func (s *settler) tookSideBeforeGoing(key protocol.Key, ws, ops []*node, t *judgement) bool {
	for _, w := range ws {
		for _, y0 := range ops {
			if y0.op.Author != key || t.inert(y0) {
				continue
			}
			if y0 == w || (s.d.inPast(w, y0) && s.ackView(y0, w).effective(w)) {
				return true
			}
		}
	}
	return false
}
