package trust

import (
	"encoding/binary"
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
	leaves map[vertexID]bool
	cut    map[vertexID]bool
	cutBy  map[vertexID][]*vertex // the settled removal enactments that cut each op of cut
	firsts map[protocol.Hash]map[vertexID]bool
	// settle holds the distinct sets of removals that some closure's
	// rounds settle: Revoke and Disavow motions (with a kept enactment)
	// and Leaves, by hash (drafts 37 and 39, earlierRemoved).
	settle     []map[protocol.Hash]bool
	settleKeys map[string]string // settleIn's part by the motions and Leaves a closure's counted ops read

	suspect keyset // the keys some of whose ops are not anchored, once asked for

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

func newAnchors(keys map[protocol.Key]bool, leaves map[vertexID]bool, cut cutOps) *anchors {
	return &anchors{keys: keys, leaves: leaves, cut: cut.ops, cutBy: cut.by, firsts: cut.firsts, settle: cut.settle}
}

// anchored reports whether op y counts.
func (a *anchors) anchored(d *dag, y *vertex) bool {
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
		l := d.vertices[id]
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
		if l := s.d.vertices[id]; l.op.Author == key && s.in(c, l) {
			return true
		}
	}
	return false
}

// anchorsIn is the part of the anchors a that can matter to closure c, as
// a cache key: the cut ops in c, and for each key of R with ops in c its
// validated Leaves. Whether an op of c is anchored (and a Judge of c's ops
// finds it inert), and whether a key that left in c left anchored, read
// nothing else; so anchors equal here settle c alike and share its memo,
// and the cut ops of a revocation that settles later re-settle only the
// closures that hold them. nil anchors, which discount nothing and ask for
// no anchored quorum, key as "".
func (s *settler) anchorsIn(a *anchors, c closure) string {
	if a == nil {
		return ""
	}
	var cut []int
	for id := range a.cut {
		if s.in(c, s.d.vertices[id]) {
			cut = append(cut, int(id))
		}
	}
	slices.Sort(cut)
	b := binary.BigEndian.AppendUint32([]byte{'A'}, uint32(len(cut)))
	for _, id := range cut {
		b = binary.BigEndian.AppendUint32(b, uint32(id))
	}
	var keys []protocol.Key
	for k := range a.keys {
		if s.hasOpsIn(k, c) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	var left []protocol.Hash
	var kb []byte
	kb = binary.BigEndian.AppendUint32(kb, uint32(len(keys)))
	for _, k := range keys {
		kb = append(kb, k[:]...)
		var leaves []int
		for id := range a.leaves {
			if l := s.d.vertices[id]; l.op.Author == k {
				leaves = append(leaves, int(id))
				left = append(left, l.op.hash)
			}
		}
		slices.Sort(leaves)
		kb = binary.BigEndian.AppendUint32(kb, uint32(len(leaves)))
		for _, id := range leaves {
			kb = binary.BigEndian.AppendUint32(kb, uint32(id))
		}
	}
	b = append(b, s.settleIn(a, cut, left)...)
	b = append(b, kb...)
	return string(b)
}

// settleIn is the part of a.settle that can matter to a closure whose
// cut ops are cut and whose keys of R have the validated Leaves left
// (earlierRemoved reads it): each set of removals cut down to the
// motions of the enactments that cut those ops and to those Leaves, the
// distinct ones sorted.
func (s *settler) settleIn(a *anchors, cut []int, left []protocol.Hash) string {
	if len(a.settle) == 0 || len(cut)+len(left) == 0 {
		return ""
	}
	hs := slices.Clone(left)
	for _, y := range cut {
		for _, e := range a.cutBy[vertexID(y)] {
			if !slices.Contains(hs, e.motion) {
				hs = append(hs, e.motion)
			}
		}
	}
	if len(hs) == 0 {
		return ""
	}
	slices.SortFunc(hs, compareHashes)
	var k []byte
	for _, h := range hs {
		k = append(k, h[:]...)
	}
	if p, ok := a.settleKeys[string(k)]; ok {
		return p
	}
	var parts []string
	for _, f := range a.settle {
		var b []byte
		for _, h := range hs {
			if f[h] {
				b = append(b, h[:]...)
			}
		}
		if len(b) > 0 && !slices.Contains(parts, string(b)) {
			parts = append(parts, string(b))
		}
	}
	slices.Sort(parts)
	p := joinKeys(parts...)
	if a.settleKeys == nil {
		a.settleKeys = map[string]string{}
	}
	a.settleKeys[string(k)] = p
	return p
}

// joinKeys joins cache key parts, each prefixed with its length, so that
// no two lists of parts give one key.
func joinKeys(parts ...string) string {
	var b []byte
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return string(b)
}

// hasOpsIn reports whether key signed an op of closure c: the first op of
// an unforked chain is in c when any is.
func (s *settler) hasOpsIn(key protocol.Key, c closure) bool {
	ops := s.opsBy(key)
	if len(ops) == 0 {
		return false
	}
	if !s.forked[key] {
		return s.in(c, ops[0])
	}
	for _, y := range ops {
		if s.in(c, y) {
			return true
		}
	}
	return false
}

// rawZ is Z of a closure or past under fixed anchors, with the settled
// Leaves that kept their quorum without the discounted acknowledgements.
type rawZ struct {
	z        *zset
	grounded map[vertexID]bool
}

// raw returns Z of c under a, and the Leaves grounded under g.
func (s *settler) raw(c closure, a, g *anchors) *rawZ {
	if a == nil && g != nil && s.leaversOf(c).empty() {
		// g grounds Leaves and changes nothing else: without anchors,
		// the rounds settle the same ops whatever g, and a closure
		// without a Leave grounds none.
		return s.raw(c, nil, nil)
	}
	k := joinKeys(s.key(c), s.anchorsIn(a, c), s.anchorsIn(g, c))
	if c.top == nil {
		if r, ok := s.pastRaws.get(k); ok {
			return r
		}
	} else if r, ok := s.raws.get(k); ok {
		return r
	} else if r, ok := s.marks[k]; ok {
		return r
	}
	var gr map[vertexID]bool
	var z *zset
	if c.top == nil {
		zs := make([]*zset, 0, len(c.preds))
		for _, p := range c.preds {
			pr := s.raw(closureOf(p), a, g)
			zs = append(zs, pr.z)
			gr = addGrounded(gr, pr.grounded)
		}
		z = s.union(c, zs)
	} else {
		pr := s.raw(s.pastOf(c.top), a, g)
		gr = addGrounded(gr, pr.grounded)
		z = s.extend(c.top, pr.z)
		var gh map[vertexID]bool
		z, gh = s.settleClosure(c, z, a, g)
		gr = addGrounded(gr, gh)
	}
	r := &rawZ{z: z, grounded: gr}
	switch {
	case c.top == nil:
		s.pastRaws.put(k, r)
	case memoLimits.marks > 0 && int(c.top.id)%memoLimits.marks == 0:
		s.marks[k] = r
	default:
		s.raws.put(k, r)
	}
	return r
}

// addGrounded adds the Leaves of src to dst, which it makes when src has
// some: most closures ground none and keep a nil map.
func addGrounded(dst, src map[vertexID]bool) map[vertexID]bool {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[vertexID]bool, len(src))
	}
	maps.Copy(dst, src)
	return dst
}

