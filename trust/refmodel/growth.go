package refmodel

import (
	"strconv"

	"github.com/kring-circle/kring/protocol"
)

// A circle that grows while it is partitioned must not settle two sides
// of a conflict, one counted against the membership before an admission
// and one against the membership after it (§3.2, growth; round 26,
// 9r30-growth-settles-both-keep-lifts). In the settling-again pass of
// validation (§3.4), a key that acknowledged an Admit enactment with an
// op of ↓y acknowledges a decision with sides with y only in rounds whose
// settled set holds that admission, or whose judgement holds it void.
// Two quorums of the smaller membership, one settling the admission and
// one a decision without it, then share an honest key whose
// acknowledgement of the decision precedes its acknowledgement of the
// admission: the closure that settled the admission holds the decision,
// and so does every view that counts the larger membership. The union
// (Z₀) does not apply the rule: there a thieves' sybil admitted on a
// stale branch would hold back the revocation that validation needs
// (round 11's scripts).

// hasSides reports whether x is a decision that §3.2 rules 3 and 4 keep
// apart from others: a Suspend, Revoke, Disavow, Unsuspend or Charter
// enactment.
func hasSides(it *item) bool {
	if it.enact == nil {
		return false
	}
	switch it.m.Kind {
	case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionDisavow, protocol.MotionUnsuspend, protocol.MotionCharter:
		return true
	}
	return false
}

// growthOnly returns anchors that discount nothing: validation's
// settling-again pass over a set whose union it leaves whole, run for the
// growth rule alone.
func (m *model) growthOnly() *anchors {
	k := "G" + strconv.Itoa(len(m.ops))
	if a, ok := m.anch[k]; ok {
		return a
	}
	a := &anchors{keys: map[protocol.Key]bool{}, leaves: make(set, len(m.ops)), cut: make(set, len(m.ops)), cutBy: map[int][]int{}, firsts: map[protocol.Hash]set{}, k: k, growthOnly: true}
	m.anch[k] = a
	return a
}

// acknowledgesInRound is acknowledgesIn, with the growth rule for a
// decision with sides in a round of sub whose settled set is z and
// judgement t: an op y of key counts only if key acknowledged, with ops
// of ↓y, no Admit enactment that is effective in t and not in z.
func (m *model) acknowledgesInRound(key protocol.Key, x int, sub set, t *judgement, targets bool, a *anchors, z set) bool {
	it := m.ops[x]
	if !hasSides(it) {
		return m.acknowledgesIn(key, x, sub, t, targets, a)
	}
	if targets && isRemoval(it) && *it.m.Target == key && !t.tookSideAgainst(key, x) {
		return true
	}
	for y, in := range sub {
		if !in || m.ops[y].author() != key || (y != x && !m.before(x, y)) || m.afterOwnLeave(y, sub) || !a.anchored(m, y) {
			continue
		}
		if y != x && !m.ackView(y, x).effective(x) {
			continue
		}
		if m.takesOtherSide(key, x, y) || m.ackedPendingAdmission(key, y, sub, t, z) {
			continue
		}
		return true
	}
	return false
}

// ackedPendingAdmission reports whether key acknowledged, with an op of
// ↓y, an Admit enactment of sub that is effective in t and not in z.
func (m *model) ackedPendingAdmission(key protocol.Key, y int, sub set, t *judgement, z set) bool {
	c := m.closure(y)
	for e, in := range sub {
		et := m.ops[e]
		if !in || z[e] || !c[e] || et.enact == nil || et.m.Kind != protocol.MotionAdmit || !t.effective(e) {
			continue
		}
		if m.acknowledgedAny(key, []int{e}, c) {
			return true
		}
	}
	return false
}
