package trust_test

// A dumb reference for the membership rules (STYLE.md habit 9), written
// from DESIGN.md §4, research/membership.md §6 and the rules in
// docs/protocol.md rather than from the engine: no causal vectors,
// frontiers, cached views or incremental steps. The past of an op is found
// by walking its preds; a set's State is recomputed from scratch; a view is
// the reference State of an op's past. It is quadratic and meant for
// histories of a few hundred ops.
//
// Choices the older documents leave open follow docs/protocol.md:
//   - a Suspend motion (one case) is enacted at most once, and an
//     Unsuspend lifts it by motion hash (the Case field keeps a fresh
//     suspension distinct);
//   - a lapsed member may Leave, and may be suspended, revoked and
//     unsuspended;
//   - an Unsuspend enactment is live iff enough of its cited votes are,
//     whoever enacted it (as DESIGN.md rule 1 and membership.md R13 say);
//   - a charter enactment wins by version, then cited votes, then lowest
//     hash; voting for two charters of one version is not punished yet.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// refDAG is a causally closed set of ops, each with its strict past.
type refDAG struct {
	ops   []*protocol.Op
	index map[protocol.Hash]int
	past  [][]bool // past[i][j]: ops[j] is in the past of ops[i]
}

// newRefDAG indexes ops, which must be in a causal order, genesis first.
func newRefDAG(ops []*protocol.Op) (*refDAG, error) {
	d := &refDAG{ops: ops, index: make(map[protocol.Hash]int, len(ops))}
	for i, op := range ops {
		for _, p := range op.Preds {
			if j, ok := d.index[p]; !ok || j >= i {
				return nil, fmt.Errorf("reference: op %d (%s) cites %s, not before it", i, op, p.Short())
			}
		}
		d.index[op.Hash()] = i
	}
	if len(ops) == 0 || !ops[0].IsGenesis() {
		return nil, fmt.Errorf("reference: the first op is not a genesis")
	}
	for _, op := range ops {
		d.past = append(d.past, d.walk(op))
	}
	return d, nil
}

// walk returns the past of op (which need not be in d) by following preds.
func (d *refDAG) walk(op *protocol.Op) []bool {
	seen := make([]bool, len(d.ops))
	stack := slices.Clone(op.Preds)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		j, ok := d.index[h]
		if !ok || seen[j] {
			continue
		}
		seen[j] = true
		stack = append(stack, d.ops[j].Preds...)
	}
	return seen
}

// before reports whether ops[x] is in the past of ops[o].
func (d *refDAG) before(x, o int) bool { return d.past[o][x] }

// refState is the reference State of the subset in of a refDAG.
type refState struct {
	d        *refDAG
	in       []bool
	genesis  *protocol.Genesis
	charter  protocol.Charter
	epoch    protocol.Hash
	founders map[protocol.Key]bool
	forkSeq  map[protocol.Key]uint64
	revokes  map[protocol.Key][]int
	leaves   map[protocol.Key][]int
	suspends map[protocol.Key][]int
	live     map[int]bool // live grants and advisories
	keys     map[protocol.Key]*trust.KeyState
	members  int
}

func (d *refDAG) all() []bool {
	in := make([]bool, len(d.ops))
	for i := range in {
		in[i] = true
	}
	return in
}

func enactOf(op *protocol.Op) (*protocol.Enact, bool) {
	e, ok := op.Content().(*protocol.Enact)
	return e, ok
}

func voteOf(op *protocol.Op) (*protocol.Vote, bool) {
	v, ok := op.Content().(*protocol.Vote)
	return v, ok
}