// settled is the validated evaluation of a closure or past.
type settled struct {
	z    *zset
	anch *anchors
}

// eval returns Z of c (§3 with §3.4) and its anchors. The removals that
// cut are those validation keeps: it starts from every Revoke and Disavow
// enactment of the union and drops those the validated set does not hold,
// until none is dropped (review round 13).
func (s *settler) eval(c closure) *settled {
	k := s.key(c)
	if e, ok := s.evals.get(k); ok {
		return e
	}
	z0 := s.raw(c, nil, nil).z
	removals := map[vertexID]bool{}
	for _, n := range z0.removals() {
		if n.op.Kind == protocol.KindEnact && removesVoters(motionOf(n)) {
			removals[n.id] = true
		}
	}
	for {
		e := s.validateCut(c, z0, s.cutByRemovals(c, z0, removals))
		next := map[vertexID]bool{}
		for id := range removals {
			if e.z.has(s.d.vertices[id]) {
				next[id] = true
			}
		}
		if len(next) == len(removals) {
			s.evals.put(k, e)
			return e
		}
		removals = next
	}
}

// validateCut is the validated evaluation of c (§3.4) with the cut ops
// given.
func (s *settler) validateCut(c closure, z0 *zset, cut cutOps) *settled {
	e := &settled{z: z0}
	keys := map[protocol.Key]bool{}
	count := map[protocol.Key]int{}
	// A Leave that a kept revocation cuts puts its author neither in R
	// nor in V (review round 33).
	leave := func(n *vertex) bool { return n.op.Kind == protocol.KindLeave && !cut.ops[n.id] }
	for _, n := range z0.removals() {
		if leave(n) {
			keys[n.op.Author] = true
			count[n.op.Author]++
		}
	}
	if len(keys) == 0 && len(cut.ops) == 0 {
		return e
	}
	leaves := map[vertexID]bool{}
	sig := s.sigma(c, z0)
	for _, n := range z0.removals() {
		if leave(n) && count[n.op.Author] == 1 {
			leaves[n.id] = true
		}
	}
	a := newAnchors(keys, leaves, cut)
	vacuous := true
	for _, n := range s.opsOfKeys(c, a.suspects(s.d)) {
		if !a.anchored(s.d, n) {
			vacuous = false
			break
		}
	}
	if vacuous {
		return e
	}
	strong := true
	vouched := map[protocol.Key]bool{} // the authors with a vouched Leave
	for {
		// The members that may recognise are those of the settled State
		// that validation keeps under the current V, not of the union
		// (draft 36): a stale branch of departed keys settles admissions
		// of sybils in the union (review round 29).
		kept := s.sigma(c, s.raw(c, a, nil).z)
		r := s.raw(c, nil, a)
		grew := false
		next := map[vertexID]bool{}
		for id := range leaves {
			next[id] = true
		}
		for id := range r.grounded {
			if !next[id] {
				next[id], grew = true, true
			}
		}
		// Live keys vouch for one Leave of an author at most: where they
		// vouch for two in one pass, neither enters V by vouching (round
		// 31), and once one has, no other does.
		byAuthor := map[protocol.Key][]*vertex{}
		for _, n := range z0.removals() {
			if strong && !next[n.id] && leave(n) && count[n.op.Author] > 1 && !vouched[n.op.Author] && s.vouched(n, c, sig, kept) {
				byAuthor[n.op.Author] = append(byAuthor[n.op.Author], n)
			}
		}
		for k, ns := range byAuthor {
			if len(ns) == 1 {
				next[ns[0].id], grew, vouched[k] = true, true, true
			}
		}
		for _, n := range z0.removals() {
			if next[n.id] || !leave(n) {
				continue
			}
			// Where live members vouch for a Leave of the author, members
			// recognise no other (round 30); in the second step no
			// author gains a second Leave (drafts 33 and 35).
			if (strong && !vouched[n.op.Author] || !strong && !s.hasLeaveIn(n, leaves)) && s.recognised(n, c, sig, kept, a, strong) {
				next[n.id], grew = true, true
			}
		}
		if !grew {
			if strong {
				strong = false
				continue
			}
			return &settled{z: s.raw(c, a, nil).z, anch: a}
		}
		leaves = next
		a = newAnchors(keys, leaves, cut)
	}
}

