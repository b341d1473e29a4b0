package trust

import (
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// keyFacts is what the membership ops of a judgement say of one key,
// gathered in one pass (keyIndex) so that a State of many keys costs the
// ops once, not once per key.
type keyFacts struct {
	revoked, left, admits, live, endorsed bool
	admitted                              *vertex // the live Admit with the lowest hash
	apps                                  map[protocol.Hash]*protocol.Application
	endorsers                             map[protocol.Hash]map[protocol.Key]bool // live endorsers by application
}

// keyIndex returns the facts of every key the judgement's membership ops
// name, as status reads them; with only set, of that key alone. The
// judgement does not keep them: settlement caches judgements, and a State
// is built once.
func (j *judgement) keyIndex(only *protocol.Key) map[protocol.Key]*keyFacts {
	idx := map[protocol.Key]*keyFacts{}
	var skip keyFacts // the facts of keys other than only, discarded
	of := func(k protocol.Key) *keyFacts {
		if only != nil && k != *only {
			return &skip
		}
		f := idx[k]
		if f == nil {
			f = &keyFacts{apps: map[protocol.Hash]*protocol.Application{}, endorsers: map[protocol.Hash]map[protocol.Key]bool{}}
			idx[k] = f
		}
		return f
	}
	for _, n := range j.set {
		switch n.op.Kind {
		case protocol.KindLeave:
			if j.applied[n.id] {
				of(n.op.Author).left = true
			}
		case protocol.KindEnact:
			m := motionOf(n)
			switch {
			case removesVoters(m) && j.applied[n.id]:
				of(*m.Target).revoked = true
			case m.Kind == protocol.MotionAdmit:
				f := of(n.op.Author)
				if f == &skip {
					continue
				}
				f.admits = true
				f.apps[n.app] = m.Application
				if j.live[n.id] {
					f.live = true
					if f.admitted == nil || n.op.Hash().Less(f.admitted.op.Hash()) {
						f.admitted = n
					}
				}
			}
		case protocol.KindVote:
			m := motionOf(n)
			if m.Kind != protocol.MotionAdmit {
				continue
			}
			f := of(m.Subject())
			if f == &skip {
				continue
			}
			f.endorsed = true
			f.apps[n.app] = m.Application
			if j.live[n.id] {
				if f.endorsers[n.app] == nil {
					f.endorsers[n.app] = map[protocol.Key]bool{}
				}
				f.endorsers[n.app][n.op.Author] = true
			}
		}
	}
	return idx
}

// statusFrom is status (judge_verdict.go) read from a key's facts.
func (j *judgement) statusFrom(k protocol.Key, f *keyFacts) Status {
	switch {
	case f != nil && f.revoked:
		return StatusRevoked
	case f != nil && f.left:
		return StatusLeft
	case j.founder(k) || (f != nil && f.live):
		return StatusMember
	case f != nil && f.admits:
		return StatusLapsed
	case f != nil && f.endorsed:
		return StatusApplicant
	}
	return StatusStranger
}

// keyState is what the judgement says of key k.
func (j *judgement) keyState(k protocol.Key) KeyState {
	return j.keyStateFrom(k, j.keyIndex(&k)[k])
}

// keyStateFrom is keyState with k's facts f (nil when the set never
// names k).
func (j *judgement) keyStateFrom(k protocol.Key, f *keyFacts) KeyState {
	ks := KeyState{Key: k, Status: j.statusFrom(k, f), Needed: j.sig.t.Admit}
	g := j.set[0].op.Content().(*protocol.Genesis)
	for i := range g.Founders {
		if g.Founders[i].Key == k {
			ks.Founder, ks.Profile = true, &g.Founders[i].Profile
		}
	}
	ks.Suspended = j.suspended(k)
	ks.Equivocated = uint64(j.equivocatedAt(k))
	if a, ok := j.d.authors[k]; ok {
		ks.ForkSuspended = uint64(j.forkFrom[a])
	}
	if ks.Founder || f == nil {
		return ks
	}
	// The application a member was admitted with (the live Admit with the
	// lowest hash), or the one with most live endorsements.
	if f.admitted != nil {
		ks.Application = f.admitted.app
	} else {
		best := -1
		for id := range f.apps {
			if c := len(f.endorsers[id]); c > best || (c == best && id.Less(ks.Application)) {
				ks.Application, best = id, c
			}
		}
	}
	ks.Endorsements = len(f.endorsers[ks.Application])
	if app, ok := f.apps[ks.Application]; ok {
		ks.Profile = &app.Member.Profile
	}
	return ks
}

// equivocatedAt returns the lowest seq at which k has two ops in the set
// (a fork, lifted or not), or 0.
func (j *judgement) equivocatedAt(k protocol.Key) uint32 {
	a, ok := j.d.authors[k]
	if !ok {
		return 0
	}
	var low uint32
	for _, f := range j.d.forks {
		if f.author != a || (low != 0 && f.seq >= low) {
			continue
		}
		in := 0
		for _, id := range j.d.bySeq[authorSeq{a, f.seq}] {
			if j.in(j.d.vertices[id]) {
				in++
			}
		}
		if in > 1 {
			low = f.seq
		}
	}
	return low
}

// knownKeys returns the keys the judged set mentions: founders, authors,
// candidates and the subjects of motions.
func (j *judgement) knownKeys() []protocol.Key {
	seen := map[protocol.Key]bool{}
	for _, f := range j.set[0].op.Content().(*protocol.Genesis).Founders {
		seen[f.Key] = true
	}
	for _, n := range j.set {
		seen[n.op.Author] = true
		if m := motionOf(n); m != nil && m.Kind != protocol.MotionCharter {
			seen[m.Subject()] = true
		}
	}
	for _, f := range j.d.forks {
		if k := j.d.keys[f.author]; !seen[k] && j.equivocatedAt(k) > 0 {
			seen[k] = true
		}
	}
	return slices.SortedFunc(func(yield func(protocol.Key) bool) {
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	}, compareKeys)
}

// plainRun reports whether every advisory of author a from its op first
// on that the judgement leaves unsettled is effective: a is a member at
// first, and no removal, disavowal, suspension or anchor names it, so that
// none of §4.8's reasons to void an op applies (a run's author never
// forked). The anchors' suspects have an applied Leave or removal too; the
// check stays so that the count never rests on that.
func (j *judgement) plainRun(a int32, first *vertex) bool {
	key := j.d.keys[a]
	if len(j.appliedTo[key]) > 0 {
		return false // a Leave, or a removal the order applied (suspensions too)
	}
	if an := j.v.anch; an != nil && an.suspects(j.d).has(a) {
		return false
	}
	return j.memberAt(key, first)
}

// state renders the evaluation as an immutable State.
func (ev *evaluation) stateOf() *State {
	if ev.state != nil {
		return ev.state
	}
	j := ev.j
	s := &State{
		Group:      ev.group(),
		Charter:    j.sig.charter,
		Epoch:      ev.epochH,
		keys:       map[protocol.Key]*KeyState{},
		live:       map[protocol.Hash]bool{},
		tallies:    map[protocol.Hash]*Tally{},
		lifts:      map[protocol.Hash]protocol.Key{},
		enactedSet: map[protocol.Hash]bool{},
		settledN:   len(j.sig.members),
		settled:    maps.Clone(j.sig.members),
		topCharter: j.topCharter(),
	}
	s.pending = j.pendingCharter()
	facts := j.keyIndex(nil)
	for _, k := range j.knownKeys() {
		ks := j.keyStateFrom(k, facts[k])
		if ks.Status == StatusStranger {
			continue
		}
		s.keys[k] = &ks
		if ks.Status == StatusMember {
			s.members++
		}
	}
	// A member counts once per motion: of its effective votes on it, the
	// one with the lowest hash (repeatOf says the same vote by vote).
	type ballot struct {
		motion protocol.Hash
		author protocol.Key
	}
	counting := map[ballot]*vertex{}
	for _, n := range j.set {
		m := motionOf(n)
		if m == nil {
			continue
		}
		if isGrant(m.Kind) && j.effective(n) {
			s.live[n.op.Hash()] = true
		}
		if n.op.Kind == protocol.KindEnact {
			s.enactedSet[n.motion] = true
			continue
		}
		if !j.effective(n) {
			continue
		}
		b := ballot{n.motion, n.op.Author}
		if first := counting[b]; first == nil || n.op.Hash().Less(first.op.Hash()) {
			counting[b] = n
		}
	}
	for b, n := range counting {
		t := s.tallies[b.motion]
		if t == nil {
			t = &Tally{Motion: *motionOf(n)}
			s.tallies[b.motion] = t
		}
		t.Votes = append(t.Votes, n.op.Hash())
		t.Voters = append(t.Voters, b.author)
	}
	for h, t := range s.tallies {
		t.Enacted = s.enactedSet[h]
		slices.SortFunc(t.Votes, compareHashes)
		slices.SortFunc(t.Voters, compareKeys)
	}
	for h := range j.standing {
		s.lifts[h] = *motionOf(j.enacts[h][0]).Target
	}
	ev.state = s
	return s
}

// repeatOf returns, for an effective vote n, the vote that counts in its
// place when n repeats its author's vote on the same motion: of the
// author's effective votes on it, the one with the lowest hash counts, so
// that a member counts once (§4.1) and an enactment citing the tally's
// votes cites each voter once. It returns nil when n is that vote.
func (j *judgement) repeatOf(n *vertex) *vertex {
	first := n
	for _, v := range j.votes[n.motion] {
		if v.op.Author == n.op.Author && v.op.Hash().Less(first.op.Hash()) && j.effective(v) {
			first = v
		}
	}
	if first == n {
		return nil
	}
	return first
}

// pendingCharter returns the motion of the effective, unsettled Charter
// enactment of the highest version above the charter in force (the one of
// lowest hash among equals), or nil.
func (j *judgement) pendingCharter() *protocol.Motion {
	var best *vertex
	for _, n := range j.set {
		m := motionOf(n)
		if n.op.Kind != protocol.KindEnact || m.Kind != protocol.MotionCharter || m.Charter.Version <= j.sig.charter.Version || j.z(n) || !j.effective(n) {
			continue
		}
		if b := best; b == nil || m.Charter.Version > motionOf(b).Charter.Version ||
			(m.Charter.Version == motionOf(b).Charter.Version && n.op.Hash().Less(b.op.Hash())) {
			best = n
		}
	}
	if best == nil {
		return nil
	}
	return motionOf(best)
}