// charterIn returns the charter in force among the ops in, and its epoch.
func (d *refDAG) charterIn(in []bool) (protocol.Charter, protocol.Hash) {
	best := d.ops[0].Content().(*protocol.Genesis).Charter
	epoch, votes := d.ops[0].Hash(), 0
	for i, op := range d.ops {
		e, ok := enactOf(op)
		if !in[i] || !ok || e.Motion.Kind != protocol.MotionCharter {
			continue
		}
		c := e.Motion.Charter
		better := c.Version > best.Version ||
			c.Version == best.Version && (len(e.Votes) > votes || len(e.Votes) == votes && op.Hash().Less(epoch))
		if better {
			best, epoch, votes = *c, op.Hash(), len(e.Votes)
		}
	}
	return best, epoch
}

// refResolve computes the reference State of the causally closed subset in.
func refResolve(d *refDAG, in []bool) *refState {
	s := &refState{
		d: d, in: in, genesis: d.ops[0].Content().(*protocol.Genesis),
		founders: map[protocol.Key]bool{}, forkSeq: map[protocol.Key]uint64{},
		revokes: map[protocol.Key][]int{}, leaves: map[protocol.Key][]int{}, suspends: map[protocol.Key][]int{},
		live: map[int]bool{}, keys: map[protocol.Key]*trust.KeyState{},
	}
	s.charter, s.epoch = d.charterIn(in)
	for _, f := range s.genesis.Founders {
		s.founders[f.Key] = true
	}
	// Denials are facts about the whole set.
	for i, op := range d.ops {
		if !in[i] {
			continue
		}
		for j := range i {
			if in[j] && d.ops[j].Author == op.Author && d.ops[j].Seq == op.Seq {
				if fs, ok := s.forkSeq[op.Author]; !ok || op.Seq < fs {
					s.forkSeq[op.Author] = op.Seq
				}
			}
		}
		if op.Kind == protocol.KindLeave {
			s.leaves[op.Author] = append(s.leaves[op.Author], i)
		}
		if e, ok := enactOf(op); ok {
			switch e.Motion.Kind {
			case protocol.MotionRevoke:
				s.revokes[*e.Motion.Target] = append(s.revokes[*e.Motion.Target], i)
			case protocol.MotionSuspend:
				s.suspends[*e.Motion.Target] = append(s.suspends[*e.Motion.Target], i)
			}
		}
	}
	// Grants, in the (causal) order of d.
	for i := range d.ops {
		if in[i] && s.grantLive(i) {
			s.live[i] = true
		}
	}
	s.judgeKeys()
	return s
}

// memberAt reports whether a's membership was live at op i: a founder, or
// a live Admit enactment by a in i's past.
func (s *refState) memberAt(a protocol.Key, i int) bool {
	if s.founders[a] {
		return true
	}
	for j := range i {
		if s.in[j] && s.live[j] && s.d.before(j, i) && s.d.ops[j].Author == a && isAdmitEnact(s.d.ops[j]) {
			return true
		}
	}
	return false
}

func isAdmitEnact(op *protocol.Op) bool {
	e, ok := enactOf(op)
	return ok && e.Motion.Kind == protocol.MotionAdmit
}

// cut reports whether a denial of a voids op i (rule 1, strong removal).
func (s *refState) cut(i int, a protocol.Key) bool {
	for _, r := range s.revokes[a] {
		if !s.d.before(i, r) {
			return true
		}
	}
	for _, l := range s.leaves[a] {
		if l != i && !s.d.before(i, l) {
			return true
		}
	}
	for _, sx := range s.suspends[a] {
		if !s.d.before(i, sx) && !s.liftedBefore(s.motionHash(sx), i) {
			return true
		}
	}
	fs, forked := s.forkSeq[a]
	return forked && s.d.ops[i].Seq >= fs
}

func (s *refState) motionHash(i int) protocol.Hash {
	e, _ := enactOf(s.d.ops[i])
	return e.Motion.Hash()
}

// liftedBefore reports whether a live Unsuspend enactment lifting the
// suspension motion m is in the past of op i (or anywhere, for i < 0).
func (s *refState) liftedBefore(m protocol.Hash, i int) bool {
	for j, op := range s.d.ops {
		if !s.in[j] || !s.live[j] || (i >= 0 && !s.d.before(j, i)) {
			continue
		}
		if e, ok := enactOf(op); ok && e.Motion.Kind == protocol.MotionUnsuspend && slices.Contains(e.Motion.Lifts, m) {
			return true
		}
	}
	return false
}

