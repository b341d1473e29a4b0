package refmodel

import (
	"sort"

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
	k      string
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
func (m *model) newAnchors(keys map[protocol.Key]bool, leaves, cut set) *anchors {
	var ks []string
	for k := range keys {
		ks = append(ks, string(k[:]))
	}
	sort.Strings(ks)
	s := ""
	for _, k := range ks {
		s += k
	}
	a := &anchors{keys: keys, leaves: leaves, cut: cut, k: "A" + s + "|" + leaves.key() + "|" + cut.key()}
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
		z, gh = m.rounds(sub, z, m.beyondBound(sub, z, a), g, a)
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
	keys := map[protocol.Key]bool{}
	count := map[protocol.Key]int{}
	for l, in := range z0 {
		if in && m.ops[l].op.Kind == protocol.KindLeave {
			keys[m.ops[l].author()] = true
			count[m.ops[l].author()]++
		}
	}
	cut := m.cutByRemovals(sub, z0)
	if len(keys) == 0 && cut.key() == make(set, len(m.ops)).key() {
		return nil, nil
	}
	leaves := make(set, len(m.ops))
	sig := m.settled(z0)
	for l, in := range z0 {
		if in && m.ops[l].op.Kind == protocol.KindLeave && count[m.ops[l].author()] == 1 {
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
	for {
		next := leaves.or(m.raw(sub, nil, a).grounded)
		for l, in := range z0 {
			if in && !next[l] && m.ops[l].op.Kind == protocol.KindLeave && m.recognised(l, sub, sig, a) {
				next[l] = true
			}
		}
		if next.key() == leaves.key() {
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
// beyond it, and there their unanchored ops settle and acknowledge nothing.
func (m *model) beyondBound(sub, z set, a *anchors) *anchors {
	if a == nil {
		return nil
	}
	keys := map[protocol.Key]bool{}
	for y, in := range sub {
		if in && !a.anchored(m, y) {
			keys[m.ops[y].author()] = true
		}
	}
	if len(keys) < m.settled(z).hostile() {
		return nil
	}
	return a
}

// anchoredQuorum reports whether at least f keys of the settled State of
// t acknowledge x in sub with ops that a anchors (§3.4, review round 10).
//
// Only acknowledgements made with ops count here: a target's implicit
// acknowledgement of its own removal is no evidence that an honest key
// saw the removal (review round 11).
func (m *model) anchoredQuorum(x int, sub set, t *judgement, a *anchors) bool {
	count := 0
	for key := range t.sig.members {
		if m.acknowledgesWithOp(key, x, sub, a) {
			count++
		}
	}
	return count >= t.sig.hostile()
}

// cutByRemovals returns the ops of sub that the Revoke and Disavow
// enactments settled in z0 make inert (§4.1), judged in sub with z0: a
// revoked key's ops that precede no cut point of its revocation, and a
// disavowed key's ops from the disavowed seq. Settled ops are cut too:
// validation reads them in closures that do not hold the removal.
func (m *model) cutByRemovals(sub, z0 set) set {
	cut := make(set, len(m.ops))
	var t *judgement
	for e, in := range z0 {
		et := m.ops[e]
		if !in || et.enact == nil || !removesVoter(et.m) {
			continue
		}
		if t == nil {
			t = m.judge(sub, z0, view{x: -1, exclude: -1})
		}
		if !t.motions[et.motion] {
			continue
		}
		for y, yin := range sub {
			if !yin || m.ops[y].author() != *et.m.Target {
				continue
			}
			if et.m.Kind == protocol.MotionDisavow {
				cut[y] = cut[y] || m.ops[y].op.Seq >= et.m.From
			} else if !t.precedes(y, et.motion) {
				cut[y] = true
			}
		}
	}
	return cut
}

// recognised reports whether at least f keys (f of sig, the settled State
// of the whole set) acknowledged the Leave l with an op y in sub that a
// anchors, each a member in the settled State of y's own past, and whose
// past settles no other Leave of l's author (review rounds 9 and 11).
// Members who left at once settle their Leaves on each other's implicit
// acknowledgements; when kept copies later settle twins of them on a
// stale branch, the members who acknowledged the real Leaves before any
// twin settled tell them apart, and still do after they leave themselves:
// their acknowledgements precede their own validated Leaves.
func (m *model) recognised(l int, sub set, sig *sigma, a *anchors) bool {
	author := m.ops[l].author()
	keys := map[protocol.Key]bool{}
	for y, in := range sub {
		k := m.ops[y].author()
		if !in || keys[k] || (y != l && !m.before(l, y)) || !a.anchored(m, y) {
			continue
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
		if !other {
			keys[k] = true
		}
	}
	return len(keys) >= sig.hostile()
}