// sigma is Σ = Settled(z) of closure c (§3.1).
func (s *settler) sigma(c closure, z *zset) settledState {
	return *s.sigmaOf(c, z)
}

// sigmaOf is sigma, kept on z when c is z's own closure. Callers must not
// change it.
func (s *settler) sigmaOf(c closure, z *zset) *settledState {
	if z.sig != nil && sameClosure(c, z.c) {
		return z.sig
	}
	if !sameClosure(c, z.c) {
		sig := (&judgement{set: s.membershipOf(c), z: z.has}).settled()
		return &sig
	}
	// Settled reads only the Leaves and enactments of the set, all in
	// c, and z holds those of them that are not in its window: closures
	// with one frontier and one window of decisions share it.
	x := s.indexOf(c)
	var b []byte
	for _, n := range z.win {
		if isDecisionVertex(n) {
			b = binary.BigEndian.AppendUint32(b, uint32(n.id))
		}
	}
	k := sigmaKey{x, string(b)}
	if sig, ok := s.sigmas[k]; ok {
		z.sig = sig
		return sig
	}
	sig := (&judgement{set: x.set, z: z.hasIn}).settled()
	z.sig = &sig
	s.sigmas[k] = &sig
	return &sig
}

// sigmaKey names a settled State: the membership ops of a frontier and
// the decisions among them in the window.
type sigmaKey struct {
	x   *setIndex
	win string
}

