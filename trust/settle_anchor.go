package trust

import (
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// Validated settlement (docs/membership.md §3.4, CE-4) on the engine's dag,
// as trust/refmodel computes it.

// anchors are R, the keys with a Leave settled in the union over closures,
// and V, the validated settled Leaves. An op of a key of R counts (as an
// acknowledgement, and against inertness) only if it precedes or is a
// Leave of V. The ops in cut, of the targets of Revoke and Disavow
// enactments in the union, are those their removal makes inert: they
// count for nothing in any closure. A nil *anchors discounts nothing.
type anchors struct {
	keys   map[protocol.Key]bool
	leaves map[nodeID]bool
	cut    map[nodeID]bool
	cutBy  map[nodeID][]*node // the settled removal enactments that cut each op of cut
	k      string
}

func (a *anchors) key() string {
	if a == nil {
		return ""
	}
	return a.k
}

func newAnchors(keys map[protocol.Key]bool, leaves map[nodeID]bool, cut cutOps) *anchors {
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, string(k[:]))
	}
	slices.Sort(ks)
	s := "A"
	for _, k := range ks {
		s += k
	}
	return &anchors{keys: keys, leaves: leaves, cut: cut.ops, cutBy: cut.by, k: s + "|" + zKey(leaves) + "|" + zKey(cut.ops)}
}

// anchored reports whether op y counts.
func (a *anchors) anchored(d *dag, y *node) bool {
	if a == nil {
		return true
	}
	if a.cut[y.id] {
		return false
	}
	if !a.keys[y.op.Author] {
		return true
	}
	for id := range a.leaves {
		l := d.nodes[id]
		if l.op.Author == y.op.Author && (l == y || d.inPast(y, l)) {
			return true
		}
	}
	return false
}

// leftAnchored reports whether key, which left in c, counts as a leaver:
// it has no Leave settled in the union, or one of its Leaves in c is
// validated.
func (s *settler) leftAnchored(a *anchors, key protocol.Key, c closure) bool {
	if a == nil || !a.keys[key] {
		return true
	}
	for id := range a.leaves {
		if l := s.d.nodes[id]; l.op.Author == key && s.in(c, l) {
			return true
		}
	}
	return false
}

// rawZ is Z of a closure or past under fixed anchors, with the settled
// Leaves that kept their quorum without the discounted acknowledgements.
type rawZ struct {
	z        map[nodeID]bool
	grounded map[nodeID]bool
}

// raw returns Z of c under a, and the Leaves grounded under g.
func (s *settler) raw(c closure, a, g *anchors) *rawZ {
	k := s.key(c) + "|" + a.key() + "|" + g.key()
	if r, ok := s.raws[k]; ok {
		return r
	}
	z, gr := map[nodeID]bool{}, map[nodeID]bool{}
	add := func(pr *rawZ) {
		maps.Copy(z, pr.z)
		maps.Copy(gr, pr.grounded)
	}
	if c.top == nil {
		for _, p := range c.preds {
			add(s.raw(closureOf(p), a, g))
		}
	} else {
		if c.top.op.Kind == protocol.KindGenesis {
			z[c.top.id] = true
		}
		add(s.raw(s.pastOf(c.top), a, g))
		var gh map[nodeID]bool
		z, gh = s.rounds(c, z, s.beyondBound(c, z, a), g, a)
		maps.Copy(gr, gh)
	}
	r := &rawZ{z: z, grounded: gr}
	s.raws[k] = r
	return r
}

// settled is the validated evaluation of a closure or past.
type settled struct {
	z    map[nodeID]bool
	anch *anchors
}

