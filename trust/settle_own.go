package trust

import (
	"maps"

	"github.com/kring-circle/kring/protocol"
)

// A closure's own rounds (docs/membership.md §3.4, draft 36): a revoked
// key's cut op settles nothing in a closure judged as before whose own
// rounds settle the revocation that cuts it, and a key whose revocation a
// closure's rounds beyond the bound settle, cutting all its unanchored
// ops there, is not counted toward the bound. Both read the closure
// alone, as trust/refmodel computes them.

// seenAnchors returns the anchors that discount the ops of seen, cut by
// the removals that cut them in a; nil when seen is.
func seenAnchors(seen map[vertexID]bool, a *anchors) *anchors {
	if seen == nil {
		return nil
	}
	by := map[vertexID][]*vertex{}
	for id := range seen {
		by[id] = a.cutBy[id]
	}
	return newAnchors(map[protocol.Key]bool{}, map[vertexID]bool{}, cutOps{ops: seen, by: by})
}

// belowBound runs the rounds of closure c judged as before, under the
// anchors r of its seen revoked keys' cut ops, but a cut op settles
// nothing in a closure whose own rounds settle a revocation that cuts it
// (draft 36): it settled there only because the closure was judged as
// before, and a later revocation of another key of L can tip the closure
// beyond the bound. The ops held back only grow, so this ends.
func (s *settler) belowBound(c closure, z *zset, r, g, a *anchors) (*zset, map[vertexID]bool) {
	var hold map[vertexID]bool
	for {
		zr, gr := s.rounds(c, z, r, nil, g, a, hold)
		more := s.ownRevoked(c, z, zr, a, hold)
		if len(more) == 0 {
			return zr, gr
		}
		if hold == nil {
			hold = map[vertexID]bool{}
		}
		maps.Copy(hold, more)
	}
}

// ownRevoked returns the ops of c outside hold that zr settles and z, the
// closure's preds' union, does not, and that are cut in the closure's own
// rounds (cutInOwnRounds).
func (s *settler) ownRevoked(c closure, z, zr *zset, a *anchors, hold map[vertexID]bool) map[vertexID]bool {
	if a == nil || len(a.cut) == 0 {
		return nil
	}
	o := s.ownRoundsOf(c, z, zr)
	if len(o.firsts) == 0 {
		return nil
	}
	var out map[vertexID]bool
	for id := range a.cut {
		y := s.d.vertices[id]
		if hold[id] || y.op.Kind == protocol.KindLeave || !s.in(c, y) || !zr.has(y) || z.has(y) {
			continue
		}
		if o.cuts(a, y) {
			if out == nil {
				out = map[vertexID]bool{}
			}
			out[id] = true
		}
	}
	return out
}

// ownRounds are the Revoke enactments that the rounds of a closure settle
// and its preds' union does not, by motion, with the closure's judgement
// under the rounds' settled set (made once asked for).
type ownRounds struct {
	s      *settler
	c      closure
	zr     *zset
	firsts map[protocol.Hash]map[vertexID]bool
	t      *judgement
}

// ownRoundsOf returns the Revoke enactments that zr, the rounds of c,
// settles and z, its preds' union, does not.
func (s *settler) ownRoundsOf(c closure, z, zr *zset) *ownRounds {
	o := &ownRounds{s: s, c: c, zr: zr, firsts: map[protocol.Hash]map[vertexID]bool{}}
	for _, e := range zr.removals() {
		if e.op.Kind == protocol.KindEnact && motionOf(e).Kind == protocol.MotionRevoke && !z.has(e) {
			if o.firsts[e.motion] == nil {
				o.firsts[e.motion] = map[vertexID]bool{}
			}
			o.firsts[e.motion][e.id] = true
		}
	}
	return o
}

// cuts reports whether y is a cut op of a revocation of o, and precedes
// it in none of the enactments of o, read as its first enactments: the
// closure alone cuts y, whatever ops outside it hold (draft 36).
func (o *ownRounds) cuts(a *anchors, y *vertex) bool {
	if !a.cut[y.id] {
		return false
	}
	for _, e := range a.cutBy[y.id] {
		first := o.firsts[e.motion]
		if !first[e.id] {
			continue
		}
		if o.t == nil {
			o.t = o.s.judge(o.c, o.zr, judgeView{})
		}
		if !o.t.precedesAny(y, e.motion, first, o.s.cutVotesOf) {
			return true
		}
	}
	return false
}
