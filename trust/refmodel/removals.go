package refmodel

import (
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// removals applies every Leave and the settled removal motions, then the
// other removal motions in the conflict order of §4.2: motions no other
// candidate threatens apply first, all at once; when every candidate left
// is threatened (cycles), the ones with the most support are decided,
// and in that tier a vote never counts against its own remover.
func (j *judgement) removals() {
	dropped := map[int]bool{} // Leaves found inert
	for {
		j.removalOrder(dropped)
		grew := false
		for i := range j.applied {
			if it := j.m.ops[i]; it.op.Kind == protocol.KindLeave && !j.z[i] && j.revokedBefore(i) {
				dropped[i], grew = true, true
			}
		}
		if !grew {
			return
		}
		clear(j.applied)
		clear(j.motions)
		clear(j.votesOf)
	}
}

// revokedBefore reports whether the Leave i does not precede an applied
// revocation of its author: a revoked key's Leave is inert and removes
// nothing (a stolen key could otherwise void what it once granted).
func (j *judgement) revokedBefore(i int) bool {
	a := j.m.ops[i].author()
	for d := range j.applied {
		if dt := j.m.ops[d]; dt.enact != nil && dt.m.Kind == protocol.MotionRevoke && *dt.m.Target == a && !j.precedes(i, dt.motion) {
			return true
		}
	}
	return false
}

// removalOrder is one pass of the conflict order, with the Leaves in
// dropped left out.
func (j *judgement) removalOrder(dropped map[int]bool) {
	forced := map[protocol.Hash]bool{}
	enacts := map[protocol.Hash][]int{}
	for i, it := range j.m.ops {
		if !j.in(i) || !isRemoval(it) || dropped[i] || j.m.disabled(it) {
			continue
		}
		switch {
		case it.op.Kind == protocol.KindLeave:
			j.applied[i] = true
		case j.z[i]:
			forced[it.motion] = true
			enacts[it.motion] = append(enacts[it.motion], i)
		case i == j.v.exclude || (j.v.settledOnly && !j.inJoint(i)):
		default:
			enacts[it.motion] = append(enacts[it.motion], i)
		}
	}
	j.applyMotions(slices.Collect(maps.Keys(forced)), enacts, nil)
	cand := map[protocol.Hash]bool{}
	for h := range enacts {
		if !forced[h] {
			cand[h] = true
		}
	}
	if j.m.opts.NoConflictOrder {
		j.allAtOnce(cand, enacts)
		return
	}
	for len(cand) > 0 {
		support := map[protocol.Hash]int{}
		for h := range cand {
			m := j.motion(enacts[h])
			support[h] = voters(j.m, j.countingVotes(h, m, nil))
			if support[h] < j.sig.threshold(m.Kind) || !j.liveEnactment(enacts[h]) {
				delete(cand, h) // for good: support only falls
			}
		}
		threatened := j.threats(cand, enacts)
		var free []protocol.Hash
		for h := range cand {
			if !threatened[h] {
				free = append(free, h)
			}
		}
		if len(free) > 0 {
			j.applyMotions(free, enacts, nil)
			for _, h := range free {
				delete(cand, h)
			}
			continue
		}
		best := 0
		for h := range cand {
			best = max(best, support[h])
		}
		var tier []protocol.Hash
		for h := range cand {
			if support[h] == best {
				tier = append(tier, h)
			}
		}
		j.applyMotions(tier, enacts, tier)
		for _, h := range tier {
			delete(cand, h)
		}
	}
}

// applyMotions applies the motions hs at once: each records its counting
// votes, taken before any of them applies. With tier set, a motion's votes
// by the keys that the tier's other Revoke or Disavow motions remove do not
// count, and a motion left below its threshold is dropped.
func (j *judgement) applyMotions(hs []protocol.Hash, enacts map[protocol.Hash][]int, tier []protocol.Hash) {
	votes := map[protocol.Hash][]int{}
	for _, h := range hs {
		m := j.motion(enacts[h])
		without := map[protocol.Key]bool{}
		for _, o := range tier {
			if om := j.motion(enacts[o]); o != h && removesVoter(om) {
				without[*om.Target] = true
			}
		}
		vs := j.countingVotes(h, m, without)
		if tier != nil && voters(j.m, vs) < j.sig.threshold(m.Kind) {
			continue
		}
		votes[h] = vs
	}
	for h, vs := range votes {
		j.motions[h], j.votesOf[h] = true, vs
		for _, e := range enacts[h] {
			j.applied[e] = true
		}
	}
}

func removesVoter(m *protocol.Motion) bool {
	return m.Kind == protocol.MotionRevoke || m.Kind == protocol.MotionDisavow
}

func (j *judgement) motion(enacts []int) *protocol.Motion { return j.m.ops[enacts[0]].m }

// liveEnactment reports whether some enactment of the motion is not
// inert: a removed key's enactment carries nothing.
func (j *judgement) liveEnactment(enacts []int) bool {
	for _, e := range enacts {
		if !j.inert(e) {
			return true
		}
	}
	return false
}

// threats returns the candidates that another candidate threatens: a
// Revoke or Disavow whose target has a counting vote on them that it would
// make inert.
func (j *judgement) threats(cand map[protocol.Hash]bool, enacts map[protocol.Hash][]int) map[protocol.Hash]bool {
	out := map[protocol.Hash]bool{}
	for t := range cand {
		tm := j.motion(enacts[t])
		if !removesVoter(tm) {
			continue
		}
		tv := j.countingVotes(t, tm, nil)
		for h := range cand {
			if h == t {
				continue
			}
			for _, v := range j.countingVotes(h, j.motion(enacts[h]), nil) {
				if j.m.ops[v].author() == *tm.Target && j.wouldInert(v, tm, tv) {
					out[h] = true
				}
			}
			// A motion all of whose enactments the target authored, and
			// would make inert, is threatened too (property tests, CE-1).
			all := true
			for _, e := range enacts[h] {
				all = all && j.m.ops[e].author() == *tm.Target && j.wouldInert(e, tm, tv)
			}
			if all {
				out[h] = true
			}
		}
	}
	return out
}

// wouldInert reports whether op v would be inert if the Revoke or Disavow
// m, with counting votes vs, applied.
func (j *judgement) wouldInert(v int, m *protocol.Motion, vs []int) bool {
	if j.z[v] && m.Kind != protocol.MotionDisavow {
		return false
	}
	if m.Kind == protocol.MotionDisavow {
		return j.m.ops[v].op.Seq >= m.From
	}
	return !j.precedesVotes(v, vs, j.sig.threshold(m.Kind))
}

// precedes reports whether op i precedes the applied removal motion h: it
// is in the past of at least threshold-many of the motion's counting votes
// (fewer when fewer counted); once an enactment of h is settled, of the
// counting votes in the past of each of its settled enactments. The
// enactor chooses nothing here (§4.8).
func (j *judgement) precedes(i int, h protocol.Hash) bool {
	vs := j.votesOf[h]
	m, settled := j.enactmentsOf(h)
	if m == nil {
		return false
	}
	if len(settled) > 0 {
		// A settled removal's cut point is fixed by each of its settled
		// enactments: i precedes it when, for every one of them, i is in
		// the past of threshold-many of the counting votes in that
		// enactment's past, and nothing precedes it where an enactment
		// holds none (its voters left, round 16). Votes cast later, by
		// members who had not seen the removal, or by removed keys'
		// thieves, and a second enactment that holds them, cannot move it
		// (review rounds 15 to 17); an enactment with fewer votes in its
		// past only cuts more of the target's unsettled ops.
		for _, e := range settled {
			var early []int
			for _, v := range vs {
				if j.m.before(v, e) {
					early = append(early, v)
				}
			}
			if len(early) == 0 || !j.precedesVotes(i, early, min(j.sig.threshold(m.Kind), voters(j.m, early))) {
				return false
			}
		}
		return true
	}
	if len(vs) == 0 {
		for e := range j.applied {
			if et := j.m.ops[e]; et.enact != nil && et.motion == h && j.m.before(i, e) {
				return true
			}
		}
		return false
	}
	return j.precedesVotes(i, vs, min(j.sig.threshold(m.Kind), voters(j.m, vs)))
}

// precedesAny reports whether op i precedes the settled removal motion h
// as §3.4's cut ops read it (draft 22), from h's first enactments (first
// holds them; firstEnactments) that have cut votes. For each such e, i
// escapes e when it is in the past of cut votes of e by t(e) distinct
// keys, and e sees i late when, besides, the keys with cut votes of e none
// of which has i in its past are f(e) or more: at least one honest voter
// of e voted without having seen i. i precedes h when it escapes some
// first enactment and no first enactment sees it late; nothing precedes h
// where no first enactment has cut votes.
//
// The cut votes of e are the votes on h that count in the Judge of e's
// past (the view in which e was admissible), less those a Disavow applied
// here reaches; t(e) and f(e) are h's threshold and the hostile bound in
// the settled State of e's past, each no more than the keys that cast
// them. An enactment that settles only where another enactment of h had
// settled before is no first enactment and moves nothing (review rounds
// 18 to 20); first enactments that settle together (round 19's late
// voters beside the first voters) cut what f of any one's voters had not
// seen, and fewer than f hostile voters of one of them, racing the first
// settlement, cut nothing the others' voters saw. Each reads its own past
// alone, so voters who leave or are revoked later do not move it (round
// 19).
func (j *judgement) precedesAny(i int, h protocol.Hash, first set) bool {
	m, settled := j.enactmentsOf(h)
	if m == nil || len(settled) == 0 {
		return j.precedes(i, h)
	}
	escapes := false
	for _, e := range settled {
		if !first[e] {
			continue
		}
		cv := j.m.cutVotesOf(e)
		var votes []int
		for _, v := range cv.votes {
			if !j.disavowed(v) {
				votes = append(votes, v)
			}
		}
		if len(votes) == 0 {
			continue
		}
		n := voters(j.m, votes)
		if j.precedesVotes(i, votes, min(cv.t, n)) {
			escapes = true
			continue
		}
		hit := map[protocol.Key]bool{}
		for _, v := range votes {
			if j.m.before(i, v) {
				hit[j.m.ops[v].author()] = true
			}
		}
		if n-len(hit) >= min(cv.f, n) {
			return false
		}
	}
	return escapes
}

// firstGroups returns, for each closure ↓y of sub that first settles h,
// the enactments it first settles: those that y's rounds settle, in the
// union over closures (undiscounted), while the union of y's preds'
// closures holds no enactment of h, in the first round that settles any
// (draft 26). Each group reads one closure and its preds' closures, so a
// later op adds a group only through a closure in which h had not
// settled before. Their union is h's first enactments.
func (m *model) firstGroups(sub set, h protocol.Hash) []set {
	var groups []set
	holds := func(z set) bool {
		for e, in := range z {
			if in && m.ops[e].enact != nil && m.ops[e].motion == h {
				return true
			}
		}
		return false
	}
	for y := range m.ops {
		if !sub[y] {
			continue
		}
		zy := m.raw(m.closure(y), nil, nil).z
		if !holds(zy) {
			continue
		}
		before := false
		for _, p := range m.ops[y].op.Preds {
			if holds(m.raw(m.closure(m.byHash[p]), nil, nil).z) {
				before = true
				break
			}
		}
		if before {
			continue
		}
		g := make(set, len(m.ops))
		for e := range m.firstRound(y, h) {
			g[e] = true
		}
		groups = append(groups, g)
	}
	return groups
}

// firstRound returns the enactments of h that settle in the first round
// of ↓y's rounds (undiscounted, from its preds' union) that settles any
// (draft 26): an enactment that settles only in a later round, once the
// first one has shrunk the quorum, settles where h had settled before
// (round 22, 9r26-later-closure-makes-enactment-first).
func (m *model) firstRound(y int, h protocol.Hash) map[int]bool {
	z := make(set, len(m.ops))
	for _, p := range m.ops[y].op.Preds {
		z = z.or(m.raw(m.closure(m.byHash[p]), nil, nil).z)
	}
	var first map[int]bool
	m.roundHook = func(z, next set) {
		if first != nil {
			return
		}
		for e, in := range next {
			if in && !z[e] && m.ops[e].enact != nil && m.ops[e].motion == h {
				if first == nil {
					first = map[int]bool{}
				}
				first[e] = true
			}
		}
	}
	m.rounds(m.closure(y), z, nil, nil, nil, nil, nil)
	return first
}

// cutVotes are the votes that fix a settled enactment's cut point (§3.4),
// with the threshold they are read against.
type cutVotes struct {
	votes []int
	t     int
	f     int // the hostile bound of the same settled State
}

// cutVotesOf returns the cut votes of the removal enactment e: the votes
// on its motion that count in Judge(past(e), Z(past(e))), and the motion's
// threshold in Settled(Z(past(e))).
func (m *model) cutVotesOf(e int) cutVotes {
	if cv, ok := m.cuts[e]; ok {
		return cv
	}
	it := m.ops[e]
	j := m.eval(m.pastSet(e)).j
	cv := cutVotes{votes: j.countingVotes(it.motion, it.m, nil), t: j.sig.threshold(it.m.Kind), f: j.sig.hostile()}
	m.cuts[e] = cv
	return cv
}

// disavowed reports whether an applied Disavow reaches op i (§4.6).
func (j *judgement) disavowed(i int) bool {
	it := j.m.ops[i]
	for d := range j.applied {
		if dt := j.m.ops[d]; dt.enact != nil && dt.m.Kind == protocol.MotionDisavow && *dt.m.Target == it.author() && it.op.Seq >= dt.m.From {
			return true
		}
	}
	return false
}

// enactmentsOf returns the motion h of an applied removal and its settled
// enactments (nil if none of its enactments applied).
func (j *judgement) enactmentsOf(h protocol.Hash) (*protocol.Motion, []int) {
	var m *protocol.Motion
	var settled []int
	for e := range j.applied {
		if et := j.m.ops[e]; et.enact != nil && et.motion == h {
			m = et.m
			if j.z[e] {
				settled = append(settled, e)
			}
		}
	}
	return m, settled
}

// precedesVotes reports whether op i is in the past of votes by at least t
// distinct keys among vs.
func (j *judgement) precedesVotes(i int, vs []int, t int) bool {
	keys := map[protocol.Key]bool{}
	for _, v := range vs {
		if j.m.before(i, v) {
			keys[j.m.ops[v].author()] = true
		}
	}
	return len(keys) >= t
}

// inert reports whether op i is void because its author left, was revoked
// or was disavowed (§4.1). An op survives a Leave it precedes (any of the
// author's Leaves: a backdated twin Leave voids nothing that came before
// the real one) and a revocation it precedes; settled ops survive both,
// but not a Disavow.
func (j *judgement) inert(i int) bool {
	it := j.m.ops[i]
	a := it.author()
	var leaves, precededLeave bool
	for d := range j.applied {
		dt := j.m.ops[d]
		switch {
		case dt.op.Kind == protocol.KindLeave && dt.author() == a:
			leaves = true
			if d == i || j.m.before(i, d) {
				precededLeave = true
			}
		case dt.enact != nil && dt.m.Kind == protocol.MotionDisavow && *dt.m.Target == a:
			if it.op.Seq >= dt.m.From {
				return true
			}
		case dt.enact != nil && dt.m.Kind == protocol.MotionRevoke && *dt.m.Target == a:
			if !j.z[i] && !j.precedes(i, dt.motion) {
				return true
			}
		}
	}
	if j.anch != nil && j.anch.cut[i] && !j.z[i] {
		// A revoked or disavowed key's op beyond its settled removal, in a
		// closure that does not hold the removal (§3.4, review round 9).
		return true
	}
	if j.anch != nil && j.anch.keys[a] {
		// A key with a Leave settled in the union: only its validated
		// Leaves count here (§3.4, CE-4), so a thief's backdated Leave
		// after its stale ops legitimises nothing.
		return !j.z[i] && !j.anch.anchored(j.m, i)
	}
	return leaves && !precededLeave && !j.z[i]
}

// countingVotes returns the votes on motion h that count (§4.1): by keys
// of L other than the subject and the keys in without, not inert, and for
// charter votes not cut by a suspension.
func (j *judgement) countingVotes(h protocol.Hash, m *protocol.Motion, without map[protocol.Key]bool) []int {
	var out []int
	for i, it := range j.m.ops {
		if !j.in(i) || it.vote == nil || it.motion != h {
			continue
		}
		v := it.author()
		if !j.sig.members[v] || without[v] || (m.Kind != protocol.MotionCharter && v == m.Subject()) || j.inert(i) {
			continue
		}
		if m.Kind == protocol.MotionCharter && j.suspendedCut(i) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// voters counts the distinct authors of the votes vs.
func voters(m *model, vs []int) int {
	keys := map[protocol.Key]bool{}
	for _, v := range vs {
		keys[m.ops[v].author()] = true
	}
	return len(keys)
}
