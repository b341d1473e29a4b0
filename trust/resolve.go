package trust

import (
	"fmt"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// resolver computes the State of a causally closed set of ops from its
// membership ops, visited in a topological order. Denials are facts about
// the whole set ("ever" tense) and are indexed first; grants are judged in
// order, each against the denials of its author that it does not precede
// ("current" tense, strong removal). No result depends on which
// topological order is used.
type resolver struct {
	d       *dag
	genesis *protocol.Genesis
	group   protocol.Hash

	// Denials and the charter, indexed over the whole set.
	revokes  map[protocol.Key][]*node
	leaves   map[protocol.Key][]*node
	suspends map[protocol.Key][]*node
	forkSeq  map[protocol.Key]uint32
	charter  protocol.Charter
	epoch    protocol.Hash
	charterN int // voters of the charter enactment in force

	// Grants, judged in order.
	founders     map[protocol.Key]*protocol.Member
	live         map[nodeID]bool
	admits       map[protocol.Key][]*node // live Admit enactments by candidate
	admitEnacts  map[protocol.Key][]*node // all Admit enactments by candidate
	liftedBy     map[protocol.Hash][]*node
	endorsements map[protocol.Hash][]*node // application ID -> endorsement votes
	apps         map[protocol.Hash]*protocol.Application
	appsOf       map[protocol.Key][]protocol.Hash
	votes        map[protocol.Hash][]*node // motion -> votes
	motions      map[protocol.Hash]*protocol.Motion
	enacted      map[protocol.Hash]bool
	suspendOf    map[protocol.Hash]protocol.Key
}

func newResolver(d *dag, genesis *node) *resolver {
	g := genesis.op.Content().(*protocol.Genesis)
	r := &resolver{
		d:            d,
		genesis:      g,
		group:        genesis.op.Hash(),
		revokes:      map[protocol.Key][]*node{},
		leaves:       map[protocol.Key][]*node{},
		suspends:     map[protocol.Key][]*node{},
		forkSeq:      map[protocol.Key]uint32{},
		charter:      g.Charter,
		epoch:        genesis.op.Hash(),
		founders:     map[protocol.Key]*protocol.Member{},
		live:         map[nodeID]bool{},
		admits:       map[protocol.Key][]*node{},
		admitEnacts:  map[protocol.Key][]*node{},
		liftedBy:     map[protocol.Hash][]*node{},
		endorsements: map[protocol.Hash][]*node{},
		apps:         map[protocol.Hash]*protocol.Application{},
		appsOf:       map[protocol.Key][]protocol.Hash{},
		votes:        map[protocol.Hash][]*node{},
		motions:      map[protocol.Hash]*protocol.Motion{},
		enacted:      map[protocol.Hash]bool{},
		suspendOf:    map[protocol.Hash]protocol.Key{},
	}
	for i := range g.Founders {
		r.founders[g.Founders[i].Key] = &g.Founders[i]
	}
	return r
}

// resolve computes the State of the membership ops set (in a topological
// order, starting with the genesis) and the forks among the set's ops.
func resolve(d *dag, set []*node, forks []fork) (*resolver, *State) {
	r := newResolver(d, set[0])
	r.index(set, forks)
	for _, n := range set[1:] {
		r.step(n)
	}
	return r, r.state()
}

// index records the denials and the charter in force.
func (r *resolver) index(set []*node, forks []fork) {
	for _, f := range forks {
		k := r.d.keys[f.author]
		if s, ok := r.forkSeq[k]; !ok || f.seq < s {
			r.forkSeq[k] = f.seq
		}
	}
	for _, n := range set {
		r.indexDenial(n)
	}
	// Order each key's denials by hash, not by arrival, so that Explain
	// names the same denial on every node.
	byHash := func(a, b *node) int { return compareHashes(a.op.Hash(), b.op.Hash()) }
	for _, idx := range []map[protocol.Key][]*node{r.revokes, r.leaves, r.suspends} {
		for _, ds := range idx {
			slices.SortFunc(ds, byHash)
		}
	}
}

func (r *resolver) indexDenial(n *node) {
	switch b := n.op.Content().(type) {
	case *protocol.Leave:
		r.leaves[n.op.Author] = append(r.leaves[n.op.Author], n)
	case *protocol.Enact:
		switch b.Motion.Kind {
		case protocol.MotionRevoke:
			r.revokes[*b.Motion.Target] = append(r.revokes[*b.Motion.Target], n)
		case protocol.MotionSuspend:
			r.suspends[*b.Motion.Target] = append(r.suspends[*b.Motion.Target], n)
			r.suspendOf[n.motion] = *b.Motion.Target
		case protocol.MotionCharter:
			r.considerCharter(n, b)
		}
	}
}

// considerCharter keeps the charter in force: the highest version, then the
// most voters, then the lowest enactment hash.
func (r *resolver) considerCharter(n *node, e *protocol.Enact) {
	c := e.Motion.Charter
	switch {
	case c.Version < r.charter.Version:
		return
	case c.Version == r.charter.Version:
		if len(e.Votes) < r.charterN || (len(e.Votes) == r.charterN && !n.op.Hash().Less(r.epoch)) {
			return
		}
	}
	r.charter, r.epoch, r.charterN = *c, n.op.Hash(), len(e.Votes)
}

// step judges one membership op whose past has been judged.
func (r *resolver) step(n *node) {
	switch b := n.op.Content().(type) {
	case *protocol.Vote:
		r.stepVote(n, b)
	case *protocol.Enact:
		r.stepEnact(n, b)
	}
}

func (r *resolver) stepVote(n *node, v *protocol.Vote) {
	m := &v.Motion
	if _, ok := r.motions[n.motion]; !ok {
		r.motions[n.motion] = m
	}
	var id protocol.Hash
	if m.Kind == protocol.MotionAdmit {
		id = m.Application.ID()
		if _, ok := r.apps[id]; !ok {
			r.apps[id] = m.Application
			cand := m.Application.Member.Key
			r.appsOf[cand] = append(r.appsOf[cand], id)
		}
	}
	if isGrant(m.Kind) {
		if !r.grantLive(n) {
			return
		}
		r.live[n.id] = true
	}
	r.votes[n.motion] = append(r.votes[n.motion], n)
	if m.Kind == protocol.MotionAdmit {
		r.endorsements[id] = append(r.endorsements[id], n)
	}
}

func (r *resolver) stepEnact(n *node, e *protocol.Enact) {
	m := &e.Motion
	if _, ok := r.motions[n.motion]; !ok {
		r.motions[n.motion] = m
	}
	r.enacted[n.motion] = true
	switch m.Kind {
	case protocol.MotionAdmit:
		cand := m.Application.Member.Key
		r.admitEnacts[cand] = append(r.admitEnacts[cand], n)
		if !r.cut(n, cand) && r.liveVotes(e.Votes) >= n.need {
			r.live[n.id] = true
			r.admits[cand] = append(r.admits[cand], n)
		}
	case protocol.MotionUnsuspend:
		if r.liveVotes(e.Votes) >= n.need {
			r.live[n.id] = true
			for _, s := range m.Lifts {
				r.liftedBy[s] = append(r.liftedBy[s], n)
			}
		}
	}
}

// liveVotes counts the cited votes that are live grants.
func (r *resolver) liveVotes(votes []protocol.Hash) int {
	c := 0
	for _, h := range votes {
		if v, ok := r.d.get(h); ok && r.live[v.id] {
			c++
		}
	}
	return c
}

// grantLive judges a grant by a member: live iff its author's membership
// was live when it was made and no denial of its author cuts it.
func (r *resolver) grantLive(n *node) bool {
	a := n.op.Author
	return r.memberAt(a, n) && !r.cut(n, a)
}

// memberAt reports whether a was a live member in the past of n.
func (r *resolver) memberAt(a protocol.Key, n *node) bool {
	if _, ok := r.founders[a]; ok {
		return true
	}
	for _, adm := range r.admits[a] {
		if r.d.inPast(adm, n) {
			return true
		}
	}
	return false
}

// cut reports whether a denial of a voids n (strong removal).
func (r *resolver) cut(n *node, a protocol.Key) bool {
	what, _ := r.cutBy(n, a)
	return what != ""
}

// cutBy returns the denial of a that voids n, if any: a revocation or leave
// that n does not precede, a suspension that n does not precede and that
// was not lifted in n's past, or a fork of a's chain at or below n's seq
// (by is nil then). It returns "" when nothing voids n.
func (r *resolver) cutBy(n *node, a protocol.Key) (what string, by *node) {
	for _, d := range r.revokes[a] {
		if !r.d.inPast(n, d) {
			return "was revoked", d
		}
	}
	for _, d := range r.leaves[a] {
		if d != n && !r.d.inPast(n, d) {
			return "left", d
		}
	}
	for _, s := range r.suspends[a] {
		if !r.d.inPast(n, s) && !r.liftedBefore(s.motion, n) {
			return "was suspended", s
		}
	}
	if fs, ok := r.forkSeq[a]; ok && n.seq >= fs {
		return fmt.Sprintf("equivocated at seq %d", fs), nil
	}
	return "", nil
}

// liftedBefore reports whether a live Unsuspend enactment lifting the
// suspension motion m is in the past of n.
func (r *resolver) liftedBefore(m protocol.Hash, n *node) bool {
	for _, u := range r.liftedBy[m] {
		if r.d.inPast(u, n) {
			return true
		}
	}
	return false
}

// lifted reports whether a live Unsuspend enactment lifts the suspension
// motion m anywhere in the set.
func (r *resolver) lifted(m protocol.Hash) bool { return len(r.liftedBy[m]) > 0 }

// distinctLive counts distinct authors among live votes.
func distinctAuthors(votes []*node) []protocol.Key {
	seen := map[protocol.Key]bool{}
	var out []protocol.Key
	for _, v := range votes {
		if !seen[v.op.Author] {
			seen[v.op.Author] = true
			out = append(out, v.op.Author)
		}
	}
	slices.SortFunc(out, compareKeys)
	return out
}

// bestApplication returns the candidate's application with the most live
// endorsements by distinct members, the lowest ID on a tie.
func (r *resolver) bestApplication(k protocol.Key) (protocol.Hash, int) {
	var best protocol.Hash
	bestN := -1
	for _, id := range r.appsOf[k] {
		n := len(distinctAuthors(r.endorsements[id]))
		if n > bestN || (n == bestN && id.Less(best)) {
			best, bestN = id, n
		}
	}
	return best, max(bestN, 0)
}
