package refmodel

import "github.com/kring-circle/kring/protocol"

// Experiment, toward draft 44 (M) (docs/membership.md): acknowledgements
// that the circle saw before the removal that unanchors them, from
// members at once. Not a rule.
//
// An unanchored op y (a cut op, a departed key's twin, or both) is seen
// before its removal in S when every removal that unanchors it shows y in
// the past of each of its first acts, read from S alone:
//
//   - each Revoke or Disavow enactment that cuts y belongs to a motion each
//     of whose first enactments that validation keeps has y in its past
//     (where it keeps none, y precedes each earliest enactment that cuts
//     it): round 12's recogniser condition, Disavows included;
//   - if y's author is in R and y precedes none of its validated Leaves
//     (a twin), the author has a validated Leave, and each op c of S whose
//     closure first settles one of them (the union over closures,
//     undiscounted: the Leave is in Z(↓c) and not in Z(past(c))) has y in
//     its past.
//
// Such an op was signed while its key was in L of every view that held
// it before the removal first took effect: whoever signed it is one of
// §0's keys in L there, as a revoked recogniser is (§3.4).
//
// Seen ops count as anchored acknowledgers toward the floor of §3.4 (f,
// or 2f − 1 in a stepped closure) and toward nothing else, and only at
// once, as round 13 asked of recognisers: the keys counted by seen ops
// must have those ops in the closure of one op w of the whole set, be
// members in the settled State of w's past (the union over closures),
// and fewer than f members of that State signed ops in w's closure that a
// does not anchor, seen ones included (witnessed). A seen twin neither
// makes a closure stepped (hasTwin) nor, as the closure's own op, takes
// its steps away (takesSteps).

// seenNoTwin keeps a seen twin out of draft 41's stepped test and out of
// draft 40's test of a closure's own op. The readings run without it, and
// with "at once" read in the settling closure instead of at a witness,
// are in docs/membership.md, "Toward draft 44 (M)".
const seenNoTwin = true

// withSeen returns a copy of a that records the ops of sub seen before
// their removal (experiment).
func (m *model) withSeen(a *anchors, sub set) *anchors {
	if a == nil {
		return nil
	}
	seen := m.seenBeforeRemoval(sub, a)
	if !seen.any() {
		return a
	}
	k := a.k + "|seen:" + seen.key() + "|whole:" + sub.key()
	if old, ok := m.anch[k]; ok {
		return old
	}
	b := *a
	b.seen, b.k, b.whole = seen, k, sub
	m.anch[k] = &b
	return &b
}

// seenBeforeRemoval returns the unanchored ops of sub that the circle saw
// before the removals that unanchor them (the definition above).
func (m *model) seenBeforeRemoval(sub set, a *anchors) set {
	out := make(set, len(m.ops))
	firstSettled := map[int][]int{} // a validated Leave -> the ops whose closure first settles it
	firstSettlers := func(l int) []int {
		if cs, ok := firstSettled[l]; ok {
			return cs
		}
		var cs []int
		for c, in := range sub {
			if in && m.raw(m.closure(c), nil, nil).z[l] && !m.raw(m.pastSet(c), nil, nil).z[l] {
				cs = append(cs, c)
			}
		}
		firstSettled[l] = cs
		return cs
	}
	for y, in := range sub {
		if !in || a.anchored(m, y) || m.ops[y].op.Kind == protocol.KindLeave {
			continue
		}
		ok := true
		if a.cut[y] {
			ok = a.cutSeen(m, y)
		}
		author := m.ops[y].author()
		if ok && a.keys[author] && a.twin(m, y) {
			left := false
			for l, lin := range a.leaves {
				if !lin || !sub[l] || m.ops[l].author() != author {
					continue
				}
				left = true
				for _, c := range firstSettlers(l) {
					if !m.before(y, c) {
						ok = false
					}
				}
			}
			ok = ok && left
		}
		if ok {
			out[y] = true
		}
	}
	return out
}

// cutSeen reports whether the cut op y is in the past of each first
// enactment of every removal motion that cuts it (where validation keeps
// none of a motion's, of each earliest enactment that cuts y).
func (a *anchors) cutSeen(m *model, y int) bool {
	by := a.cutBy[y]
	if len(by) == 0 {
		return false
	}
	for _, e := range by {
		if first := a.firsts[m.ops[e].motion]; first.any() {
			for f, in := range first {
				if in && !m.before(y, f) {
					return false
				}
			}
			continue
		}
		earliest := true
		for _, o := range by {
			earliest = earliest && !m.before(o, e)
		}
		if earliest && !m.before(y, e) {
			return false
		}
	}
	return true
}

// isSeen reports whether y is an op seen before its removal (experiment).
func (a *anchors) isSeen(y int) bool {
	return y < len(a.seen) && a.seen[y]
}

// witnessInfo caches, for an op w of the whole set and a bound f, the members of the
// settled State of its past and whether fewer than f of them signed ops
// in its closure that the anchors do not anchor.
type witnessInfo struct {
	members map[protocol.Key]bool
	ok      bool
}

// witnessed returns how many keys of t's settled State acknowledge x in
// sub with anchored ops, plus the most keys that acknowledge it with seen
// ops witnessed at once by one op w of the whole set (experiment).
func (m *model) witnessed(x int, sub set, t *judgement, a *anchors) int {
	anch := 0
	seenAcks := map[protocol.Key][]int{}
	for key := range t.sig.members {
		if m.acknowledgesWithOp(key, x, sub, a) {
			anch++
			continue
		}
		for y, in := range sub {
			if !in || !a.isSeen(y) || m.ops[y].author() != key || (y != x && !m.before(x, y)) || m.afterOwnLeave(y, sub) {
				continue
			}
			if y != x && !m.ackView(y, x).effective(x) || m.takesOtherSide(key, x, y) {
				continue
			}
			seenAcks[key] = append(seenAcks[key], y)
		}
	}
	if len(seenAcks) == 0 {
		return anch
	}
	if a.witness == nil {
		a.witness = map[[2]int]*witnessInfo{}
	}
	f := t.sig.hostile()
	best := 0
	for w, in := range a.whole {
		if !in {
			continue
		}
		wi := a.witness[[2]int{w, f}]
		if wi == nil {
			members := m.settled(m.raw(m.pastSet(w), nil, nil).z).members
			suspects := map[protocol.Key]bool{}
			for o, oin := range m.closure(w) {
				if oin && members[m.ops[o].author()] && !a.anchored(m, o) {
					suspects[m.ops[o].author()] = true
				}
			}
			wi = &witnessInfo{members: members, ok: len(suspects) < f}
			a.witness[[2]int{w, f}] = wi
		}
		if !wi.ok {
			continue
		}
		cl := m.closure(w)
		c := 0
		for key, ys := range seenAcks {
			if !wi.members[key] {
				continue
			}
			for _, y := range ys {
				if cl[y] {
					c++
					break
				}
			}
		}
		best = max(best, c)
	}
	return anch + best
}
