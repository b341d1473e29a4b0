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
	d      *dag
	circle protocol.Hash

	// Denials and the charter, indexed over the whole set.
	revokes  map[protocol.Key][]*node
	leaves   map[protocol.Key][]*node
	suspends map[protocol.Key][]*node
	forkSeq  map[protocol.Key]uint32
	inForce  protocol.Charter
	epochOp  protocol.Hash
	charterN int // voters of the charter enactment in force

	// Grants, judged in order.
	founders    map[protocol.Key]*protocol.Member
	live        map[nodeID]bool
	admits      map[protocol.Key][]*node // live Admit enactments by candidate
	admitEnacts map[protocol.Key][]*node // all Admit enactments by candidate
	liftedBy    map[protocol.Hash][]*node
	endorsers   map[protocol.Hash]map[protocol.Key]bool // application ID -> distinct live endorsers
	apps        map[protocol.Hash]*protocol.Application
	appsOf      map[protocol.Key][]protocol.Hash
	votes       map[protocol.Hash][]*node // motion -> votes
	motions     map[protocol.Hash]*protocol.Motion
	enactedM    map[protocol.Hash]bool
	suspendOf   map[protocol.Hash]protocol.Key
}

func newResolver(d *dag, genesis *node) *resolver {
	g := genesis.op.Content().(*protocol.Genesis)
	r := &resolver{
		d:           d,
		circle:      genesis.op.Hash(),
		revokes:     map[protocol.Key][]*node{},
		leaves:      map[protocol.Key][]*node{},
		suspends:    map[protocol.Key][]*node{},
		forkSeq:     map[protocol.Key]uint32{},
		inForce:     g.Charter,
		epochOp:     genesis.op.Hash(),
		founders:    map[protocol.Key]*protocol.Member{},
		live:        map[nodeID]bool{},
		admits:      map[protocol.Key][]*node{},
		admitEnacts: map[protocol.Key][]*node{},
		liftedBy:    map[protocol.Hash][]*node{},
		endorsers:   map[protocol.Hash]map[protocol.Key]bool{},
		apps:        map[protocol.Hash]*protocol.Application{},
		appsOf:      map[protocol.Key][]protocol.Hash{},
		votes:       map[protocol.Hash][]*node{},
		motions:     map[protocol.Hash]*protocol.Motion{},
		enactedM:    map[protocol.Hash]bool{},
		suspendOf:   map[protocol.Hash]protocol.Key{},
	}
	for i := range g.Founders {
		r.founders[g.Founders[i].Key] = &g.Founders[i]
	}
	return r
}

// resolve judges the membership ops set (in a topological order, starting
// with the genesis), given the lowest forked seq of each author that forked
// among the set's ops. The resolver answers for the set's State.
func resolve(d *dag, set []*node, forks []forkAt) *resolver {
	r := newResolver(d, set[0])
	r.index(set, forks)
	for _, n := range set[1:] {
		r.step(n)
	}
	return r
}

// index records the denials and the charter in force.
func (r *resolver) index(set []*node, forks []forkAt) {
	for _, f := range forks {
		r.forkSeq[r.d.keys[f.author]] = f.seq
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
	case c.Version < r.inForce.Version:
		return
	case c.Version == r.inForce.Version:
		if len(e.Votes) < r.charterN || (len(e.Votes) == r.charterN && !n.op.Hash().Less(r.epochOp)) {
			return
		}
	}
	r.inForce, r.epochOp, r.charterN = *c, n.op.Hash(), len(e.Votes)
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
	id := n.app
	if m.Kind == protocol.MotionAdmit {
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
		if r.endorsers[id] == nil {
			r.endorsers[id] = map[protocol.Key]bool{}
		}
		r.endorsers[id][n.op.Author] = true
	}
}

func (r *resolver) stepEnact(n *node, e *protocol.Enact) {
	m := &e.Motion
	if _, ok := r.motions[n.motion]; !ok {
		r.motions[n.motion] = m
	}
	r.enactedM[n.motion] = true
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

// distinctAuthors returns the distinct authors of votes, sorted.
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
		n := len(r.endorsers[id])
		if n > bestN || (n == bestN && id.Less(best)) {
			best, bestN = id, n
		}
	}
	return best, max(bestN, 0)
}

// The resolver is also the view of the set it judged (see view), so that
// ops on top of the log are judged without building a State.

func (r *resolver) group() protocol.Hash         { return r.circle }
func (r *resolver) epoch() protocol.Hash         { return r.epochOp }
func (r *resolver) charter() *protocol.Charter   { return &r.inForce }
func (r *resolver) enacted(m protocol.Hash) bool { return r.enactedM[m] }
func (r *resolver) nextCharter() uint64          { return r.inForce.Version + 1 }

func (r *resolver) key(k protocol.Key) KeyState {
	ks := KeyState{Key: k, Needed: int(r.inForce.Admit)}
	r.judgeKey(&ks)
	return ks
}

func (r *resolver) memberCount() int {
	n := 0
	for _, k := range r.knownKeys() {
		if r.key(k).Status == StatusMember {
			n++
		}
	}
	return n
}

func (r *resolver) liveGrant(h protocol.Hash) bool {
	n, ok := r.d.get(h)
	return ok && r.live[n.id]
}

func (r *resolver) suspension(m protocol.Hash) (protocol.Key, bool) {
	k, ok := r.suspendOf[m]
	return k, ok && !r.lifted(m)
}
