package trust

import (
	"github.com/kring-circle/kring/protocol"
)

// This file and judge_verdict.go are Judge(S, Z) of docs/membership.md §4,
// the rules that replace the version-1 resolver, on the engine's dag. The
// settlement that feeds it Z (§3) comes in a later change; until then the
// Engine keeps the version-1 resolver, and the tests check this Judge
// against the reference model (trust/refmodel) given the model's Z.

// judgeView says how a judgement runs: plain Judge(S, Z), or a variant
// that settlement reads (§3.2, §3.3).
type judgeView struct {
	// ack: lifts outside Z other than x do not apply.
	ack bool
	// x is the op judged in an ack view, or nil.
	x *vertex
	// exclude is a removal that never applies, or nil.
	exclude *vertex
	// settledOnly: no removal outside Z applies but the Leaves and joint.
	settledOnly bool
	// joint are the round's acknowledged decisions (with settledOnly).
	joint map[vertexID]bool
	// anch are the anchors of validated settlement (§3.4), or nil.
	anch *anchors
}

// settledState is Σ = Settled(Z) (§3.1).
type settledState struct {
	members map[protocol.Key]bool
	charter protocol.Charter
	top     uint64 // the highest settled charter version, contested or not
	t       Thresholds
}

// judgement is Judge(S, Z) of the membership ops in set.
type judgement struct {
	d   *dag
	set []*vertex // the membership ops of S, in a topological order
	in  func(*vertex) bool
	z   func(*vertex) bool
	zs  *zset // the settled set z reads, when settlement made the judgement
	// share keys the decisions of a judgement that closures with one
	// membership frontier, one window of membership ops and no fork share
	// (settler.judge); empty for the others.
	share string
	sig   settledState
	v     judgeView

	votes   map[protocol.Hash][]*vertex // votes by motion
	enacts  map[protocol.Hash][]*vertex // enactments by motion
	byAuth  map[int32][]*vertex         // ops of each author among set
	applied map[vertexID]bool           // Leaves, and enactments of motions that applied
	// appliedTo holds the same by the key each concerns: a Leave's author,
	// an enactment's target.
	appliedTo map[protocol.Key][]*vertex
	motions   map[protocol.Hash]bool      // removal motions that applied
	votesOf   map[protocol.Hash][]*vertex // their counting votes when they applied
	dropped   map[vertexID]bool           // Leaves found inert

	lifts    map[vertexID]bool
	tied     map[vertexID]bool // keep-lifts that tie with another (§4.4): not effective
	standing map[protocol.Hash]bool
	forkFrom map[int32]uint32
	discard  map[vertexID]bool
	tainted  map[vertexID]bool
	disavows []*protocol.Motion // the Disavow motions that applied
	live     map[vertexID]bool
	charterE map[vertexID]bool
}

// judgeSet judges the membership ops set (topological, genesis first),
// with in telling which ops of the dag are in S and z which are settled.
func judgeSet(d *dag, set []*vertex, in, z func(*vertex) bool, v judgeView) *judgement {
	return judgeIndexed(d, indexSet(set), in, z, v, nil)
}

// setIndex is a set of membership ops with its votes and enactments by
// motion and its ops by author. Judgements of one set share it: nothing
// changes it once built.
type setIndex struct {
	set    []*vertex
	votes  map[protocol.Hash][]*vertex
	enacts map[protocol.Hash][]*vertex
	byAuth map[int32][]*vertex
	admits int // endorsements and Admit enactments: the size of live
	// removals are the Leaves and Revoke and Disavow enactments, in the
	// set's order.
	removals []*vertex
}

func indexSet(set []*vertex) *setIndex {
	x := &setIndex{set: set, votes: map[protocol.Hash][]*vertex{}, enacts: map[protocol.Hash][]*vertex{}, byAuth: map[int32][]*vertex{}}
	for _, n := range set {
		x.byAuth[n.author] = append(x.byAuth[n.author], n)
		switch n.op.Kind {
		case protocol.KindVote:
			x.votes[n.motion] = append(x.votes[n.motion], n)
		case protocol.KindEnact:
			x.enacts[n.motion] = append(x.enacts[n.motion], n)
		}
		x.count(n)
	}
	return x
}

