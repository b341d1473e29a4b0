package refmodel

import "github.com/kring-circle/kring/protocol"

// A closure's own rounds (docs/membership.md §3.4, draft 36): a revoked
// key's cut op settles nothing in a closure judged as before whose own
// rounds settle the revocation that cuts it, and a key whose revocation a
// closure's rounds beyond the bound settle, cutting all its unanchored
// ops there, is not counted toward the bound. Both read the closure
// alone.

// seenAnchors returns the anchors that discount the ops of seen, cut by
// the removals that cut them in a; nil when seen is.
func (m *model) seenAnchors(seen set, a *anchors) *anchors {
	if seen == nil {
		return nil
	}
	by := map[int][]int{}
	for y, in := range seen {
		if in {
			by[y] = a.cutBy[y]
		}
	}
	return m.newAnchors(map[protocol.Key]bool{}, make(set, len(m.ops)), cutOps{ops: seen, by: by})
}

// belowBound runs the rounds of a closure judged as before (§3.4), under
// the anchors r of its seen revoked keys' cut ops, but a cut op settles
// nothing in a closure whose own rounds settle a revocation that cuts it
// (draft 36): the op settles there only because the closure was judged as
// before, and a later revocation of another key of L can tip the closure
// beyond the bound. The ops held back only grow, so this ends.
func (m *model) belowBound(sub, z set, r, g, a *anchors) (set, set) {
	var hold set
	for {
		zr, gr := m.rounds(sub, z, r, nil, g, a, hold)
		more := m.ownRevoked(sub, z, zr, a, hold)
		if more == nil {
			return zr, gr
		}
		if hold == nil {
			hold = more
		} else {
			hold = hold.or(more)
		}
	}
}

// ownRevoked returns the ops of sub outside hold that zr settles and z,
// the closure's preds' union, does not, and that are cut in the closure's
// own rounds (cutInOwnRounds); nil when there are none.
func (m *model) ownRevoked(sub, z, zr set, a *anchors, hold set) set {
	if a == nil {
		return nil
	}
	var out set
	var t *judgement
	for y, in := range sub {
		if !in || !a.cut[y] || !zr[y] || z[y] || hold != nil && hold[y] || m.ops[y].op.Kind == protocol.KindLeave {
			continue
		}
		if t == nil {
			t = m.judge(sub, zr, view{x: -1, exclude: -1})
		}
		if m.cutInOwnRounds(y, sub, z, zr, a, t) {
			if out == nil {
				out = make(set, len(m.ops))
			}
			out[y] = true
		}
	}
	return out
}

// cutInOwnRounds reports whether y is a cut op of a revocation that zr,
// the closure's rounds, settles and z, its preds' union, does not, and y
// precedes it in none of the enactments that zr settles and z does not,
// read as its first enactments in t, the judgement of sub with zr: the
// closure alone cuts y, whatever ops outside it hold (draft 36).
func (m *model) cutInOwnRounds(y int, sub, z, zr set, a *anchors, t *judgement) bool {
	if !a.cut[y] {
		return false
	}
	for _, e := range a.cutBy[y] {
		if m.ops[e].m.Kind != protocol.MotionRevoke || !zr[e] || z[e] {
			continue
		}
		if !t.precedesAny(y, m.ops[e].motion, m.ownEnactments(sub, z, zr, m.ops[e].motion)) {
			return true
		}
	}
	return false
}

// ownEnactments returns the enactments of the motion h in sub that zr
// settles and z does not.
func (m *model) ownEnactments(sub, z, zr set, h protocol.Hash) set {
	out := make(set, len(m.ops))
	for e, in := range sub {
		if in && zr[e] && !z[e] && m.ops[e].enact != nil && m.ops[e].motion == h {
			out[e] = true
		}
	}
	return out
}
