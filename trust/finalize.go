package trust

import (
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// state renders the resolver's judgement as an immutable State.
func (r *resolver) state() *State {
	s := &State{
		Group:   r.group,
		Charter: r.charter,
		Epoch:   r.epoch,
		keys:    map[protocol.Key]*KeyState{},
		live:    make(map[protocol.Hash]bool, len(r.live)),
		tallies: map[protocol.Hash]*Tally{},
		lifts:   map[protocol.Hash]protocol.Key{},
	}
	k := int(r.charter.Admit)
	touch := func(key protocol.Key) *KeyState {
		ks, ok := s.keys[key]
		if !ok {
			ks = &KeyState{Key: key, Needed: k}
			s.keys[key] = ks
		}
		return ks
	}
	for key, m := range r.founders {
		ks := touch(key)
		ks.Founder = true
		ks.Profile = &m.Profile
	}
	for key := range r.appsOf {
		touch(key)
	}
	for key := range r.admitEnacts {
		touch(key)
	}
	for _, idx := range []map[protocol.Key][]*node{r.revokes, r.leaves, r.suspends} {
		for key := range idx {
			touch(key)
		}
	}
	for key := range r.forkSeq {
		touch(key)
	}
	for _, ks := range s.keys {
		r.judgeKey(ks)
		if ks.Status == StatusMember {
			s.members++
		}
	}
	for id := range r.live {
		s.live[r.d.nodes[id].op.Hash()] = true
	}
	for m, vs := range r.votes {
		t := &Tally{Motion: *r.motions[m], Enacted: r.enacted[m], Voters: distinctAuthors(vs)}
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
	return s
}

// judgeKey fills in the status of one key.
func (r *resolver) judgeKey(ks *KeyState) {
	key := ks.Key
	_, founder := r.founders[key]
	switch {
	case len(r.revokes[key]) > 0:
		ks.Status = StatusRevoked
	case len(r.leaves[key]) > 0:
		ks.Status = StatusLeft
	case founder || len(r.admits[key]) > 0:
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
		app := first.op.Content().(*protocol.Enact).Motion.Application
		ks.Application = app.ID()
		ks.Profile = &app.Member.Profile
		ks.Endorsements = len(distinctAuthors(r.endorsements[ks.Application]))
		return
	}
	if founder {
		return
	}
	id, n := r.bestApplication(key)
	ks.Application, ks.Endorsements = id, n
	if app, ok := r.apps[id]; ok {
		ks.Profile = &app.Member.Profile
	}
}