// count counts n, the set's last op so far, in admits and removals.
func (x *setIndex) count(n *vertex) {
	m := motionOf(n)
	if m != nil && m.Kind == protocol.MotionAdmit {
		x.admits++
	}
	if n.op.Kind == protocol.KindLeave || (n.op.Kind == protocol.KindEnact && removesVoters(m)) {
		x.removals = append(x.removals, n)
	}
}

// judgeIndexed is judgeSet of the indexed set; sig, when not nil, is the
// set's Settled(z), which it would otherwise compute.
func judgeIndexed(d *dag, x *setIndex, in, z func(*vertex) bool, v judgeView, sig *settledState) *judgement {
	j := &judgement{d: d, set: x.set, in: in, z: z, v: v,
		votes: x.votes, enacts: x.enacts, byAuth: x.byAuth,
		applied: map[vertexID]bool{}, appliedTo: map[protocol.Key][]*vertex{}, motions: map[protocol.Hash]bool{}, votesOf: map[protocol.Hash][]*vertex{},
		dropped: map[vertexID]bool{}, lifts: map[vertexID]bool{}, standing: map[protocol.Hash]bool{},
		forkFrom: map[int32]uint32{}, discard: map[vertexID]bool{}, tainted: map[vertexID]bool{},
		live: make(map[vertexID]bool, x.admits), charterE: map[vertexID]bool{}, tied: map[vertexID]bool{},
	}
	if sig != nil {
		j.sig = *sig
	} else {
		j.sig = j.settled()
	}
	j.removals()
	j.taint()
	j.liftsAndSuspensions()
	j.forks()
	j.grants()
	j.charters()
	return j
}

// motionOf returns the motion of a vote or an enactment.
func motionOf(n *vertex) *protocol.Motion {
	switch b := n.op.Content().(type) {
	case *protocol.Vote:
		return &b.Motion
	case *protocol.Enact:
		return &b.Motion
	}
	return nil
}

func isRemovalVertex(n *vertex) bool {
	if n.op.Kind == protocol.KindLeave {
		return true
	}
	if n.op.Kind != protocol.KindEnact {
		return false
	}
	switch motionOf(n).Kind {
	case protocol.MotionRevoke, protocol.MotionSuspend, protocol.MotionDisavow:
		return true
	}
	return false
}

func removesVoters(m *protocol.Motion) bool {
	return m.Kind == protocol.MotionRevoke || m.Kind == protocol.MotionDisavow
}

// settled computes Σ from the settled ops of the set (§3.1).
func (j *judgement) settled() settledState {
	g := j.set[0].op.Content().(*protocol.Genesis)
	s := settledState{members: map[protocol.Key]bool{}, charter: g.Charter}
	for _, f := range g.Founders {
		s.members[f.Key] = true
	}
	var removed []protocol.Key
	charters := map[uint64]map[protocol.Hash]*protocol.Charter{}
	for _, n := range j.set {
		if !j.z(n) {
			continue
		}
		switch {
		case n.op.Kind == protocol.KindLeave:
			removed = append(removed, n.op.Author)
		case n.op.Kind == protocol.KindEnact:
			m := motionOf(n)
			switch m.Kind {
			case protocol.MotionAdmit:
				s.members[n.op.Author] = true
			case protocol.MotionRevoke, protocol.MotionDisavow:
				removed = append(removed, *m.Target)
			case protocol.MotionCharter:
				if charters[m.Charter.Version] == nil {
					charters[m.Charter.Version] = map[protocol.Hash]*protocol.Charter{}
				}
				charters[m.Charter.Version][n.motion] = m.Charter
			}
		}
	}
	for _, k := range removed {
		delete(s.members, k)
	}
	for v, ms := range charters {
		if len(ms) == 1 && v > s.charter.Version {
			for _, c := range ms {
				s.charter = *c
			}
		}
	}
	s.top = s.charter.Version
	for v := range charters {
		s.top = max(s.top, v)
	}
	s.t = ThresholdsFor(&s.charter, len(s.members))
	return s
}

