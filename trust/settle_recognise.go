package trust

import (
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// The cut ops and the recognition of Leaves (docs/membership.md §3.4) on
// the engine's dag, as trust/refmodel computes them.

// cutOps are the ops that settled removals make inert, each with the
// removal enactments that cut it.
type cutOps struct {
	ops    map[vertexID]bool
	by     map[vertexID][]*vertex
	firsts map[protocol.Hash]map[vertexID]bool // each cutting revocation's kept first enactments
	// settle holds, for each closure of the set, the Revoke and Disavow
	// motions with a kept enactment that its rounds settle an enactment
	// of and the Leaves they settle, by hash (the union, undiscounted),
	// each distinct set once (drafts 37 and 39).
	settle []map[protocol.Hash]bool
}

// cutByRemovals returns the ops of c that the Revoke and Disavow
// enactments settled in z0 and among removals make inert, judged in c with z0: a revoked
// key's ops that precede no cut point of its revocation, and a disavowed
// key's ops from the disavowed seq, settled or not; but a revocation never
// cuts an op settled in the past of each of its first enactments (draft
// 23, settledBeforeFirst).
func (s *settler) cutByRemovals(c closure, z0 *zset, removals map[vertexID]bool) cutOps {
	cut := cutOps{ops: map[vertexID]bool{}, by: map[vertexID][]*vertex{}, firsts: map[protocol.Hash]map[vertexID]bool{}}
	var t *judgement
	for _, e := range z0.removals() {
		if !removals[e.id] || e.op.Kind != protocol.KindEnact || !removesVoters(motionOf(e)) {
			continue
		}
		if t == nil {
			t = s.judge(c, z0, judgeView{})
		}
		if !t.motions[e.motion] {
			continue
		}
		// Only the first enactments that validation keeps fix the cut
		// point, as only the removals it keeps cut.
		first := map[vertexID]bool{}
		var groups []map[vertexID]bool
		for _, g := range s.firstGroups(c, e.motion) {
			kept := map[vertexID]bool{}
			for id := range g {
				if removals[id] {
					kept[id] = true
					first[id] = true
				}
			}
			groups = append(groups, kept)
		}
		cut.firsts[e.motion] = first
		m := motionOf(e)
		before := s.settledBeforeFirst(groups)
		for _, y := range s.opsBy(*m.Target) {
			if !s.in(c, y) {
				continue
			}
			if m.Kind == protocol.MotionDisavow && y.op.Seq >= m.From {
				cut.ops[y.id] = true
				cut.by[y.id] = append(cut.by[y.id], e)
				continue
			}
			if s.settledInSome(before, y) {
				// Settled in the past of every first enactment of some
				// closure that first settled the revocation: the circle
				// settled it before it enacted the revocation there
				// (drafts 23 and 31).
				continue
			}
			// A revoked key's op, or a disavowed key's op below the
			// disavowed seq, is cut unless it precedes the cut point
			// (rounds 35 and 37).
			if !t.precedesAny(y, e.motion, first, s.cutVotesOf) {
				cut.ops[y.id] = true
				cut.by[y.id] = append(cut.by[y.id], e)
			}
		}
	}
	cut.settle = s.revocationsSettled(c, z0, removals)
	return cut
}

// revocationsSettled returns the distinct sets of removals that the
// rounds of some closure of c settle (the union over closures,
// undiscounted), the empty set left out: the Revoke and Disavow motions
// with an enactment among removals of which the closure settles an
// enactment (draft 37; Disavows since draft 39; the motions'
// first-enactment indexes say which closures hold one), and the hashes
// of the Leaves of z0 it settles (draft 39, leaveHeld; earlierRemoved
// reads only those of V).
func (s *settler) revocationsSettled(c closure, z0 *zset, removals map[vertexID]bool) []map[protocol.Hash]bool {
	var hs []protocol.Hash
	for id := range removals {
		if e := s.d.vertices[id]; e.op.Kind == protocol.KindEnact && removesVoters(motionOf(e)) && !slices.Contains(hs, e.motion) {
			hs = append(hs, e.motion)
		}
	}
	slices.SortFunc(hs, compareHashes)
	var ls []*vertex
	for _, n := range z0.removals() {
		if n.op.Kind == protocol.KindLeave {
			ls = append(ls, n)
		}
	}
	if len(hs)+len(ls) == 0 {
		return nil
	}
	fis := make([]*firstIndex, len(hs))
	for i, h := range hs {
		s.firstEnactments(c, h) // brings the index up to c
		fis[i] = s.firsts[h]
	}
	seen := map[string]bool{}
	var out []map[protocol.Hash]bool
	buf := make([]byte, len(hs)+len(ls))
	for _, v := range s.d.vertices {
		if !s.in(c, v) {
			continue
		}
		held := false
		for i, fi := range fis {
			buf[i] = 0
			if int(v.id) < len(fi.held) && fi.held[v.id] {
				buf[i], held = 1, true
			}
		}
		for i, l := range ls {
			buf[len(hs)+i] = 0
			if s.leaveHeld(l, v) {
				buf[len(hs)+i], held = 1, true
			}
		}
		if !held || seen[string(buf)] {
			continue
		}
		seen[string(buf)] = true
		f := map[protocol.Hash]bool{}
		for i, b := range buf {
			switch {
			case b == 0:
			case i < len(hs):
				f[hs[i]] = true
			default:
				f[ls[i-len(hs)].op.hash] = true
			}
		}
		out = append(out, f)
	}
	return out
}

// leaveHeld reports whether the closure of y holds the Leave l settled
// (the union over closures, undiscounted), op by op as firstIndex does
// for motions: a closure holds it where one of its preds' closures does,
// as Z only grows from the preds' union.
func (s *settler) leaveHeld(l, y *vertex) bool {
	h := s.leftHeld[l.id]
	for id := vertexID(len(h)); id <= y.id; id++ {
		v := s.d.vertices[id]
		held := false
		if v == l || s.d.inPast(l, v) {
			for _, p := range s.predsOf(v) {
				held = held || h[p.id]
			}
			if !held {
				held = s.raw(closureOf(v), nil, nil).z.hasIn(l)
			}
		}
		h = append(h, held)
	}
	s.leftHeld[l.id] = h
	return h[y.id]
}

// settledBeforeFirst returns, for each group of first enactments (the
// first round of one closure that first settled the revocation, less
// those validation drops; firstGroups), Z(past(e)), the union over
// closures (undiscounted), of each of its enactments e (§3.4, drafts 23
// and 31): an op of the target settled in the past of each enactment of
// one group settled before the revocation was first enacted there, and
// the revocation does not cut it.
func (s *settler) settledBeforeFirst(groups []map[vertexID]bool) [][]pastZ {
	var out [][]pastZ
	for _, g := range groups {
		var zs []pastZ
		for id, in := range g {
			if in {
				e := s.d.vertices[id]
				zs = append(zs, pastZ{e: e, z: s.raw(s.pastOf(e), nil, nil).z})
			}
		}
		if len(zs) > 0 {
			out = append(out, zs)
		}
	}
	return out
}

// pastZ is Z(past(e)) of an enactment e.
type pastZ struct {
	e *vertex
	z *zset
}

// settledInSome reports whether, for some group of groups, y is in
// Z(past(e)) for each of its pastZ.
func (s *settler) settledInSome(groups [][]pastZ, y *vertex) bool {
	for _, zs := range groups {
		if s.settledInEach(zs, y) {
			return true
		}
	}
	return false
}

// settledInEach reports whether y is in Z(past(e)) for each pastZ of zs,
// and zs is not empty.
func (s *settler) settledInEach(zs []pastZ, y *vertex) bool {
	for _, p := range zs {
		if !s.d.inPast(y, p.e) || !p.z.hasIn(y) {
			return false
		}
	}
	return len(zs) > 0
}

// firstEnactments returns the enactments of the motion h in c with which
// h first settled in c (§3.4, draft 22): those that the rounds of some
// closure ↓y of c settle, in the union over closures (undiscounted), while
// none of y's preds' closures holds an enactment of h. Whether y's rounds
// first settle h reads y's closure and its preds' alone, so the index
// records it op by op in applied order, with the first enactments each
// closure holds: a closure's are its top's, or the union of its preds'.
// The result is shared: callers must not change it.
func (s *settler) firstEnactments(c closure, h protocol.Hash) map[vertexID]bool {
	fi := s.firsts[h]
	if fi == nil {
		fi = &firstIndex{}
		s.firsts[h] = fi
	}
	if c.top != nil {
		fi.upTo(s, h, c.top.id)
		return fi.at(c.top.id)
	}
	var out map[vertexID]bool
	for _, p := range c.preds {
		fi.upTo(s, h, p.id)
		out = unionFirsts(out, fi.at(p.id))
	}
	return out
}

// firstGroups returns, for each closure ↓y in c that first settles h,
// the enactments of h its first round settles (firstEnactments is their
// union).
func (s *settler) firstGroups(c closure, h protocol.Hash) []map[vertexID]bool {
	s.firstEnactments(c, h) // brings the index up to c
	fi := s.firsts[h]
	var out []map[vertexID]bool
	for _, g := range fi.groups {
		if s.in(c, s.d.vertices[g.top]) {
			out = append(out, g.first)
		}
	}
	return out
}

// firstIndex is, for one motion, which ops' closures hold a settled
// enactment of it (undiscounted) and the first enactments each holds.
type firstIndex struct {
	es      []*vertex           // the motion's enactments applied, in applied order
	scanned int                 // how many of the dag's membership ops es reflects
	held    []bool              // by op id: its closure holds a settled enactment
	firsts  []map[vertexID]bool // by op id: the first enactments its closure holds (shared)
	groups  []firstGroup        // the closures that first settle the motion, in applied order
}

// firstGroup is one closure ↓top that first settles a motion, with the
// enactments its first round settles.
type firstGroup struct {
	top   vertexID
	first map[vertexID]bool
}

func (fi *firstIndex) at(id vertexID) map[vertexID]bool {
	if int(id) < len(fi.firsts) {
		return fi.firsts[id]
	}
	return nil
}

// upTo extends the index to the op with id last.
func (fi *firstIndex) upTo(s *settler, h protocol.Hash, last vertexID) {
	for ; fi.scanned < len(s.d.membership); fi.scanned++ {
		n := s.d.vertices[s.d.membership[fi.scanned]]
		if n.op.Kind == protocol.KindEnact && n.motion == h {
			fi.es = append(fi.es, n)
		}
	}
	for id := vertexID(len(fi.held)); id <= last; id++ {
		y := s.d.vertices[id]
		var now []*vertex
		var z *zset
		for _, e := range fi.es {
			if e.id > id {
				break
			}
			if e == y || s.d.inPast(e, y) {
				if z == nil {
					z = s.raw(closureOf(y), nil, nil).z
				}
				if z.hasIn(e) {
					now = append(now, e)
				}
			}
		}
		var f map[vertexID]bool
		before := false
		for _, p := range s.predsOf(y) {
			before = before || fi.held[p.id]
			f = unionFirsts(f, fi.firsts[p.id])
		}
		if len(now) > 0 && !before {
			g := maps.Clone(f)
			if g == nil {
				g = map[vertexID]bool{}
			}
			group := map[vertexID]bool{}
			first := s.firstRound(y, now)
			for _, e := range now {
				if first[e.id] {
					g[e.id] = true
					group[e.id] = true
				}
			}
			f = g
			fi.groups = append(fi.groups, firstGroup{top: id, first: group})
		}
		fi.held = append(fi.held, len(now) > 0)
		fi.firsts = append(fi.firsts, f)
	}
}

// firstRound returns which of the enactments now, all of one motion and
// settled by the rounds of y's closure (undiscounted, from y's past), the
// first round that settles any of them settles (draft 26): an enactment
// that settles only in a later round, once the first has shrunk the
// quorum, settles where its motion had settled before (round 22,
// 9r26-later-closure-makes-enactment-first).
func (s *settler) firstRound(y *vertex, now []*vertex) map[vertexID]bool {
	z := s.extend(y, s.raw(s.pastOf(y), nil, nil).z)
	var first map[vertexID]bool
	s.roundHook = func(settle map[vertexID]bool) {
		if first != nil {
			return
		}
		for _, e := range now {
			if settle[e.id] {
				first = settle
				return
			}
		}
	}
	s.rounds(closureOf(y), z, nil, nil, nil, nil, nil)
	s.roundHook = nil
	return first
}

// unionFirsts returns the union of a and b, one of them when it holds the
// other; it changes neither.
func unionFirsts(a, b map[vertexID]bool) map[vertexID]bool {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	covers := func(x, y map[vertexID]bool) bool {
		for id := range y {
			if !x[id] {
				return false
			}
		}
		return true
	}
	if covers(a, b) {
		return a
	}
	if covers(b, a) {
		return b
	}
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// cutVotesOf returns the cut votes of the removal enactment e (§3.4,
// draft 21): the votes on its motion that count in Judge(past(e),
// Z(past(e))), the view in which e was admissible, and the motion's
// threshold in the settled State of that past. Both read e's past alone.
func (s *settler) cutVotesOf(e *vertex) cutVotes {
	if cv, ok := s.cutVotes[e.id]; ok {
		return cv
	}
	past := s.pastOf(e)
	ev := s.eval(past)
	j := s.judge(past, ev.z, judgeView{anch: ev.anch})
	m := motionOf(e)
	cv := cutVotes{votes: j.countingVotes(e.motion, m, nil), t: j.sig.threshold(m.Kind), f: j.sig.t.Hostile}
	s.cutVotes[e.id] = cv
	return cv
}

// cutVotes are the votes that fix a settled enactment's cut point, with
// the threshold they are read against.
type cutVotes struct {
	votes []*vertex
	t     int
	f     int // the hostile bound of the same settled State
}

// twin reports whether y is an op of a key of R that precedes none of its
// validated Leaves: only a kept or stolen copy signs one.
func (a *anchors) twin(d *dag, y *vertex) bool {
	if a == nil || !a.keys[y.op.Author] {
		return false
	}
	for id := range a.leaves {
		if l := d.vertices[id]; l.op.Author == y.op.Author && (l == y || d.inPast(y, l)) {
			return false
		}
	}
	return true
}

// recogniser reports whether y may recognise a Leave: it is anchored, or
// it is a revoked key's op, no twin, cut only by Revoke enactments, and in
// the past of each first enactment of those revocations, so the circle
// saw it before it first enacted the revocation and no thief signed it
// afterwards (review round 12). A hostile member's later enactment that
// leaves y out is no first enactment and takes nothing back (review round
// 14, draft 25). Where validation keeps no first enactment of the motion,
// y must precede each earliest enactment that cuts it.
func (a *anchors) recogniser(d *dag, y *vertex) bool {
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
		if first := a.firsts[e.motion]; len(first) > 0 {
			for id := range first {
				if !d.inPast(y, d.vertices[id]) {
					return false
				}
			}
			continue
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
// Leave l with an op y in c that may recognise, each a member in the
// settled State of y's own past, and whose past settles no other Leave of
// l's author: the members who acknowledged a real Leave before any twin of
// it settled tell it apart, and still do after they leave themselves. A
// key that is a member of sig must also be one of kept, the settled State
// that validation keeps under a (draft 36). The f keys must be members at
// once: some op w holds their ops and has them
// all in the settled State of its past, and where f or more of those
// members signed unanchored ops in w's closure only anchored recognisers
// count (review round 13).
func (s *settler) recognised(l *vertex, c closure, sig, kept settledState, a *anchors, strong bool) bool {
	var ys []*vertex
	ops := s.opsOf(c)
	for _, y := range ops {
		k := y.op.Author
		if (y != l && !s.d.inPast(l, y)) || !a.recogniser(s.d, y) {
			continue
		}
		if sig.members[k] && !kept.members[k] {
			continue // only the union admits it: a stale branch's sybil (draft 36)
		}
		if strong && !sig.members[k] {
			continue // a removed key recognises only in the second step (drafts 33 and 35)
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
		for _, o := range pz.removals() {
			if o != l && o.op.Kind == protocol.KindLeave && o.op.Author == l.op.Author {
				other = true
				break
			}
		}
		// A member in the settled State that validation keeps of y's
		// past, not only in its union (review round 32).
		if !other && s.sigma(past, s.eval(past).z).members[k] {
			ys = append(ys, y)
		}
	}
	if len(ys) == 0 {
		return false
	}
	var unanchored []*vertex // only the keys a suspects sign unanchored ops
	for _, o := range s.opsOfKeys(c, a.suspects(s.d)) {
		if !a.anchored(s.d, o) {
			unanchored = append(unanchored, o)
		}
	}
	for _, w := range ops {
		if w.op.Kind == protocol.KindGenesis {
			continue // no recognising op precedes it
		}
		past := s.pastOf(w)
		members := s.sigma(past, s.raw(past, nil, nil).z).members
		suspects := map[protocol.Key]bool{}
		for _, o := range unanchored {
			if (o == w || s.d.inPast(o, w)) && members[o.op.Author] {
				suspects[o.op.Author] = true
			}
		}
		beyond := len(suspects) >= sig.t.Hostile
		keys := map[protocol.Key]bool{}
		for _, y := range ys {
			if (y == w || s.d.inPast(y, w)) && members[y.op.Author] && (!beyond || a.anchored(s.d, y)) {
				keys[y.op.Author] = true
			}
		}
		if len(keys) >= sig.t.Hostile {
			return true
		}
	}
	return false
}

// vouched reports whether at least f live keys (members of sig, the
// settled State of the union, and of kept, the one validation keeps) each
// hold the Leave l validated in one of their first views of it (draft 36):
// an op y of the key whose past settles l in the union over its closures
// and has the key a member of its settled State (round 31), while no
// earlier op of the key's does, with Eval(past(y)) validating l.
// A live member carries forward what the members of its time recognised,
// after they leave; removed keys never vouch. Only first views are
// evaluated, so a contested Leave costs one evaluation per live key and
// branch, not one per op.
func (s *settler) vouched(l *vertex, c closure, sig, kept settledState) bool {
	keys := map[protocol.Key]bool{}
	firsts := map[protocol.Key][]*vertex{}
	for _, y := range s.opsOf(c) {
		k := y.op.Author
		if keys[k] || !sig.members[k] || !kept.members[k] || !s.d.inPast(l, y) {
			continue
		}
		later := false
		for _, f := range firsts[k] {
			later = later || s.d.inPast(f, y)
		}
		past := s.pastOf(y)
		if later || !s.view(past, k, l) {
			continue
		}
		firsts[k] = append(firsts[k], y)
		e := s.eval(past)
		if e.z.has(l) && (e.anch == nil || e.anch.leaves[l.id]) && s.sigma(past, e.z).members[k] {
			keys[k] = true
		}
	}
	return len(keys) >= sig.t.Hostile
}

// view reports whether past, the past of an op of key, is one in which the
// key may vouch for the Leave l: it settles l in the union and has the key
// a member of its settled State (review round 31: applicants fed a thief's
// history must not vouch with their admissions).
func (s *settler) view(past closure, key protocol.Key, l *vertex) bool {
	z := s.raw(past, nil, nil).z
	return z.has(l) && s.sigma(past, z).members[key]
}
