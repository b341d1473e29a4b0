package trust

import (
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// Acknowledgement (docs/membership.md §3.2) on the engine's dag.

// acknowledges reports whether key acknowledges x within the closure c,
// whose ops are ops and whose judgement is t: as a key that left, of a
// Leave that applies; as the target of the removal x that took no side
// against it; or with an op of its own.
func (s *settler) acknowledges(key protocol.Key, x *vertex, c closure, t *judgement, a *anchors) bool {
	return s.acknowledgesIn(key, x, c, t, true, a)
}

// acknowledgesIn is acknowledges, with the target's implicit
// acknowledgement of its removal counted only when targets is set (a
// circle whose quorum is everyone).
func (s *settler) acknowledgesIn(key protocol.Key, x *vertex, c closure, t *judgement, targets bool, a *anchors) bool {
	if x.op.Kind == protocol.KindLeave && t.effective(x) && t.leftKey(key) && s.leftAnchored(a, key, c) {
		return true
	}
	if targets && x.op.Kind == protocol.KindEnact && isRemovalVertex(x) && *motionOf(x).Target == key && !s.tookSideAgainst(key, x, c, t) {
		return true
	}
	return s.acknowledgesWithOp(key, x, c, a)
}

// leftKey reports whether key left in this judgement.
func (j *judgement) leftKey(key protocol.Key) bool {
	for id := range j.applied {
		if d := j.d.vertices[id]; d.op.Kind == protocol.KindLeave && d.op.Author == key {
			return true
		}
	}
	return false
}

// tookSideAgainst reports whether key cast a removal or lift vote that the
// removal x would make inert, or acknowledged with an op a removal or lift
// that x disables in c.
func (s *settler) tookSideAgainst(key protocol.Key, x *vertex, c closure, t *judgement) bool {
	xm := motionOf(x)
	for _, v := range s.opsBy(key) {
		if v.op.Kind != protocol.KindVote || !s.in(c, v) {
			continue
		}
		switch motionOf(v).Kind {
		case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend, protocol.MotionDisavow:
			if t.wouldInert(v, xm, t.countingVotes(x.motion, xm, nil)) {
				return true
			}
		}
	}
	return s.acknowledgedAny(key, s.disabledBy(x, c, t.zs, t.v.anch), c)
}

// disabledBy returns the removals and lifts outside z that the removal x
// disables in c: effective with x left out, void with it.
func (s *settler) disabledBy(x *vertex, c closure, z *zset, a *anchors) []*vertex {
	with := s.judge(c, z, judgeView{ack: true, anch: a})
	without := s.judge(c, z, judgeView{ack: true, exclude: x, anch: a})
	var out []*vertex
	for _, w := range s.membershipOf(c) {
		if w == x || z.has(w) || w.op.Kind != protocol.KindEnact {
			continue
		}
		if (isRemovalVertex(w) || motionOf(w).Kind == protocol.MotionUnsuspend) && !with.effective(w) && without.effective(w) {
			out = append(out, w)
		}
	}
	return out
}

// acknowledgedAny reports whether key acknowledged one of ws with an op
// in c (the op itself, or an op after it in whose ack view it is
// effective).
func (s *settler) acknowledgedAny(key protocol.Key, ws []*vertex, c closure) bool {
	for _, w := range ws {
		for _, y0 := range s.candidates(key, w, c) {
			if (y0 != w && !s.d.inPast(w, y0)) || !s.in(c, y0) {
				continue // a forked key's candidates are all its ops
			}
			if y0 == w || s.ackView(y0, w).effective(w) {
				return true
			}
		}
	}
	return false
}

// acknowledgesWithOp reports whether key has an op in c (x itself, or one
// after it, made before its own Leaves) that acknowledges x.
func (s *settler) acknowledgesWithOp(key protocol.Key, x *vertex, c closure, a *anchors) bool {
	for _, y := range s.candidates(key, x, c) {
		if (y != x && !s.d.inPast(x, y)) || !s.in(c, y) || s.afterOwnLeave(y, c) || !a.anchored(s.d, y) {
			continue
		}
		if !s.explicitAck(y, x) {
			continue
		}
		return true
	}
	return false
}

// explicitAck reports whether y, an op of K that is x or follows it,
// acknowledges x on its own terms (§3.2 rules 2 to 4): x is y or effective
// in y's ack view, and K takes no other side with y. It reads past(y) alone,
// so it is computed once per pair.
func (s *settler) explicitAck(y, x *vertex) bool {
	row := s.explicit[x.id] // by y.id - x.id: 0 not known, 1 no, 2 yes
	if i := int(y.id - x.id); i < len(row) && row[i] != 0 {
		return row[i] == 2
	}
	v := (y == x || s.ackView(y, x).effective(x)) && !s.takesOtherSide(y.op.Author, x, y)
	row = s.explicit[x.id]
	i := int(y.id - x.id)
	if i >= len(row) {
		row = append(row, make([]int8, i+1-len(row))...)
		s.explicit[x.id] = row
	}
	row[i] = 1
	if v {
		row[i] = 2
	}
	return v
}

// afterOwnLeave reports whether op y precedes no Leave of its own author
// in c (and is none): a twin signed after leaving.
func (s *settler) afterOwnLeave(y *vertex, c closure) bool {
	for _, l := range s.indexOf(c).byAuth[y.author] { // the author's membership ops in c
		if l != y && l.op.Kind == protocol.KindLeave && !s.d.inPast(y, l) {
			return true
		}
	}
	return false
}

// opsBy returns the ops of key in the dag, in applied order.
func (s *settler) opsBy(key protocol.Key) []*vertex {
	s.index()
	return s.byAuthor[key]
}

// index brings the per-author indexes up to the dag: each key's ops,
// whether it forked, and its running count of advisories.
func (s *settler) index() {
	for ; s.indexed < len(s.d.vertices); s.indexed++ {
		n := s.d.vertices[s.indexed]
		chain := s.byAuthor[n.op.Author]
		if len(chain) > 0 && chain[len(chain)-1].op.Seq >= n.op.Seq {
			s.forked[n.op.Author] = true
		}
		s.byAuthor[n.op.Author] = append(chain, n)
		cum := s.advisories[n.op.Author]
		c := int32(0)
		if len(cum) > 0 {
			c = cum[len(cum)-1]
		}
		if n.op.Kind == protocol.KindAdvisory {
			c++
		}
		s.advisories[n.op.Author] = append(cum, c)
	}
}

// candidates returns the ops of key that may acknowledge x in c: x or
// the ops after it, in c. A key that never forked signs one chain, in
// applied order, on which "x is in the past" holds from some op on and
// "in c" up to some op, so two binary searches find them; a forked key's
// ops are all returned.
func (s *settler) candidates(key protocol.Key, x *vertex, c closure) []*vertex {
	ops := s.opsBy(key)
	if s.forked[key] {
		return ops
	}
	lo, _ := slices.BinarySearchFunc(ops, x, func(y, x *vertex) int {
		if y == x || s.d.inPast(x, y) {
			return 1
		}
		return -1
	})
	hi, _ := slices.BinarySearchFunc(ops, c, func(y *vertex, c closure) int {
		if s.in(c, y) {
			return -1
		}
		return 1
	})
	if lo >= hi {
		return nil
	}
	return ops[lo:hi]
}

// ackView is the view in which op y judges x: Judge(past(y), Z(past(y)))
// in which lifts outside that Z other than x do not apply.
func (s *settler) ackView(y, x *vertex) *judgement {
	if x.op.Kind != protocol.KindEnact || motionOf(x).Kind != protocol.MotionUnsuspend {
		x = nil // only a lift reads x (§3.2 rule 2): one view serves every other op
		if j, ok := s.ackViews.get(y.id); ok {
			return j
		}
	}
	past := s.pastOf(y)
	e := s.eval(past)
	j := s.judge(past, e.z, judgeView{ack: true, x: x, anch: e.anch})
	if x == nil {
		s.ackViews.put(y.id, j)
	}
	return j
}

// takesOtherSide reports whether acknowledging x with y would have key
// take both sides of a conflict (rules 3 and 4), unless it is released.
func (s *settler) takesOtherSide(key protocol.Key, x, y *vertex) bool {
	if !hasSides(x) {
		return false
	}
	past := s.pastOf(y)
	var sides []*vertex
	pe := s.eval(past)
	for _, w := range s.sidesOf(x, past, pe.z, pe.anch) {
		if w.op.Kind == protocol.KindEnact { // rule 4 reads enactments, not votes
			sides = append(sides, w)
		}
	}
	if len(sides) == 0 {
		return false
	}
	if !s.acknowledgedAny(key, sides, past) {
		return false
	}
	return !s.released(x, sides, past)
}

// isKeepLift reports whether x is an Unsuspend enactment naming a twin to
// keep.
func isKeepLift(x *vertex) bool {
	if x.op.Kind != protocol.KindEnact {
		return false
	}
	m := motionOf(x)
	return m.Kind == protocol.MotionUnsuspend && m.Keep != nil
}

// hasSides reports whether sidesOf(x, ...) may return anything.
func hasSides(x *vertex) bool {
	if isRemovalVertex(x) {
		return true
	}
	if x.op.Kind != protocol.KindEnact {
		return false
	}
	return motionOf(x).Kind == protocol.MotionCharter || isKeepLift(x)
}

// sidesOf returns what x takes sides against in c: the removals and lifts
// a removal x disables, or the other Charter motions (votes and
// enactments) of x's version.
func (s *settler) sidesOf(x *vertex, c closure, z *zset, a *anchors) []*vertex {
	switch {
	case isRemovalVertex(x):
		return s.disabledBy(x, c, z, a)
	case x.op.Kind == protocol.KindEnact && motionOf(x).Kind == protocol.MotionCharter:
		var out []*vertex
		v := motionOf(x).Charter.Version
		for _, w := range s.membershipOf(c) {
			if m := motionOf(w); m != nil && m.Kind == protocol.MotionCharter && w.motion != x.motion && m.Charter.Version == v {
				out = append(out, w)
			}
		}
		return out
	case x.op.Kind == protocol.KindEnact && motionOf(x).Kind == protocol.MotionUnsuspend && motionOf(x).Keep != nil:
		// Keep-lifts of one fork that keep different twins are two sides
		// (round 16): at most one of them settles.
		var out []*vertex
		for _, w := range s.membershipOf(c) {
			if w.op.Kind == protocol.KindEnact && s.otherKeep(x, w) {
				out = append(out, w)
			}
		}
		return out
	}
	return nil
}

// otherKeep reports whether the enactment w is a keep-lift of x's target
// that keeps another twin of the same fork (the same seq).
func (s *settler) otherKeep(x, w *vertex) bool {
	xm, wm := motionOf(x), motionOf(w)
	if wm.Kind != protocol.MotionUnsuspend || wm.Keep == nil || *wm.Target != *xm.Target || *wm.Keep == *xm.Keep {
		return false
	}
	k1, ok1 := s.d.get(*xm.Keep)
	k2, ok2 := s.d.get(*wm.Keep)
	return ok1 && ok2 && k1.op.Seq == k2.op.Seq
}

// released reports whether, within past, n - q + f keys of L acknowledge x
// with ops and are counted for none of the sides.
func (s *settler) released(x *vertex, sides []*vertex, past closure) bool {
	if !s.in(past, x) {
		return false
	}
	e := s.eval(past)
	t := s.judge(past, e.z, judgeView{anch: e.anch})
	need := t.sig.t.N - t.sig.t.Settle + t.sig.t.Hostile
	count := 0
	for key := range t.sig.members {
		if !s.acknowledgesWithOp(key, x, past, e.anch) {
			continue
		}
		other := false
		for _, w := range sides {
			if s.acknowledges(key, w, past, t, e.anch) {
				other = true
			}
		}
		if !other {
			count++
		}
	}
	return count >= need
}

// jointQuorum reports whether decision x, acknowledged by count keys of L
// (judged returns the judgement of c with z), also has the quorum of the
// membership before the settled removals of c (§3.2, joint quorum).
func (s *settler) jointQuorum(x *vertex, c closure, z *zset, judged func() *judgement, count int, a *anchors, members, leavers keyset) bool {
	if len(z.removals()) == 0 {
		return true // nobody left: the membership before is L
	}
	t := judged()
	gone := map[protocol.Key]bool{}
	for _, n := range z.removals() {
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
	var enactments []*vertex
	for _, w := range s.sidesOf(x, c, z, t.v.anch) {
		if w.op.Kind == protocol.KindEnact {
			enactments = append(enactments, w)
		}
	}
	leaversFor := 0
	for k := range gone {
		if !s.tookSideBeforeGoing(k, enactments, c, t) {
			count++
			if t.leftKey(k) {
				leaversFor++
			}
		}
	}
	explicit := s.ackersWithOp(x, c, a, leavers).countIn(members) // the members that acknowledge x with ops under a
	if explicit+leaversFor < before.N-before.Settle+before.Hostile {
		return false
	}
	return count >= before.Settle
}

// tookSideBeforeGoing reports whether key acknowledged one of the
// enactments ws with an op that is not inert in t.
func (s *settler) tookSideBeforeGoing(key protocol.Key, ws []*vertex, c closure, t *judgement) bool {
	for _, w := range ws {
		for _, y0 := range s.candidates(key, w, c) {
			if (y0 != w && !s.d.inPast(w, y0)) || !s.in(c, y0) || t.inert(y0) {
				continue
			}
			if y0 == w || s.ackView(y0, w).effective(w) {
				return true
			}
		}
	}
	return false
}