// threshold returns the votes a removal, lift or charter motion needs.
func (s *settledState) threshold(k protocol.MotionKind) int {
	switch k {
	case protocol.MotionSuspend:
		return s.t.Suspend
	case protocol.MotionRevoke, protocol.MotionUnsuspend:
		return s.t.Revoke
	case protocol.MotionAdmit:
		return s.t.Admit
	}
	return s.t.Change
}

// removals applies the Leaves that are not inert and the settled removal
// motions, then the other removal motions in the conflict order of §4.2;
// Leaves that turn out inert are left out and the order run again.
func (j *judgement) removals() {
	for {
		j.removalOrder()
		grew := false
		for id := range j.applied {
			n := j.d.vertices[id]
			if n.op.Kind == protocol.KindLeave && !j.z(n) && j.revokedBefore(n) {
				j.dropped[id], grew = true, true
			}
		}
		if !grew {
			return
		}
		clear(j.applied)
		clear(j.appliedTo)
		clear(j.motions)
		clear(j.votesOf)
	}
}

// revokedBefore reports whether the Leave n does not precede an applied
// revocation of its author.
func (j *judgement) revokedBefore(n *vertex) bool {
	for h := range j.motions {
		m := motionOf(j.enacts[h][0])
		if m.Kind == protocol.MotionRevoke && *m.Target == n.op.Author && !j.precedes(n, h) {
			return true
		}
	}
	return false
}

