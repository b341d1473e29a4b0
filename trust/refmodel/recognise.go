package refmodel

import (
	"sort"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// The cut ops and the recognition of Leaves (docs/membership.md §3.4).

// twin reports whether y is an op of a key of R that precedes none of its
// validated Leaves: only a kept or stolen copy signs one.
func (a *anchors) twin(m *model, y int) bool {
	if a == nil || !a.keys[m.ops[y].author()] {
		return false
	}
	for l, in := range a.leaves {
		if in && m.ops[l].author() == m.ops[y].author() && (l == y || m.before(y, l)) {
			return false
		}
	}
	return true
}

// recogniser reports whether y may recognise a Leave (§3.4): it is
// anchored, or it is a revoked key's op, no twin, cut only by Revoke
// enactments, and in the past of each first enactment of those
// revocations (each that some closure settles before any enactment of
// the motion settled in its preds' union: draft 25). The circle saw such
// an op before it first enacted the revocation, so no thief signed it
// after the revocation (review round 12: revoking an honest recogniser
// must not take back its recognition). A thief that signs before the
// enactment holds a key still in L, which §0 counts among the hostile
// keys. A hostile member's later enactment that leaves y out settles only
// where the revocation had settled, so it is no first enactment and
// changes nothing (review round 14), while y must precede every first
// enactment: one that a hostile member races into the first settlement
// can still leave y out (open, §7). Where validation keeps no first
// enactment of the motion, y must precede each earliest enactment that
// cuts it.
func (a *anchors) recogniser(m *model, y int) bool {
	if a.anchored(m, y) {
		return true
	}
	by := a.cutBy[y]
	if a.twin(m, y) || len(by) == 0 {
		return false
	}
	for _, e := range by {
		if m.ops[e].m.Kind != protocol.MotionRevoke {
			return false
		}
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

// cutOps are the ops that settled removals make inert, each with the
// removal enactments that cut it.
type cutOps struct {
	ops    set
	by     map[int][]int
	firsts map[protocol.Hash]set // each cutting revocation's first enactments
	// settle holds, for each closure of the set, the Revoke and Disavow
	// motions with a kept enactment that its rounds settle an enactment
	// of and the Leaves they settle, by hash (the union, undiscounted),
	// each distinct set once (drafts 37 and 39).
	settle []map[protocol.Hash]bool
}

// cutByRemovals returns the ops of sub that the Revoke and Disavow
// enactments settled in z0 and among removals make inert (§4.1), judged in sub with z0: a
// revoked key's ops that precede no cut point of its revocation, a
// disavowed key's ops from the disavowed seq, and its ops below that seq
// that precede no cut point of the Disavow (rounds 35 and 37). Settled ops are cut too:
// validation reads them in closures that do not hold the removal; but a
// revocation never cuts an op settled in the past of each of its first
// enactments (draft 23, settledBeforeFirst).
func (m *model) cutByRemovals(sub, z0, removals set) cutOps {
	firsts := map[protocol.Hash]set{}
	groups := map[protocol.Hash][]set{}
	cut := cutOps{ops: make(set, len(m.ops)), by: map[int][]int{}, firsts: firsts}
	var t *judgement
	for e, in := range z0 {
		et := m.ops[e]
		if !in || !removals[e] || et.enact == nil || !removesVoter(et.m) {
			continue
		}
		if t == nil {
			t = m.judge(sub, z0, view{x: -1, exclude: -1})
		}
		if !t.motions[et.motion] {
			continue
		}
		if firsts[et.motion] == nil {
			// Only the first enactments that validation keeps fix the
			// cut point, as only the removals it keeps cut.
			first := make(set, len(m.ops))
			for _, g := range m.firstGroups(sub, et.motion) {
				g = g.and(removals)
				groups[et.motion] = append(groups[et.motion], g)
				first = first.or(g)
			}
			firsts[et.motion] = first
		}
		before := m.settledBeforeFirst(groups[et.motion])
		disavow := et.m.Kind == protocol.MotionDisavow
		for y, yin := range sub {
			if !yin || m.ops[y].author() != *et.m.Target {
				continue
			}
			if disavow && m.ops[y].op.Seq >= et.m.From {
				cut.ops[y] = true
				cut.by[y] = append(cut.by[y], e)
				continue
			}
			if before != nil && before[y] {
				// Settled in the past of every first enactment: the
				// circle settled it before it enacted the revocation
				// (draft 23).
				continue
			}
			// A revoked key's op, or a disavowed key's op below the
			// disavowed seq, is cut unless it precedes the cut point (a
			// thief's op signed after the disavowal at a seq the circle
			// had not seen: rounds 35 and 37).
			if !t.precedesAny(y, et.motion, firsts[et.motion]) {
				cut.ops[y] = true
				cut.by[y] = append(cut.by[y], e)
			}
		}
	}
	cut.settle = m.revocationsSettled(sub, z0, removals)
	return cut
}

// revocationsSettled returns the distinct sets of removals that the
// rounds of some closure of sub settle (the union over closures,
// undiscounted), the empty set left out: the Revoke and Disavow motions
// with an enactment among removals of which the closure settles an
// enactment (draft 37; Disavows since draft 39), and the hashes of the
// Leaves it settles (draft 39; earlierRemoved reads only those of V).
func (m *model) revocationsSettled(sub, z0, removals set) []map[protocol.Hash]bool {
	kept := map[protocol.Hash]bool{}
	for e, in := range removals {
		if in && m.ops[e].enact != nil && removesVoter(m.ops[e].m) {
			kept[m.ops[e].motion] = true
		}
	}
	seen := map[string]bool{}
	var out []map[protocol.Hash]bool
	for r, in := range sub {
		if !in {
			continue
		}
		f := map[protocol.Hash]bool{}
		var hs []string
		for e, ein := range m.raw(m.closure(r), nil, nil).z {
			if !ein {
				continue
			}
			h, ok := m.ops[e].motion, m.ops[e].enact != nil && kept[m.ops[e].motion]
			if m.ops[e].op.Kind == protocol.KindLeave {
				h, ok = m.ops[e].op.Hash(), true
			}
			if ok && !f[h] {
				f[h] = true
				hs = append(hs, string(h[:]))
			}
		}
		sort.Strings(hs)
		k := strings.Join(hs, "")
		if len(f) == 0 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// recognised reports whether at least f keys (f of sig, the settled State
// of the whole set) acknowledged the Leave l with an op y in sub that may
// recognise (recogniser), each a member in the settled State of y's own
// past, and whose past settles no other Leave of l's author (review rounds
// 9 and 11); a key that is a member of sig must also be one of kept, the
// settled State that validation keeps under a (draft 36: a stale
// branch's sybil is a member of the union alone); and whether f such keys were members at once: some op w has
// their ops in its closure and all of them members in the settled State
// of its past, and where f or more of those members signed ops in w's
// closure that a does not anchor, only anchored recognisers count there
// (review round 13: thieves of keys stolen one after another, each revoked
// before the next theft, are never f hostile keys in one view, and must
// not add up to f recognisers over time).
// Members who left at once settle their Leaves on each other's implicit
// acknowledgements; when kept copies later settle twins of them on a
// stale branch, the members who acknowledged the real Leaves before any
// twin settled tell them apart, and still do after they leave themselves:
// their acknowledgements precede their own validated Leaves.
func (m *model) recognised(l int, sub set, sig, kept *sigma, a *anchors, strong bool) bool {
	author := m.ops[l].author()
	var ys []int
	for y, in := range sub {
		k := m.ops[y].author()
		if !in || (y != l && !m.before(l, y)) || !a.recogniser(m, y) {
			continue
		}
		if sig.members[k] && !kept.members[k] {
			continue // only the union admits it: a stale branch's sybil (draft 36)
		}
		if strong && !sig.members[k] {
			continue // a removed key recognises only in the second step (drafts 33 and 35)
		}
		pz := m.raw(m.pastSet(y), nil, nil).z
		if !m.settled(pz).members[k] {
			continue
		}
		if y != l && !m.ackView(y, l).effective(l) {
			continue
		}
		other := false
		for o, oin := range pz {
			if oin && o != l && m.ops[o].op.Kind == protocol.KindLeave && m.ops[o].author() == author {
				other = true
				break
			}
		}
		// A member in the settled State that validation keeps of y's
		// past, not only in its union: a stale branch's acknowledgements
		// can settle an applicant's admission there (draft 36, review
		// round 32).
		if !other && m.settled(m.eval(m.pastSet(y)).z).members[k] {
			ys = append(ys, y)
		}
	}
	for w, in := range sub {
		if !in {
			continue
		}
		members := m.settled(m.raw(m.pastSet(w), nil, nil).z).members
		closure := m.closure(w)
		suspects := map[protocol.Key]bool{}
		for o, oin := range closure {
			if oin && members[m.ops[o].author()] && !a.anchored(m, o) {
				suspects[m.ops[o].author()] = true
			}
		}
		beyond := len(suspects) >= sig.hostile()
		keys := map[protocol.Key]bool{}
		for _, y := range ys {
			k := m.ops[y].author()
			if closure[y] && members[k] && (!beyond || a.anchored(m, y)) {
				keys[k] = true
			}
		}
		if len(keys) >= sig.hostile() {
			return true
		}
	}
	return false
}

// settledBeforeFirst returns the ops settled before a revocation was first
// enacted (§3.4, drafts 23 and 31): those in Z(past(e)), the union over
// closures (undiscounted), for every enactment e of some group of first
// enactments (one closure's first round, firstGroups, less those that
// validation drops); nil when there is none. Such an op settled in a
// closure that precedes the revocation's first settlement in that
// closure, while its target was in L there: what signed it, thief or not,
// is one of §0's keys in L, and the first enactments there all held it
// settled, so it precedes the revocation as that closure first settled
// it. A group one of whose enactments does not hold the op settled
// (round 11's thieves, whose branch the first voters and enactor had not
// seen, settling beside the fooled member's enactment) spares nothing; a
// lagging member's enactment that a later closure makes first beside the
// informed one (round 23, 9r27-leave-shrinks-late-enactment-first) takes
// nothing back from a closure where the informed one settled alone.
func (m *model) settledBeforeFirst(groups []set) set {
	var out set
	for _, g := range groups {
		var in set
		for e, ok := range g {
			if !ok {
				continue
			}
			pz := m.raw(m.pastSet(e), nil, nil).z
			if in == nil {
				in = pz
			} else {
				in = in.and(pz)
			}
		}
		if in == nil {
			continue
		}
		if out == nil {
			out = in
		} else {
			out = out.or(in)
		}
	}
	return out
}

// vouched reports whether at least f live keys (members of the settled
// State of the whole set, sig, and of the one validation keeps, kept) each
// hold the Leave l validated in one of their first views of it (draft
// 36): an op y of the key whose past settles l in the union over its
// closures and has the key a member of its settled State, while no op of
// the key's in that past does, with the past, evaluated on its own,
// validating l. A member's op is its view of the
// circle: what the members of its time recognised there, it carries
// forward after they leave, and f live keys hold one that is not hostile.
// Removed keys never vouch, so thieves of keys stolen one after another,
// each gone before the next theft, add up to nothing here (review rounds
// 13 and 29).
func (m *model) vouched(l int, sub set, sig, kept *sigma) bool {
	keys := map[protocol.Key]bool{}
	for y, in := range sub {
		k := m.ops[y].author()
		if !in || keys[k] || !sig.members[k] || !kept.members[k] || !m.before(l, y) {
			continue
		}
		past := m.pastSet(y)
		if !m.view(past, k, l) {
			continue
		}
		first := true
		for x, xin := range past {
			if xin && m.ops[x].author() == k && m.before(l, x) && m.view(m.pastSet(x), k, l) {
				first = false
				break
			}
		}
		if !first {
			continue
		}
		e := m.eval(past)
		if e.z[l] && (e.anch == nil || e.anch.leaves[l]) && m.settled(e.z).members[k] {
			keys[k] = true
		}
	}
	return len(keys) >= sig.hostile()
}

// view reports whether past, the past of an op of key, is a view in which
// the key may vouch for the Leave l: it settles l in the union over its
// closures and has the key a member of its settled State. A key vouches
// as a member, with the acknowledgements that settled its own admission
// in its past (review round 31: applicants fed a thief's history vouched
// for a twin with their admissions).
func (m *model) view(past set, key protocol.Key, l int) bool {
	z := m.raw(past, nil, nil).z
	return z[l] && m.settled(z).members[key]
}
