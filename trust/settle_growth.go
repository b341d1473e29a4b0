package trust

import (
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// A circle that grows while it is partitioned must not settle two sides
// of a conflict, one counted against the membership before an admission
// and one against the membership after it (docs/membership.md §3.2,
// growth; round 26, 9r30-growth-settles-both-keep-lifts). In
// validation's settling-again pass, a key that acknowledged an Admit
// enactment with an op of ↓y acknowledges a decision with sides with y
// only in rounds whose settled set holds that admission or whose
// judgement holds it void. The union does not apply the rule: a thieves'
// sybil admitted on a stale branch would hold back the revocation that
// validation needs. trust/refmodel/growth.go states the same rule.

// sidedDecision reports whether x is a Suspend, Revoke, Disavow,
// Unsuspend or Charter enactment: a decision that §3.2 rules 3 and 4 keep
// apart from others.
func sidedDecision(x *node) bool {
	if x.op.Kind != protocol.KindEnact {
		return false
	}
	switch motionOf(x).Kind {
	case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionDisavow, protocol.MotionUnsuspend, protocol.MotionCharter:
		return true
	}
	return false
}

// growthAnchors are the anchors of the settling-again pass over a closure
// that validation leaves whole: they discount nothing, and the pass runs
// for the growth rule alone.
var growthAnchors = &anchors{growthOnly: true}

// pendingAdmissions returns the Admit enactments of c that t holds
// effective and z does not hold.
func (s *settler) pendingAdmissions(c closure, z *zset, t *judgement) []*node {
	var out []*node
	for _, id := range s.d.membership {
		n := s.d.nodes[id]
		if n.op.Kind != protocol.KindEnact || motionOf(n).Kind != protocol.MotionAdmit || !s.in(c, n) || z.hasIn(n) || !t.effective(n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// growthAckers returns the keys of members among withOp that
// acknowledge x in c with an op y after which they acknowledged none of
// pending.
func (s *settler) growthAckers(x *node, c closure, a *anchors, withOp, members keyset, pending []*node) keyset {
	out := keyset{}
	for i, k := range s.d.keys {
		if withOp.has(int32(i)) && members.has(int32(i)) && s.acksUnblocked(k, x, c, a, pending) {
			out = out.with(int32(i))
		}
	}
	return out
}

// acksUnblocked is acknowledgesWithOp for an op y of key that
// acknowledged, with ops of ↓y, none of the pending admissions.
func (s *settler) acksUnblocked(key protocol.Key, x *node, c closure, a *anchors, pending []*node) bool {
	for _, y := range s.candidates(key, x, c) {
		if (y != x && !s.d.inPast(x, y)) || !s.in(c, y) || s.afterOwnLeave(y, c) || !a.anchored(s.d, y) {
			continue
		}
		if !s.explicitAck(y, x) || s.ackedPending(key, y, pending) {
			continue
		}
		return true
	}
	return false
}

// ackedPending reports whether key acknowledged one of the admissions
// pending with an op of ↓y.
func (s *settler) ackedPending(key protocol.Key, y *node, pending []*node) bool {
	c := closureOf(y)
	for _, e := range pending {
		if (e == y || s.d.inPast(e, y)) && s.acknowledgedAny(key, []*node{e}, c) {
			return true
		}
	}
	return false
}

// checkGrowthShortcut makes eval check, where it skips the growth pass,
// that the pass would have given the union (tests set it).
var checkGrowthShortcut = false

// checkGrowth panics if the growth pass over c gives another Z than z,
// the union: eval skipped the pass because no closure of c settled a
// sided decision beside a pending admission.
func (s *settler) checkGrowth(c closure, z *zset) {
	g := s.raw(c, growthAnchors, nil).z
	for _, n := range s.d.nodes {
		if s.in(c, n) && g.has(n) != z.has(n) {
			panic(fmt.Sprintf("trust: the growth pass settles %v differently from the union, which eval took for it", n.op))
		}
	}
}