func (j *judgement) removalOrder() {
	forced := map[protocol.Hash]bool{}
	cand := map[protocol.Hash][]*vertex{}
	for _, n := range j.set {
		if !isRemovalVertex(n) || j.dropped[n.id] {
			continue
		}
		switch {
		case n.op.Kind == protocol.KindLeave:
			j.apply(n)
		case j.z(n):
			forced[n.motion] = true
			cand[n.motion] = append(cand[n.motion], n)
		case n == j.v.exclude || (j.v.settledOnly && !j.v.joint[n.id]):
		default:
			cand[n.motion] = append(cand[n.motion], n)
		}
	}
	var first []protocol.Hash
	for h := range forced {
		first = append(first, h)
	}
	j.applyMotions(first, cand, nil)
	for h := range forced {
		delete(cand, h)
	}
	for len(cand) > 0 {
		support := map[protocol.Hash]int{}
		for h, es := range cand {
			m := motionOf(es[0])
			support[h] = distinctVoters(j.countingVotes(h, m, nil))
			if support[h] < j.sig.threshold(m.Kind) || !j.liveEnactment(es) {
				delete(cand, h)
			}
		}
		threatened := j.threats(cand)
		var free []protocol.Hash
		for h := range cand {
			if !threatened[h] {
				free = append(free, h)
			}
		}
		if len(free) > 0 {
			j.applyMotions(free, cand, nil)
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
		j.applyMotions(tier, cand, tier)
		for _, h := range tier {
			delete(cand, h)
		}
	}
}

// applyMotions applies the motions hs at once, each recording its counting
// votes taken before any applies; with tier set, votes by keys the tier's
// other Revoke and Disavow motions remove do not count, and a motion left
// below its threshold is dropped.
func (j *judgement) applyMotions(hs []protocol.Hash, enacts map[protocol.Hash][]*vertex, tier []protocol.Hash) {
	votes := map[protocol.Hash][]*vertex{}
	for _, h := range hs {
		m := motionOf(enacts[h][0])
		without := map[protocol.Key]bool{}
		for _, o := range tier {
			if om := motionOf(enacts[o][0]); o != h && removesVoters(om) {
				without[*om.Target] = true
			}
		}
		vs := j.countingVotes(h, m, without)
		if tier != nil && distinctVoters(vs) < j.sig.threshold(m.Kind) {
			continue
		}
		votes[h] = vs
	}
	for h, vs := range votes {
		j.motions[h], j.votesOf[h] = true, vs
		for _, e := range enacts[h] {
			j.apply(e)
		}
	}
}

func (j *judgement) liveEnactment(es []*vertex) bool {
	for _, e := range es {
		if !j.inert(e) {
			return true
		}
	}
	return false
}

// threats returns the candidates another candidate threatens (§4.2).
func (j *judgement) threats(cand map[protocol.Hash][]*vertex) map[protocol.Hash]bool {
	out := map[protocol.Hash]bool{}
	for t, tes := range cand {
		tm := motionOf(tes[0])
		if !removesVoters(tm) {
			continue
		}
		tv := j.countingVotes(t, tm, nil)
		for h, es := range cand {
			if h == t {
				continue
			}
			for _, v := range j.countingVotes(h, motionOf(es[0]), nil) {
				if v.op.Author == *tm.Target && j.wouldInert(v, tm, tv) {
					out[h] = true
				}
			}
			all := true
			for _, e := range es {
				all = all && e.op.Author == *tm.Target && j.wouldInert(e, tm, tv)
			}
			if all {
				out[h] = true
			}
		}
	}
	return out
}

// wouldInert reports whether v would be inert if the Revoke or Disavow m,
// with counting votes vs, applied.
func (j *judgement) wouldInert(v *vertex, m *protocol.Motion, vs []*vertex) bool {
	if m.Kind == protocol.MotionDisavow {
		return v.op.Seq >= m.From
	}
	if j.z(v) {
		return false
	}
	return !j.precedesVotes(v, vs, j.sig.threshold(m.Kind))
}

// precedes reports whether n precedes the applied removal motion h: it is
// in the past of counting votes on h by at least its threshold of keys
// (fewer when fewer counted; when none did, it precedes an enactment).
func (j *judgement) precedes(n *vertex, h protocol.Hash) bool {
	vs := j.votesOf[h]
	es := j.enacts[h]
	if len(es) == 0 {
		return false
	}
	m := motionOf(es[0])
	settled := j.settledEnactments(es)
	if len(settled) > 0 {
		// A settled removal's cut point is fixed by each of its settled
		// enactments: n precedes it when, for every one, n is in the past
		// of threshold-many of the counting votes in that enactment's
		// past, and nothing precedes it where an enactment holds none
		// (review rounds 15 to 17).
		for _, e := range settled {
			var early []*vertex
			for _, v := range vs {
				if j.d.inPast(v, e) {
					early = append(early, v)
				}
			}
			if len(early) == 0 || !j.precedesVotes(n, early, min(j.sig.threshold(m.Kind), distinctVoters(early))) {
				return false
			}
		}
		return true
	}
	if len(vs) == 0 {
		for _, e := range es {
			if j.applied[e.id] && j.d.inPast(n, e) {
				return true
			}
		}
		return false
	}
	return j.precedesVotes(n, vs, min(j.sig.threshold(m.Kind), distinctVoters(vs)))
}

// precedesAny reports whether n precedes the settled removal motion h as
// the cut ops of validated settlement read it (draft 22), from h's first
// enactments (first holds them; settler.firstEnactments) that have cut
// votes. For each such e, n escapes e when it is in the past of cut votes
// of e by t(e) distinct keys, and e sees n late when, besides, the keys
// with cut votes of e none of which has n in its past are f(e) or more.
// n precedes h when it escapes some first enactment and no first enactment
// sees it late; nothing precedes h where no first enactment has cut votes.
// cutVotes gives e's cut votes (the counting votes on h in the Judge of
// e's past), t(e) and f(e) (h's threshold and the hostile bound in the
// settled State of that past), each no more than the keys that cast them;
// disavowed votes do not count. An enactment that settles only where
// another had settled before moves nothing (review rounds 18 to 20), and
// fewer than f hostile voters of a first enactment that races the first
// settlement cut nothing the others' voters saw.
func (j *judgement) precedesAny(n *vertex, h protocol.Hash, first map[vertexID]bool, cutVotes func(e *vertex) cutVotes) bool {
	settled := j.settledEnactments(j.enacts[h])
	if len(settled) == 0 {
		return j.precedes(n, h)
	}
	escapes := false
	for _, e := range settled {
		if !first[e.id] {
			continue
		}
		cv := cutVotes(e)
		var votes []*vertex
		for _, v := range cv.votes {
			if !j.disavowed(v) {
				votes = append(votes, v)
			}
		}
		if len(votes) == 0 {
			continue
		}
		voters := distinctVoters(votes)
		if j.precedesVotes(n, votes, min(cv.t, voters)) {
			escapes = true
			continue
		}
		hit := map[protocol.Key]bool{}
		for _, v := range votes {
			if j.d.inPast(n, v) {
				hit[v.op.Author] = true
			}
		}
		if voters-len(hit) >= min(cv.f, voters) {
			return false
		}
	}
	return escapes
}

// disavowed reports whether an applied Disavow reaches n (§4.6).
func (j *judgement) disavowed(n *vertex) bool {
	for _, d := range j.appliedTo[n.op.Author] {
		if d.op.Kind == protocol.KindEnact {
			if m := motionOf(d); m.Kind == protocol.MotionDisavow && *m.Target == n.op.Author && n.op.Seq >= m.From {
				return true
			}
		}
	}
	return false
}

// settledEnactments returns the enactments among es that applied and are
// settled.
func (j *judgement) settledEnactments(es []*vertex) []*vertex {
	var settled []*vertex
	for _, e := range es {
		if j.applied[e.id] && j.z(e) {
			settled = append(settled, e)
		}
	}
	return settled
}

func (j *judgement) precedesVotes(n *vertex, vs []*vertex, t int) bool {
	keys := map[protocol.Key]bool{}
	for _, v := range vs {
		if j.d.inPast(n, v) {
			keys[v.op.Author] = true
		}
	}
	return len(keys) >= t
}

// apply records the removal n as applied.
func (j *judgement) apply(n *vertex) {
	if j.applied[n.id] {
		return
	}
	j.applied[n.id] = true
	k := n.op.Author
	if n.op.Kind != protocol.KindLeave {
		t := motionOf(n).Target
		if t == nil {
			return
		}
		k = *t
	}
	j.appliedTo[k] = append(j.appliedTo[k], n)
}

// inert reports whether op n is void because its author left, was revoked
// or was disavowed (§4.1).
func (j *judgement) inert(n *vertex) bool {
	a := n.op.Author
	var leaves, precededLeave bool
	for _, d := range j.appliedTo[a] {
		switch {
		case d.op.Kind == protocol.KindLeave:
			if d.op.Author == a {
				leaves = true
				if d == n || j.d.inPast(n, d) {
					precededLeave = true
				}
			}
		default:
			m := motionOf(d)
			switch {
			case m.Kind == protocol.MotionDisavow && *m.Target == a:
				if n.op.Seq >= m.From {
					return true
				}
			case m.Kind == protocol.MotionRevoke && *m.Target == a:
				if !j.z(n) && !j.precedes(n, d.motion) {
					return true
				}
			}
		}
	}
	if a := j.v.anch; a != nil && a.cut[n.id] && !j.z(n) {
		// A revoked or disavowed key's op beyond its settled removal, in a
		// closure that does not hold the removal (§3.4, review round 9).
		return true
	}
	if a := j.v.anch; a != nil && a.keys[n.op.Author] {
		// A key with a Leave settled in the union: only its validated
		// Leaves count here (§3.4, CE-4).
		return !j.z(n) && !a.anchored(j.d, n)
	}
	return leaves && !precededLeave && !j.z(n)
}

// countingVotes returns the votes on motion h that count (§4.1).
func (j *judgement) countingVotes(h protocol.Hash, m *protocol.Motion, without map[protocol.Key]bool) []*vertex {
	var out []*vertex
	for _, v := range j.votes[h] {
		a := v.op.Author
		if !j.sig.members[a] || without[a] || (m.Kind != protocol.MotionCharter && a == m.Subject()) || j.inert(v) {
			continue
		}
		if m.Kind == protocol.MotionCharter && j.suspendedCut(v) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func distinctVoters(vs []*vertex) int {
	keys := map[protocol.Key]bool{}
	for _, v := range vs {
		keys[v.op.Author] = true
	}
	return len(keys)
}