// eval returns Z of c (§3 with §3.4) and its anchors.
func (s *settler) eval(c closure) *settled {
	k := s.key(c)
	if e, ok := s.evals[k]; ok {
		return e
	}
	z0 := s.raw(c, nil, nil).z
	e := &settled{z: z0}
	keys := map[protocol.Key]bool{}
	count := map[protocol.Key]int{}
	for id := range z0 {
		if n := s.d.nodes[id]; n.op.Kind == protocol.KindLeave {
			keys[n.op.Author] = true
			count[n.op.Author]++
		}
	}
	cut := s.cutByRemovals(c, z0)
	if len(keys) > 0 || len(cut.ops) > 0 {
		leaves := map[nodeID]bool{}
		sig := s.sigma(c, z0)
		for id := range z0 {
			if n := s.d.nodes[id]; n.op.Kind == protocol.KindLeave && count[n.op.Author] == 1 {
				leaves[id] = true
			}
		}
		a := newAnchors(keys, leaves, cut)
		vacuous := true
		for _, n := range s.opsOf(c) {
			if !a.anchored(s.d, n) {
				vacuous = false
				break
			}
		}
		if !vacuous {
			for {
				r := s.raw(c, nil, a)
				grew := false
				next := map[nodeID]bool{}
				for id := range leaves {
					next[id] = true
				}
				for id := range r.grounded {
					if !next[id] {
						next[id], grew = true, true
					}
				}
				for id := range z0 {
					if n := s.d.nodes[id]; !next[id] && n.op.Kind == protocol.KindLeave && s.recognised(n, c, sig, a) {
						next[id], grew = true, true
					}
				}
				if !grew {
					e = &settled{z: s.raw(c, a, nil).z, anch: a}
					break
				}
				leaves = next
				a = newAnchors(keys, leaves, cut)
			}
		}
	}
	s.evals[k] = e
	return e
}

// sigma is Σ = Settled(z) of closure c (§3.1).
func (s *settler) sigma(c closure, z map[nodeID]bool) settledState {
	return (&judgement{set: s.membershipOf(c), z: func(n *node) bool { return z[n.id] }}).settled()
}

// otherLeaveIn reports whether z holds a Leave by the author of the Leave
// x other than x.
func (s *settler) otherLeaveIn(x *node, z map[nodeID]bool) bool {
	for id := range z {
		if l := s.d.nodes[id]; l != x && l.op.Kind == protocol.KindLeave && l.op.Author == x.op.Author {
			return true
		}
	}
	return false
}

// beyondBound returns the anchors under which closure c is judged in
// validation: none when fewer than f keys (f of its preds' settled set z)
// signed unanchored ops in c (twins, or ops that a revocation cut) that
// weigh on what c settles, and a otherwise.
func (s *settler) beyondBound(c closure, z map[nodeID]bool, a *anchors) *anchors {
	if a == nil {
		return nil
	}
	keys := map[protocol.Key]bool{}
	ops := s.opsOf(c)
	for _, n := range ops {
		if !keys[n.op.Author] && !a.anchored(s.d, n) && s.weighs(n, ops, z) {
			keys[n.op.Author] = true
		}
	}
	sig := s.sigma(c, z)
	if len(keys) < sig.t.Hostile {
		return nil
	}
	return a
}

// anchoredQuorum reports whether at least f keys of the closure's settled
// State acknowledge x with ops that a anchors (review round 10): at least
// one of them honest and none a removed key's thief, so a stale branch
// that thieves and fewer than f hostile members made settles nothing.
//
// Only acknowledgements made with ops count here, not a target's implicit
// acknowledgement of its own removal.
func (s *settler) anchoredQuorum(x *node, c closure, ops []*node, t *judgement, a *anchors) bool {
	count := 0
	for key := range t.sig.members {
		if s.acknowledgesWithOp(key, x, c, ops, a) {
			count++
		}
	}
	return count >= t.sig.t.Hostile
}

// cutOps are the ops that settled removals make inert, each with the
// removal enactments that cut it.
type cutOps struct {
	ops map[nodeID]bool
	by  map[nodeID][]*node
}

