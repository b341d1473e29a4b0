package refmodel

import (
	"sort"
	"strconv"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// anchors is the outcome of validated settlement (docs/membership.md §3.4,
// CE-4): the keys that have a Leave settled in the union over closures (R),
// and the validated settled Leaves (V). An op of a key of R counts (as an
// acknowledgement, and against inertness, §4.1) only if it precedes or is
// a Leave of V. The ops in cut are those of the targets of Revoke and
// Disavow enactments in the union that their removal makes inert (after
// the revocation's cut point, or from the disavowed seq): they count for
// nothing either, in any closure (review round 9). A nil *anchors
// discounts nothing.
type anchors struct {
	keys   map[protocol.Key]bool
	leaves set
	cut    set
	cutBy  map[int][]int // the settled removal enactments that cut each op of cut
	// firsts holds each cutting revocation's first enactments that
	// validation keeps (draft 25: recogniser).
	firsts map[protocol.Hash]set
	// settle holds the distinct sets of removals that some closure's
	// rounds settle: Revoke and Disavow motions (with a kept enactment)
	// and Leaves, by hash (drafts 37 and 39, earlierRemoved).
	settle []map[protocol.Hash]bool
	k      string
	// stepped marks the anchors of a closure that is below the bound only
	// because the steps leave keys out, some counted op being a departed
	// key's twin (draft 41): an op other than a Leave settles there only
	// on 2f − 1 anchored acknowledgers.
	stepped bool
}

// inSteps returns a copy of a that asks 2f − 1 anchored acknowledgers of
// an op (draft 41) when stepped, and a itself otherwise.
func (a *anchors) inSteps(stepped bool) *anchors {
	if a == nil || !stepped {
		return a
	}
	b := *a
	b.stepped = true
	b.k += "|steps"
	return &b
}

// need returns how many anchored acknowledgers an op other than a Leave
// needs to settle, f being the settled State's hostile bound: f, or
// 2f − 1 under stepped anchors (draft 41), so that f stay when a superset
// removes fewer than f more keys of L.
func (a *anchors) need(f int) int {
	if a != nil && a.stepped {
		return 2*f - 1
	}
	return f
}

func (a *anchors) key() string {
	if a == nil {
		return ""
	}
	return a.k
}

// anchored reports whether op y counts: its author has no Leave settled
// in the union, or y precedes or is one of its author's validated Leaves.
func (a *anchors) anchored(m *model, y int) bool {
	if a == nil {
		return true
	}
	if a.cut[y] {
		return false
	}
	if !a.keys[m.ops[y].author()] {
		return true
	}
	for l, in := range a.leaves {
		if in && m.ops[l].author() == m.ops[y].author() && (l == y || m.before(y, l)) {
			return true
		}
	}
	return false
}

// leftAnchored reports whether key, which left in sub, counts as a leaver
// acknowledging a Leave: it has no Leave settled in the union, or one of
// its Leaves in sub is validated.
func (a *anchors) leftAnchored(m *model, key protocol.Key, sub set) bool {
	if a == nil || !a.keys[key] {
		return true
	}
	for l, in := range a.leaves {
		if in && sub[l] && m.ops[l].author() == key {
			return true
		}
	}
	return false
}

// newAnchors names R and V; it registers them with the model so that
// judgements (whose views carry the key) can find them.
func (m *model) newAnchors(keys map[protocol.Key]bool, leaves set, cut cutOps) *anchors {
	var ks []string
	for k := range keys {
		ks = append(ks, string(k[:]))
	}
	sort.Strings(ks)
	s := ""
	for _, k := range ks {
		s += k
	}
	// The key names cut.by too: two sets can cut the same ops by different
	// enactments, and recogniser reads which (review round 13).
	for y, in := range cut.ops {
		if in {
			s += "|" + strconv.Itoa(y) + ":"
			for _, e := range cut.by[y] {
				s += strconv.Itoa(e) + ","
			}
		}
	}
	motions := make([]string, 0, len(cut.firsts))
	for h, f := range cut.firsts {
		motions = append(motions, string(h[:])+":"+f.key())
	}
	sort.Strings(motions)
	s += "|" + strings.Join(motions, ",")
	settles := make([]string, 0, len(cut.settle))
	for _, f := range cut.settle {
		hs := make([]string, 0, len(f))
		for h := range f {
			hs = append(hs, string(h[:]))
		}
		sort.Strings(hs)
		settles = append(settles, strings.Join(hs, ""))
	}
	sort.Strings(settles)
	s += "|" + strings.Join(settles, ",")
	a := &anchors{keys: keys, leaves: leaves, cut: cut.ops, cutBy: cut.by, firsts: cut.firsts, settle: cut.settle, k: "A" + s + "|" + leaves.key() + "|" + cut.ops.key()}
	if old, ok := m.anch[a.k]; ok {
		return old
	}
	m.anch[a.k] = a
	return a
}

// rawEval is the union over the closures of a set under fixed anchors,
// with the settled Leaves that kept their quorum without the discounted
// acknowledgements (grounded).
type rawEval struct {
	z        set
	grounded set
}

// raw computes Z of sub under the anchors a: for the closure of one op,
// the rounds of §3 from its preds' closures under a; otherwise the union
// of its heads' closures. It also collects the Leaves grounded under g:
// settled with a quorum that holds without the acknowledgements g
// discounts.
func (m *model) raw(sub set, a, g *anchors) *rawEval {
	k := sub.key() + "|" + a.key() + "|" + g.key()
	if r, ok := m.raws[k]; ok {
		return r
	}
	z := make(set, len(m.ops))
	gr := make(set, len(m.ops))
	heads := m.heads(sub)
	if len(heads) == 1 && m.closure(heads[0]).key() == sub.key() {
		h := heads[0]
		if m.ops[h].op.Kind == protocol.KindGenesis {
			z[h] = true
		}
		for _, p := range m.ops[h].op.Preds {
			pr := m.raw(m.closure(m.byHash[p]), a, g)
			z, gr = z.or(pr.z), gr.or(pr.grounded)
		}
		var gh set
		z, gh = m.settleClosure(sub, z, a, g)
		gr = gr.or(gh)
	} else {
		for _, h := range heads {
			hr := m.raw(m.closure(h), a, g)
			z, gr = z.or(hr.z), gr.or(hr.grounded)
		}
	}
	r := &rawEval{z: z, grounded: gr}
	m.raws[k] = r
	return r
}

// validate computes the anchors of sub (§3.4): R, the authors of the
// Leaves settled in the union z0; V, from the Leaves that are their
// author's only settled Leave, grown by the Leaves that settle, in some
// closure of sub as the union computes it, with a quorum that holds
// without the acknowledgements the current V discounts (the least
// fixpoint from there). It returns nil when the anchors would discount
// nothing, and otherwise Z of sub under the anchors.
func (m *model) validate(sub, z0 set) (*anchors, *rawEval) {
	// The removals that cut are those validation keeps (review round 13):
	// start from every Revoke and Disavow enactment of z0 and drop those
	// that the validated set does not hold, until none is dropped. Each
	// step only drops, so this ends; a removal whose own settlement rested
	// on ops that its cut discounts cuts nothing.
	removals := make(set, len(m.ops))
	for e, in := range z0 {
		if in && m.ops[e].enact != nil && removesVoter(m.ops[e].m) {
			removals[e] = true
		}
	}
	for {
		a, r := m.validateCut(sub, z0, m.cutByRemovals(sub, z0, removals))
		zv := z0
		if a != nil {
			zv = r.z
		}
		next := make(set, len(m.ops))
		for e, in := range removals {
			next[e] = in && zv[e]
		}
		if next.key() == removals.key() {
			return a, r
		}
		removals = next
	}
}

// validateCut computes the anchors of sub (§3.4) with the cut ops given.
func (m *model) validateCut(sub, z0 set, cut cutOps) (*anchors, *rawEval) {
	keys := map[protocol.Key]bool{}
	count := map[protocol.Key]int{}
	// A Leave that a kept revocation cuts (a revoked key's thief's,
	// backdated on a stale branch) puts its author neither in R nor in V:
	// §4.1 makes it inert, and it must not turn the key's honest ops from
	// before the revocation into twins (round 33).
	leave := func(l int) bool { return m.ops[l].op.Kind == protocol.KindLeave && !cut.ops[l] }
	for l, in := range z0 {
		if in && leave(l) {
			keys[m.ops[l].author()] = true
			count[m.ops[l].author()]++
		}
	}
	if len(keys) == 0 && len(cut.by) == 0 {
		return nil, nil
	}
	leaves := make(set, len(m.ops))
	sig := m.settled(z0)
	for l, in := range z0 {
		if in && leave(l) && count[m.ops[l].author()] == 1 {
			leaves[l] = true
		}
	}
	a := m.newAnchors(keys, leaves, cut)
	vacuous := true
	for y, in := range sub {
		if in && !a.anchored(m, y) {
			vacuous = false
			break
		}
	}
	if vacuous {
		return nil, nil
	}
	strong := true
	vouched := map[protocol.Key]bool{} // the authors with a vouched Leave
	for {
		// The members that may recognise are those of the settled State
		// that validation keeps under the current V, not of the union
		// (draft 36): a stale branch of departed keys settles admissions
		// of sybils in the union, and a sybil is no more a sign of
		// honesty there than a Leave (round 29).
		kept := m.settled(m.raw(sub, a, nil).z)
		next := leaves.or(m.raw(sub, nil, a).grounded)
		// Live keys vouch for one Leave of an author at most: where they
		// vouch for two in one pass, neither enters V by vouching (round
		// 31), and once one has, no other does.
		byAuthor := map[protocol.Key][]int{}
		for l, in := range z0 {
			if in && strong && !next[l] && leave(l) && count[m.ops[l].author()] > 1 && !vouched[m.ops[l].author()] && m.vouched(l, sub, sig, kept) {
				byAuthor[m.ops[l].author()] = append(byAuthor[m.ops[l].author()], l)
			}
		}
		for k, ls := range byAuthor {
			if len(ls) == 1 {
				next[ls[0]], vouched[k] = true, true
			}
		}
		for l, in := range z0 {
			if !in || next[l] || !leave(l) {
				continue
			}
			// Where live members vouch for a Leave of the author, members
			// recognise no other (round 30); in the second step no
			// author gains a second Leave (drafts 33 and 35).
			if (strong && !vouched[m.ops[l].author()] || !strong && !m.hasLeaveIn(l, leaves)) && m.recognised(l, sub, sig, kept, a, strong) {
				next[l] = true
			}
		}
		if next.key() == leaves.key() {
			if strong {
				strong = false
				continue
			}
			return a, m.raw(sub, a, nil)
		}
		leaves = next
		a = m.newAnchors(keys, leaves, cut)
	}
}

// beyondBound returns the anchors under which the closure sub is judged
// in validation (§3.4): none when fewer than f keys (f of its preds'
// settled set z) signed unanchored ops in sub (twins, or ops that a
// revocation cut), and a otherwise. Fewer than f such keys are within §0's
// hostile allowance of sub, so sub is judged as it was; f or more are
// beyond it (settleClosure). A key whose every unanchored op in sub is a
// revoked key's cut op that sub judges inert on its own, its revocation
// settled in z (seenRevoked), is not counted; below the bound
// beyondBound returns those ops, which settle nothing in sub (draft 36).
// With own, the settled set of the closure's rounds beyond the bound, a
// key whose every other unanchored op there is a cut op of a revocation
// that own settles and z does not, and that precedes it in no first
// enactment that own settles (ownRevoked), is not counted either, and
// its ops are returned with the seen ones (draft 36). Of the keys still
// counted, those that closures of the whole set remove before the
// others, fewer than f at each step (earlierRemoved), are not counted
// either, and their ops are judged as before (drafts 37 to 39), unless
// the closure's own op is a departed key's twin (takesSteps, draft 40).
// Its third result reports whether sub is below the bound only because
// of those keys, some counted op being a twin (draft 41): its ops then
// need 2f − 1 anchored acknowledgers (anchors.need).
func (m *model) beyondBound(sub, z set, a *anchors, own set) (*anchors, set, bool) {
	if a == nil {
		return nil, nil, false
	}
	keys := map[protocol.Key]bool{}
	revoked := map[protocol.Key][]int{}
	counted := map[protocol.Key][]int{}
	var t, to *judgement
	for y, in := range sub {
		if !in || a.anchored(m, y) || a.seenLeft(m, y, sub, z) {
			continue
		}
		if a.seenRevoked(m, y, z) {
			if t == nil {
				t = m.judge(sub, z, view{x: -1, exclude: -1})
			}
			if t.inert(y) {
				revoked[m.ops[y].author()] = append(revoked[m.ops[y].author()], y)
				continue
			}
		}
		if own != nil {
			if to == nil {
				to = m.judge(sub, own, view{x: -1, exclude: -1})
			}
			if m.cutInOwnRounds(y, sub, z, own, a, to) {
				revoked[m.ops[y].author()] = append(revoked[m.ops[y].author()], y)
				continue
			}
		}
		keys[m.ops[y].author()] = true
		counted[m.ops[y].author()] = append(counted[m.ops[y].author()], y)
	}
	f := m.settled(z).hostile()
	removed := 0
	if a.takesSteps(m, sub) {
		removed = a.earlierRemoved(m, counted, f)
	}
	if len(keys)-removed >= f {
		return a, nil, false
	}
	var seen set
	for k, ys := range revoked {
		if keys[k] {
			continue
		}
		if seen == nil {
			seen = make(set, len(m.ops))
		}
		for _, y := range ys {
			seen[y] = true
		}
	}
	return nil, seen, removed > 0 && len(keys) >= f && a.hasTwin(counted)
}

// hasTwin reports whether some counted op is a twin (an unanchored op
// that no removal cuts): a departed key's op signed after it left, which
// is no member's view (draft 41).
func (a *anchors) hasTwin(counted map[protocol.Key][]int) bool {
	for _, ys := range counted {
		for _, y := range ys {
			if !a.cut[y] {
				return true
			}
		}
	}
	return false
}

// earlierRemoved returns how many of the counted keys (each with its
// unanchored ops in the closure) the whole set removes before the others
// (drafts 38 and 39). A closure ↓r removes a counted key each of whose
// counted ops is cut by a Revoke or Disavow motion that the rounds of ↓r
// settle, or is a twin of a key one of whose validated Leaves those
// rounds settle. The keys left out are the most that closures of the set
// remove one after another, each adding fewer than f keys to those the
// ones before removed (removedInSteps): the set that holds the closure
// and those closures has each step's keys removed before the next, every
// one of them a removed key that §0 does not limit, and what the closure
// settles there is final against fewer than f removals of the others. A
// closure that removes f or more at once, beyond what the ones before it
// remove, reaches back to their ops instead (§0).
func (a *anchors) earlierRemoved(m *model, counted map[protocol.Key][]int, f int) int {
	left := map[protocol.Key][]protocol.Hash{}
	for l, in := range a.leaves {
		if in {
			left[m.ops[l].author()] = append(left[m.ops[l].author()], m.ops[l].op.Hash())
		}
	}
	var groups []map[protocol.Key]bool
	for _, s := range a.settle {
		g := map[protocol.Key]bool{}
		for k, ys := range counted {
			all := true
			for _, y := range ys {
				by := false
				for _, e := range a.cutBy[y] {
					by = by || s[m.ops[e].motion]
				}
				if !a.cut[y] {
					// A twin: its key's validated Leave removes it.
					for _, h := range left[k] {
						by = by || s[h]
					}
				}
				if !by {
					all = false
					break
				}
			}
			if all {
				g[k] = true
			}
		}
		groups = append(groups, g)
	}
	return removedInSteps(groups, f)
}

// takesSteps reports whether the closure sub leaves out the keys that the
// steps remove (draft 40): not where its own op is a departed key's twin
// (an op of a key of R that no removal cuts and that precedes none of the
// key's validated Leaves). A key signs a twin only once it has left, with
// a copy it kept: such a closure is no member's view, and a removed key's
// kept copy that merges removed keys' ops would otherwise have them left
// out and their acknowledgements counted (9r58). It is judged with every
// such key counted.
func (a *anchors) takesSteps(m *model, sub set) bool {
	h := m.heads(sub)
	return len(h) != 1 || a.cut[h[0]] || a.anchored(m, h[0])
}

// removedInSteps returns how many keys the groups remove in steps: from
// the empty set, a group joins the keys removed so far when it adds fewer
// than f keys to them (draft 39). A step allowed from some keys is
// allowed from more, so the order the groups join in does not matter.
func removedInSteps(groups []map[protocol.Key]bool, f int) int {
	removed := map[protocol.Key]bool{}
	joined := make([]bool, len(groups))
	for more := true; more; {
		more = false
		for i, g := range groups {
			if joined[i] {
				continue
			}
			add := 0
			for k := range g {
				if !removed[k] {
					add++
				}
			}
			if add >= f {
				continue
			}
			joined[i], more = true, true
			for k := range g {
				removed[k] = true
			}
		}
	}
	return len(removed)
}

// seenLeft reports whether y is a departed key's twin that the closure
// sub judges void on its own (draft 36): y's author has a validated Leave
// in z, the closure's preds' union, no revocation or disavowal cuts y,
// and y precedes no Leave of its author in sub. §4.1 makes such an op
// inert wherever its author's Leave is settled, and §3.2 counts none of
// its acknowledgements, so it is no hostile key's work in sub: a removed
// key that §0 does not limit (review round 27,
// 9r31-departed-twin-tips-one-target).
func (a *anchors) seenLeft(m *model, y int, sub, z set) bool {
	author := m.ops[y].author()
	if !a.keys[author] || a.cut[y] {
		return false
	}
	left := false
	for l, in := range sub {
		if !in || m.ops[l].op.Kind != protocol.KindLeave || m.ops[l].author() != author {
			continue
		}
		if m.before(y, l) {
			return false
		}
		left = left || (a.leaves[l] && z[l])
	}
	return left
}

// seenRevoked reports whether y is a revoked key's cut op whose
// revocation the closure has seen settled (draft 36): a Revoke enactment
// that cuts y is in z, the closure's preds' union, and y is not. Where
// the closure's own Judge also makes y inert, y's author is out of L
// there and y counts for nothing, so it is no hostile key's work in the
// closure (9r42-revoked-lagger-tips-one-target).
func (a *anchors) seenRevoked(m *model, y int, z set) bool {
	if !a.cut[y] || z[y] || len(a.cutBy[y]) == 0 {
		return false
	}
	for _, e := range a.cutBy[y] {
		if m.ops[e].m.Kind == protocol.MotionRevoke && z[e] {
			return true
		}
	}
	return false
}

// settleClosure runs the rounds of the closure sub from its preds' union
// z under the anchors a of validation (§3.4). Below the bound it is
// judged as before. Beyond it the discounted ops are inert and settle
// nothing but a Leave; their acknowledgements still count if, once the
// rounds are done, fewer than f keys of the closure's settled State signed
// such ops (review round 13): the keys whose removal the closure itself
// settles are then removed keys, which §0 does not limit, and a revoked
// member's acknowledgement signed while the circle revoked it does not
// freeze the circle.
func (m *model) settleClosure(sub, z set, a, g *anchors) (set, set) {
	b, seen, stepped := m.beyondBound(sub, z, a, nil)
	if b == nil {
		return m.belowBound(sub, z, m.seenAnchors(seen, a), g, a.inSteps(stepped))
	}
	za, ga := m.rounds(sub, z, b, nil, g, a, nil)
	// Keys whose revocation these rounds settle, all of whose unanchored
	// ops it cuts, are removed keys here, which §0 does not limit (draft
	// 36): without them, fewer than f keys may remain.
	if b, seen, stepped := m.beyondBound(sub, z, a, za); b == nil {
		return m.belowBound(sub, z, m.seenAnchors(seen, a), g, a.inSteps(stepped))
	}
	if m.unanchoredMembers(sub, za, b) < m.settled(za).hostile() {
		return za, ga
	}
	return m.rounds(sub, z, b, b, g, a, nil)
}

// unanchoredMembers counts the keys of the settled State of z that
// signed ops in sub that a discounts.
func (m *model) unanchoredMembers(sub, z set, a *anchors) int {
	sig := m.settled(z)
	keys := map[protocol.Key]bool{}
	for y, in := range sub {
		if in && sig.members[m.ops[y].author()] && !a.anchored(m, y) {
			keys[m.ops[y].author()] = true
		}
	}
	return len(keys)
}

// anchoredQuorum reports whether at least f keys of the settled State of
// t acknowledge x in sub with ops that a anchors (§3.4, review round 10).
//
// Only acknowledgements made with ops count here: a target's implicit
// acknowledgement of its own removal is no evidence that an honest key
// saw the removal (review round 11).
//
// Where a is stepped (the closure is below the bound only because the
// steps leave keys out, draft 41), 2f − 1 are needed: a superset can
// remove fewer than f more keys of L, and f anchored acknowledgers must
// stay.
func (m *model) anchoredQuorum(x int, sub set, t *judgement, a *anchors) bool {
	count := 0
	for key := range t.sig.members {
		if m.acknowledgesWithOp(key, x, sub, a) {
			count++
		}
	}
	return count >= a.need(t.sig.hostile())
}

// hasLeaveIn reports whether another Leave of l's author is in leaves.
func (m *model) hasLeaveIn(l int, leaves set) bool {
	for o, in := range leaves {
		if in && o != l && m.ops[o].author() == m.ops[l].author() {
			return true
		}
	}
	return false
}