// sameClosure reports whether c and o are one closure or past.
func sameClosure(c, o closure) bool {
	if c.top != nil || o.top != nil {
		return c.top == o.top
	}
	return slices.Equal(c.preds, o.preds)
}

// otherLeaveIn reports whether z holds a Leave by the author of the Leave
// x other than x.
func (s *settler) otherLeaveIn(x *vertex, z *zset) bool {
	for _, l := range z.removals() {
		if l != x && l.op.Kind == protocol.KindLeave && l.op.Author == x.op.Author {
			return true
		}
	}
	return false
}

// beyondBound returns the anchors under which closure c is judged in
// validation: none when fewer than f keys (f of its preds' settled set z)
// signed unanchored ops in c (twins, or ops that a revocation cut), and a
// otherwise. A key whose every unanchored op in c is a revoked key's cut
// op that c judges inert on its own, its revocation settled in z
// (seenRevoked), is not counted; below the bound beyondBound returns
// those ops, which settle nothing in c (draft 36). With own, the settled
// set of the closure's rounds beyond the bound, a key whose every other
// unanchored op there is cut in those rounds alone (cutInOwnRounds) is
// not counted either, and its ops are returned with the seen ones (draft
// 36). Of the keys still counted, those that closures of the whole set
// remove before the others, fewer than f at each step (earlierRemoved),
// are not counted either, and their ops are judged as before (drafts 37
// to 39), unless c's own op is a departed key's twin (takesSteps, draft
// 40). Its third result reports whether c is below the bound only
// because of those keys, some counted op being a twin (draft 41): its
// ops then need 2f − 1 anchored acknowledgers (anchors.need).
func (s *settler) beyondBound(c closure, z *zset, a *anchors, own *zset) (*anchors, map[vertexID]bool, bool) {
	if a == nil {
		return nil, nil, false
	}
	ops := s.opsOfKeys(c, a.suspects(s.d))
	leaves := map[protocol.Key][]*vertex{}
	for _, n := range ops {
		if n.op.Kind == protocol.KindLeave {
			leaves[n.op.Author] = append(leaves[n.op.Author], n)
		}
	}
	keys := map[protocol.Key]bool{}
	revoked := map[protocol.Key][]*vertex{}
	counted := map[protocol.Key][]*vertex{}
	var t *judgement
	var o *ownRounds
	if own != nil {
		o = s.ownRoundsOf(c, z, own)
	}
	for _, n := range ops {
		if a.anchored(s.d, n) || s.seenLeft(a, n, leaves[n.op.Author], z) {
			continue
		}
		if a.seenRevoked(n, z) {
			if t == nil {
				t = s.judge(c, z, judgeView{})
			}
			if t.inert(n) {
				revoked[n.op.Author] = append(revoked[n.op.Author], n)
				continue
			}
		}
		if o != nil && o.cuts(a, n) {
			revoked[n.op.Author] = append(revoked[n.op.Author], n)
			continue
		}
		keys[n.op.Author] = true
		counted[n.op.Author] = append(counted[n.op.Author], n)
	}
	sig := s.sigma(c, z)
	removed := 0
	if a.takesSteps(s.d, c) {
		removed = a.earlierRemoved(s.d, counted, sig.t.Hostile)
	}
	if len(keys)-removed >= sig.t.Hostile {
		return a, nil, false
	}
	var seen map[vertexID]bool
	for k, ns := range revoked {
		if keys[k] {
			continue
		}
		if seen == nil {
			seen = map[vertexID]bool{}
		}
		for _, n := range ns {
			seen[n.id] = true
		}
	}
	return nil, seen, removed > 0 && len(keys) >= sig.t.Hostile && a.hasTwin(counted)
}