// liveCited counts the cited votes that are live grants.
func (s *refState) liveCited(votes []protocol.Hash) int {
	n := 0
	for _, h := range votes {
		if j, ok := s.d.index[h]; ok && s.in[j] && s.live[j] {
			n++
		}
	}
	return n
}

// grantLive judges op i, whose past is judged: grants (endorsements,
// unsuspend votes, Admit and Unsuspend enactments) and advisories.
func (s *refState) grantLive(i int) bool {
	op := s.d.ops[i]
	switch b := op.Content().(type) {
	case *protocol.Advisory:
		return s.memberAt(op.Author, i) && !s.cut(i, op.Author)
	case *protocol.Vote:
		if b.Motion.Kind == protocol.MotionAdmit || b.Motion.Kind == protocol.MotionUnsuspend {
			return s.memberAt(op.Author, i) && !s.cut(i, op.Author)
		}
	case *protocol.Enact:
		view, _ := s.d.charterIn(s.d.past[i])
		n := refResolve(s.d, s.d.past[i]).members // the floors of §2 use the view's members
		switch b.Motion.Kind {
		case protocol.MotionAdmit:
			return !s.cut(i, op.Author) && s.liveCited(b.Votes) >= min(int(view.Admit), n)
		case protocol.MotionUnsuspend:
			return s.liveCited(b.Votes) >= max(2, min(int(view.Revoke), n-1))
		}
	}
	return false
}

// judgeKeys fills in the standing of every key the set mentions.
func (s *refState) judgeKeys() {
	touch := func(k protocol.Key) {
		if _, ok := s.keys[k]; !ok {
			s.keys[k] = &trust.KeyState{Key: k, Needed: int(s.charter.Admit)}
		}
	}
	for k := range s.founders {
		touch(k)
	}
	for i, op := range s.d.ops {
		if !s.in[i] {
			continue
		}
		if v, ok := voteOf(op); ok && v.Motion.Kind == protocol.MotionAdmit {
			touch(v.Motion.Subject())
		}
		if isAdmitEnact(op) || op.Kind == protocol.KindLeave {
			touch(op.Author)
		}
		if e, ok := enactOf(op); ok && (e.Motion.Kind == protocol.MotionRevoke || e.Motion.Kind == protocol.MotionSuspend) {
			touch(*e.Motion.Target)
		}
	}
	for k := range s.forkSeq {
		touch(k)
	}
	for k, ks := range s.keys {
		ks.Founder = s.founders[k]
		admitted, enacted, applied := false, false, false
		for i, op := range s.d.ops {
			if !s.in[i] {
				continue
			}
			if isAdmitEnact(op) && op.Author == k {
				enacted = true
				admitted = admitted || s.live[i]
			}
			if v, ok := voteOf(op); ok && v.Motion.Kind == protocol.MotionAdmit && v.Motion.Subject() == k {
				applied = true
			}
		}
		switch {
		case len(s.revokes[k]) > 0:
			ks.Status = trust.StatusRevoked
		case len(s.leaves[k]) > 0:
			ks.Status = trust.StatusLeft
		case ks.Founder || admitted:
			ks.Status = trust.StatusMember
		case enacted:
			ks.Status = trust.StatusLapsed
		case applied:
			ks.Status = trust.StatusApplicant
		}
		if fs, ok := s.forkSeq[k]; ok {
			ks.Suspended, ks.Equivocated = true, fs
		}
		for _, sx := range s.suspends[k] {
			if !s.liftedBefore(s.motionHash(sx), -1) {
				ks.Suspended = true
			}
		}
		if !ks.Founder {
			ks.Endorsements = len(s.endorsers(k))
		}
		if ks.Status == trust.StatusMember {
			s.members++
		}
	}
}

