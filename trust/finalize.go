package trust

import (
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// state renders the resolver's judgement as an immutable State.
func (r *resolver) state() *State {
	s := &State{
		Group:      r.circle,
		Charter:    r.inForce,
		Epoch:      r.epochOp,
		keys:       map[protocol.Key]*KeyState{},
		live:       make(map[protocol.Hash]bool, len(r.live)),
		tallies:    map[protocol.Hash]*Tally{},
		lifts:      map[protocol.Hash]protocol.Key{},
		enactedSet: make(map[protocol.Hash]bool, len(r.enactedM)),
	}
	for _, key := range r.knownKeys() {
		ks := r.key(key)
		s.keys[key] = &ks
		if ks.Status == StatusMember {
			s.members++
		}
	}
	for id := range r.live {
		s.live[r.d.nodes[id].op.Hash()] = true
	}
	for m, vs := range r.votes {
		t := &Tally{Motion: *r.motions[m], Enacted: r.enactedM[m], Voters: distinctAuthors(vs)}
		for _, v := range vs {
			t.Votes = append(t.Votes, v.op.Hash())
		}
		slices.SortFunc(t.Votes, compareHashes)
		s.tallies[m] = t
	}
	for m, target := range r.suspendOf {
		if !r.lifted(m) {
			s.lifts[m] = target
		}
	}
	for m := range r.enactedM {
		s.enactedSet[m] = true
	}
	return s
}

// knownKeys returns every key the judged set mentions: founders,
// candidates, and the subjects of denials and forks.
func (r *resolver) knownKeys() []protocol.Key {
	seen := map[protocol.Key]bool{}
	for key := range r.founders {
		seen[key] = true
	}
	for key := range r.appsOf {
		seen[key] = true
	}
	for key := range r.admitEnacts {
		seen[key] = true
	}
	for _, idx := range []map[protocol.Key][]*node{r.revokes, r.leaves, r.suspends} {
		for key := range idx {
			seen[key] = true
		}
	}
	for key := range r.forkSeq {
		seen[key] = true
	}
	out := make([]protocol.Key, 0, len(seen))
	for key := range seen {
		out = append(out, key)
	}
	return out
}

// judgeKey fills in the standing of one key.
func (r *resolver) judgeKey(ks *KeyState) {
	key := ks.Key
	founder, isFounder := r.founders[key]
	ks.Founder = isFounder
	if isFounder {
		ks.Profile = &founder.Profile
	}
	switch {
	case len(r.revokes[key]) > 0:
		ks.Status = StatusRevoked
	case len(r.leaves[key]) > 0:
		ks.Status = StatusLeft
	case isFounder || len(r.admits[key]) > 0:
		ks.Status = StatusMember
	case len(r.admitEnacts[key]) > 0:
		ks.Status = StatusLapsed
	case len(r.appsOf[key]) > 0:
		ks.Status = StatusApplicant
	}
	if fs, ok := r.forkSeq[key]; ok {
		ks.Equivocated = uint64(fs)
		ks.Suspended = true
	}
	for _, sx := range r.suspends[key] {
		if !r.lifted(sx.motion) {
			ks.Suspended = true
		}
	}
	if admits := r.admits[key]; len(admits) > 0 {
		first := slices.MinFunc(admits, func(a, b *node) int { return compareHashes(a.op.Hash(), b.op.Hash()) })
		ks.Application = first.app
		ks.Profile = &r.apps[first.app].Member.Profile
		ks.Endorsements = len(r.endorsers[ks.Application])
		return
	}
	if isFounder {
		return
	}
	id, n := r.bestApplication(key)
	ks.Application, ks.Endorsements = id, n
	if app, ok := r.apps[id]; ok {
		ks.Profile = &app.Member.Profile
	}
}