// hasTwin reports whether some counted op is a twin (an unanchored op
// that no removal cuts): a departed key's op signed after it left, which
// is no member's view (draft 41).
func (a *anchors) hasTwin(counted map[protocol.Key][]*vertex) bool {
	for _, ns := range counted {
		for _, n := range ns {
			if !a.cut[n.id] {
				return true
			}
		}
	}
	return false
}

// earlierRemoved returns how many of the counted keys (each with its
// unanchored ops in the closure) the whole set removes before the others
// (drafts 38 and 39): the most that closures remove one after another,
// each adding fewer than f keys to those the ones before removed
// (removedInSteps), where a closure removes a key each of whose counted
// ops is cut by a Revoke or Disavow motion that its rounds settle, or is
// a twin of a key one of whose validated Leaves they settle.
func (a *anchors) earlierRemoved(d *dag, counted map[protocol.Key][]*vertex, f int) int {
	if f < 2 || len(counted) == 0 {
		return 0
	}
	left := map[protocol.Key][]protocol.Hash{}
	for id, in := range a.leaves {
		if l := d.vertices[id]; in {
			left[l.op.Author] = append(left[l.op.Author], l.op.hash)
		}
	}
	groups := make([]map[protocol.Key]bool, 0, len(a.settle))
	for _, set := range a.settle {
		g := map[protocol.Key]bool{}
		for k, ys := range counted {
			all := true
			for _, y := range ys {
				by := false
				for _, e := range a.cutBy[y.id] {
					by = by || set[e.motion]
				}
				if !a.cut[y.id] {
					// A twin: its key's validated Leave removes it.
					for _, h := range left[k] {
						by = by || set[h]
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

// takesSteps reports whether closure c leaves out the keys that the steps
// remove (draft 40): not where its own op is a departed key's twin (an op
// of a key of R that no removal cuts and that precedes none of the key's
// validated Leaves). Such a closure is no member's view: a key signs a
// twin only once it has left, with a copy it kept, and the steps' argument
// (the set that holds the closure and the steps has each step's keys
// removed, and what settles there rests on honest acknowledgers) fails
// when a removed key's kept copy merges the removed keys' ops itself
// (9r58). It is judged with every such key counted.
func (a *anchors) takesSteps(d *dag, c closure) bool {
	return c.top == nil || a.cut[c.top.id] || a.anchored(d, c.top)
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

// seenRevoked reports whether y is a revoked key's cut op whose
// revocation the closure has seen settled (draft 36): a Revoke enactment
// that cuts y is in z, the closure's preds' union, and y is not. Where the
// closure's Judge also makes y inert, y's author is out of L there and y
// counts for nothing, so it is no hostile key's work in the closure
// (9r42-revoked-lagger-tips-one-target).
func (a *anchors) seenRevoked(y *vertex, z *zset) bool {
	if !a.cut[y.id] || z.has(y) {
		return false
	}
	for _, e := range a.cutBy[y.id] {
		if motionOf(e).Kind == protocol.MotionRevoke && z.has(e) {
			return true
		}
	}
	return false
}

// seenLeft reports whether y is a departed key's twin that its closure
// judges void on its own (draft 36): its author has a validated Leave in
// z, the closure's preds' union, no removal cuts y, and y precedes none
// of its author's Leaves in the closure (leaves). Such an op is inert
// wherever its author's Leave is settled, so it is no hostile key's work
// there (review round 27).
func (s *settler) seenLeft(a *anchors, y *vertex, leaves []*vertex, z *zset) bool {
	if !a.keys[y.op.Author] || a.cut[y.id] {
		return false
	}
	left := false
	for _, l := range leaves {
		if s.d.inPast(y, l) {
			return false
		}
		left = left || (a.leaves[l.id] && z.has(l))
	}
	return left
}

// settleClosure runs the rounds of closure c from its preds' union z
// under the anchors a of validation. Beyond the bound the unanchored ops
// are inert and settle nothing but a Leave, and their acknowledgements
// still count if, after the rounds, fewer than f keys of the closure's
// settled State signed unanchored ops (review round 13).
func (s *settler) settleClosure(c closure, z *zset, a, g *anchors) (*zset, map[vertexID]bool) {
	b, seen, stepped := s.beyondBound(c, z, a, nil)
	if b == nil {
		return s.belowBound(c, z, seenAnchors(seen, a), g, a.inSteps(stepped))
	}
	za, ga := s.rounds(c, z, b, nil, g, a, nil)
	// Keys whose revocation these rounds settle, all of whose unanchored
	// ops it cuts, are removed keys here, which §0 does not limit (draft
	// 36): without them, fewer than f keys may remain.
	if b, seen, stepped := s.beyondBound(c, z, a, za); b == nil {
		return s.belowBound(c, z, seenAnchors(seen, a), g, a.inSteps(stepped))
	}
	if s.unanchoredMembers(c, za, b) < s.sigma(c, za).t.Hostile {
		return za, ga
	}
	return s.rounds(c, z, b, b, g, a, nil)
}

// unanchoredMembers counts the keys of the settled State of z that
// signed ops in c that a discounts.
func (s *settler) unanchoredMembers(c closure, z *zset, a *anchors) int {
	sig := s.sigma(c, z)
	keys := map[protocol.Key]bool{}
	for _, y := range s.opsOfKeys(c, a.suspects(s.d)) {
		if sig.members[y.op.Author] && !a.anchored(s.d, y) {
			keys[y.op.Author] = true
		}
	}
	return len(keys)
}

// anchoredQuorum reports whether at least f keys of the closure's settled
// State sig (members, as a keyset) acknowledge x with ops that a anchors
// (review round 10): at least one of them honest and none a removed key's
// thief, so a stale branch that thieves and fewer than f hostile members
// made settles nothing.
//
// Only acknowledgements made with ops count here, not a target's implicit
// acknowledgement of its own removal.
//
// Where a is stepped (the closure is below the bound only because the
// steps leave keys out, draft 41), 2f − 1 are needed: a superset can
// remove fewer than f more keys of L, and f anchored acknowledgers must
// stay.
func (s *settler) anchoredQuorum(x *vertex, c closure, sig settledState, members keyset, a *anchors, leavers keyset) bool {
	return s.ackersWithOp(x, c, a, leavers).countIn(members) >= a.need(sig.t.Hostile)
}

// hasLeaveIn reports whether another Leave of l's author is in leaves.
func (s *settler) hasLeaveIn(l *vertex, leaves map[vertexID]bool) bool {
	for id := range leaves {
		if n := s.d.vertices[id]; n != l && n.op.Author == l.op.Author {
			return true
		}
	}
	return false
}