// endorsers returns the distinct authors of live endorsements of k.
func (s *refState) endorsers(k protocol.Key) map[protocol.Key]bool {
	out := map[protocol.Key]bool{}
	for i, op := range s.d.ops {
		if v, ok := voteOf(op); ok && s.in[i] && s.live[i] && v.Motion.Kind == protocol.MotionAdmit && v.Motion.Subject() == k {
			out[op.Author] = true
		}
	}
	return out
}

// key returns the standing of k, a stranger if the set never mentions it.
func (s *refState) key(k protocol.Key) trust.KeyState {
	if ks, ok := s.keys[k]; ok {
		return *ks
	}
	return trust.KeyState{Key: k, Status: trust.StatusStranger, Needed: int(s.charter.Admit)}
}

// String renders the reference State as trust.State.String renders its own.
func (s *refState) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "charter %q v%d k=%d s=%d r=%d c=%d epoch=%s\n", s.charter.Name, s.charter.Version,
		s.charter.Admit, s.charter.Suspend, s.charter.Revoke, s.charter.ChangeQuorum(s.members), s.epoch.Short())
	keys := make([]protocol.Key, 0, len(s.keys))
	for k := range s.keys {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b protocol.Key) int { return strings.Compare(string(a[:]), string(b[:])) })
	for _, k := range keys {
		fmt.Fprintf(&b, "key %s\n", s.keys[k])
	}
	var live []protocol.Hash
	for i := range s.live {
		if s.d.ops[i].Kind != protocol.KindAdvisory {
			live = append(live, s.d.ops[i].Hash())
		}
	}
	slices.SortFunc(live, func(a, b protocol.Hash) int { return strings.Compare(string(a[:]), string(b[:])) })
	for _, h := range live {
		fmt.Fprintf(&b, "live %s\n", h.Short())
	}
	// Tallies: every motion with a counting vote (all denial and charter
	// votes, live grant votes).
	type tally struct {
		m       protocol.Motion
		votes   int
		enacted bool
	}
	tallies := map[protocol.Hash]*tally{}
	for i, op := range s.d.ops {
		v, ok := voteOf(op)
		if !s.in[i] || !ok {
			continue
		}
		if k := v.Motion.Kind; (k == protocol.MotionAdmit || k == protocol.MotionUnsuspend) && !s.live[i] {
			continue
		}
		h := v.Motion.Hash()
		if tallies[h] == nil {
			tallies[h] = &tally{m: v.Motion}
		}
		tallies[h].votes++
	}
	for i, op := range s.d.ops {
		if e, ok := enactOf(op); ok && s.in[i] && tallies[e.Motion.Hash()] != nil {
			tallies[e.Motion.Hash()].enacted = true
		}
	}
	var ms []protocol.Hash
	for h := range tallies {
		ms = append(ms, h)
	}
	slices.SortFunc(ms, func(a, b protocol.Hash) int { return strings.Compare(string(a[:]), string(b[:])) })
	for _, h := range ms {
		t := tallies[h]
		fmt.Fprintf(&b, "tally %s votes=%d enacted=%v\n", t.m.String(), t.votes, t.enacted)
	}
	return b.String()
}