// cutByRemovals returns the ops of c that the Revoke and Disavow
// enactments settled in z0 make inert, judged in c with z0: a revoked
// key's ops that precede no cut point of its revocation, and a disavowed
// key's ops from the disavowed seq, settled or not.
func (s *settler) cutByRemovals(c closure, z0 map[nodeID]bool) cutOps {
	cut := cutOps{ops: map[nodeID]bool{}, by: map[nodeID][]*node{}}
	var t *judgement
	for id := range z0 {
		e := s.d.nodes[id]
		if e.op.Kind != protocol.KindEnact || !removesVoters(motionOf(e)) {
			continue
		}
		if t == nil {
			t = s.judge(c, z0, judgeView{})
		}
		if !t.motions[e.motion] {
			continue
		}
		m := motionOf(e)
		for _, y := range s.opsOf(c) {
			if y.op.Author != *m.Target {
				continue
			}
			if (m.Kind == protocol.MotionDisavow && y.op.Seq >= m.From) ||
				(m.Kind != protocol.MotionDisavow && !t.precedes(y, e.motion)) {
				cut.ops[y.id] = true
				cut.by[y.id] = append(cut.by[y.id], e)
			}
		}
	}
	return cut
}

// twin reports whether y is an op of a key of R that precedes none of its
// validated Leaves: only a kept or stolen copy signs one.
func (a *anchors) twin(d *dag, y *node) bool {
	if a == nil || !a.keys[y.op.Author] {
		return false
	}
	for id := range a.leaves {
		if l := d.nodes[id]; l.op.Author == y.op.Author && (l == y || d.inPast(y, l)) {
			return false
		}
	}
	return true
}

// weighs reports whether the unanchored op y can weigh on what its
// closure (of ops) settles, other than by settling itself (review round
// 12): it is a vote or a decision; its past holds an op outside z; or a key
// other than its author acknowledges it with a later op in whose ack view
// y is effective.
func (s *settler) weighs(y *node, ops []*node, z map[nodeID]bool) bool {
	if y.op.Kind == protocol.KindVote || isDecisionNode(y) {
		return true
	}
	for _, p := range s.opsOf(s.pastOf(y)) {
		if !z[p.id] {
			return true
		}
	}
	for _, w := range ops {
		if w.op.Author != y.op.Author && s.d.inPast(y, w) && s.ackView(w, y).effective(y) {
			return true
		}
	}
	return false
}

// recogniser reports whether y may recognise a Leave: it is anchored, or
// it is a revoked key's op, no twin, cut only by Revoke enactments, and in
// the past of each earliest of them, so the circle saw it before it
// enacted the revocation and no thief signed it afterwards (review round
// 12).
func (a *anchors) recogniser(d *dag, y *node) bool {
	if a.anchored(d, y) {
		return true
	}
	by := a.cutBy[y.id]
	if a.twin(d, y) || len(by) == 0 {
		return false
	}
	for _, e := range by {
		if motionOf(e).Kind != protocol.MotionRevoke {
			return false
		}
		earliest := true
		for _, o := range by {
			earliest = earliest && !d.inPast(o, e)
		}
		if earliest && !d.inPast(y, e) {
			return false
		}
	}
	return true
}

// recognised reports whether at least f keys (f of sig) acknowledged the
// Leave l with an op y in c that a anchors, each a member in the settled
// State of y's own past, and whose past settles no other Leave of l's
// author: the members who acknowledged a real Leave before any twin of it
// settled tell it apart, and still do after they leave themselves.
func (s *settler) recognised(l *node, c closure, sig settledState, a *anchors) bool {
	keys := map[protocol.Key]bool{}
	for _, y := range s.opsOf(c) {
		k := y.op.Author
		if keys[k] || (y != l && !s.d.inPast(l, y)) || !a.recogniser(s.d, y) {
			continue
		}
		past := s.pastOf(y)
		pz := s.raw(past, nil, nil).z
		if !s.sigma(past, pz).members[k] {
			continue
		}
		if y != l && !s.ackView(y, l).effective(l) {
			continue
		}
		other := false
		for id := range pz {
			if o := s.d.nodes[id]; o != l && o.op.Kind == protocol.KindLeave && o.op.Author == l.op.Author {
				other = true
				break
			}
		}
		if !other {
			keys[k] = true
		}
	}
	return len(keys) >= sig.t.Hostile
}