// refAdmissible judges op against the reference State of its past, view,
// by the rules of DESIGN.md §4 and membership.md R6-R9 (minus seasoning,
// quotas and same-epoch votes, which come with charter epochs). It returns
// "" when op is admissible, or why not.
func refAdmissible(op *protocol.Op, view *refState, past []bool) string {
	d := view.d
	if op.Epoch != view.epoch {
		return "epoch"
	}
	author := view.key(op.Author)
	removed := func(ks trust.KeyState) bool {
		return ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft
	}
	switch b := op.Content().(type) {
	case *protocol.Advisory:
		if author.Status != trust.StatusMember || author.Suspended {
			return "advisory by a non-member or suspended member"
		}
		return ""
	case *protocol.Leave:
		if author.Status != trust.StatusMember && author.Status != trust.StatusLapsed {
			return "leave by a non-member"
		}
		return ""
	case *protocol.Vote:
		m := &b.Motion
		denial := m.Kind == protocol.MotionSuspend || m.Kind == protocol.MotionRevoke
		if author.Status != trust.StatusMember || (author.Suspended && !denial) {
			return "vote by a non-member, or a grant or charter vote by a suspended member"
		}
		if m.Kind != protocol.MotionCharter && m.Subject() == op.Author {
			return "vote on own motion"
		}
		return refMotionStands(m, view)
	case *protocol.Enact:
		m := &b.Motion
		if m.Kind == protocol.MotionAdmit {
			if op.Author != m.Subject() {
				return "admit enacted by another key"
			}
			if removed(author) {
				return "admit enacted by a removed key"
			}
		} else if author.Status != trust.StatusMember {
			return "enacted by a non-member"
		}
		if why := refMotionStands(m, view); why != "" {
			return why
		}
		if m.Kind == protocol.MotionSuspend {
			for _, sx := range view.suspends[*m.Target] {
				if view.motionHash(sx) == m.Hash() {
					return "suspension case already enacted"
				}
			}
		}
		voters := map[protocol.Key]bool{}
		counting := 0
		for _, h := range b.Votes {
			j, ok := d.index[h]
			if !ok || !past[j] {
				return "cites a vote outside its past"
			}
			v, ok := voteOf(d.ops[j])
			if !ok || v.Motion.Hash() != m.Hash() {
				return "cites a non-vote or a vote for another motion"
			}
			voter := d.ops[j].Author
			if voters[voter] {
				return "cites two votes by one voter"
			}
			if m.Kind != protocol.MotionCharter && voter == m.Subject() {
				return "cites a vote by the subject"
			}
			voters[voter] = true
			grant := m.Kind == protocol.MotionAdmit || m.Kind == protocol.MotionUnsuspend
			if !grant || view.live[j] {
				counting++
			}
		}
		// The charter's thresholds with the floors of docs/membership.md
		// §2, written out here apart from the engine's ThresholdsFor.
		n := view.members
		var need int
		switch m.Kind {
		case protocol.MotionAdmit:
			need = min(int(view.charter.Admit), n)
		case protocol.MotionSuspend:
			need = max(2, min(int(view.charter.Suspend), n-1))
		case protocol.MotionRevoke, protocol.MotionUnsuspend:
			need = max(2, min(int(view.charter.Revoke), n-1))
		case protocol.MotionCharter:
			need = min(n, max(view.charter.ChangeQuorum(n), n/2+1))
		}
		if counting < need {
			return fmt.Sprintf("%d counting votes, %d needed", counting, need)
		}
		return ""
	}
	return "unexpected kind"
}

// refMotionStands checks a motion against the view: the candidate may still
// join, the target is a member or lapsed (a lapsed member may come back, so
// it can still be suspended, revoked or unsuspended), the suspensions lifted
// stand, the charter is the next version.
func refMotionStands(m *protocol.Motion, view *refState) string {
	switch m.Kind {
	case protocol.MotionAdmit:
		c := view.key(m.Subject())
		if m.Application.Group != view.d.ops[0].Hash() || c.Status == trust.StatusMember ||
			c.Status == trust.StatusRevoked || c.Status == trust.StatusLeft {
			return "candidate is " + c.Status.String()
		}
	case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend:
		if t := view.key(*m.Target); t.Status != trust.StatusMember && t.Status != trust.StatusLapsed {
			return "target is " + t.Status.String()
		}
		for _, l := range m.Lifts {
			standing := false
			for _, sx := range view.suspends[*m.Target] {
				if view.motionHash(sx) == l && !view.liftedBefore(l, -1) {
					standing = true
				}
			}
			if !standing {
				return "lifts a suspension that does not stand"
			}
		}
	case protocol.MotionCharter:
		if m.Charter.Version != view.charter.Version+1 {
			return "charter version"
		}
	}
	return ""
}
