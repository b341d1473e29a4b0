package trust

// Hooks for the tests. Admissible and IsLiveGrant expose the judgement and
// the State's grants to the external tests; the Raw hooks into the dag, for
// dag_test.go, bypass admissibility so that tests can build histories of
// any shape.

import (
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// Admissible judges op against view with past answering for the votes in
// it (see admissible), for the tests that call the judgement directly
// against a State.
func Admissible(op *protocol.Op, view *State, past pastVotes) error {
	_, err := admissible(op, view, past)
	return err
}

// IsLiveGrant reports whether the grant op h (an endorsement, an unsuspend
// vote, an Admit or Unsuspend enactment) counts in the State.
func (s *State) IsLiveGrant(h protocol.Hash) bool { return s.liveGrant(h) }

func (e *Engine) RawAdd(op *protocol.Op) {
	preds := make([]*vertex, len(op.Preds))
	for i, p := range op.Preds {
		preds[i], _ = e.d.get(p)
	}
	n, _ := e.d.prepare(op, preds)
	e.d.add(n, preds)
}

func (e *Engine) RawInPast(x, o protocol.Hash) bool {
	a, _ := e.d.get(x)
	b, _ := e.d.get(o)
	return e.d.inPast(a, b)
}

// RawPrepared prepares op (not added) and returns inPast(x, prepared) for each x, and its pastForks.
func (e *Engine) RawPrepared(op *protocol.Op, xs []protocol.Hash) ([]bool, map[protocol.Key]uint32) {
	preds := make([]*vertex, len(op.Preds))
	for i, p := range op.Preds {
		preds[i], _ = e.d.get(p)
	}
	n, pf := e.d.prepare(op, preds)
	out := make([]bool, len(xs))
	for i, h := range xs {
		x, _ := e.d.get(h)
		out[i] = e.d.inPast(x, n)
	}
	m := map[protocol.Key]uint32{}
	for _, f := range pf {
		k := op.Author
		if int(f.author) < len(e.d.keys) {
			k = e.d.keys[f.author]
		}
		m[k] = f.seq
	}
	return out, m
}

func (e *Engine) RawVertex(h protocol.Hash) (forkLow map[protocol.Key]uint32, branches map[protocol.Key][]protocol.Hash) {
	n, _ := e.d.get(h)
	forkLow, branches = map[protocol.Key]uint32{}, map[protocol.Key][]protocol.Hash{}
	for a, s := range n.forkLow {
		forkLow[e.d.keys[a]] = s
	}
	for a, hs := range n.branches {
		for _, x := range hs {
			branches[e.d.keys[a]] = append(branches[e.d.keys[a]], x.op.Hash())
		}
	}
	return
}

func (e *Engine) RawChainAt(h protocol.Hash, seq uint32) (protocol.Hash, bool) {
	n, _ := e.d.get(h)
	t := chainAt(n, seq)
	if t == nil {
		return protocol.Hash{}, false
	}
	return t.op.Hash(), true
}

func (e *Engine) RawDivergence(x, y protocol.Hash) uint32 {
	a, _ := e.d.get(x)
	b, _ := e.d.get(y)
	return divergence(a, b)
}

// NewWithMemoLimit returns an Engine whose settler keeps at most limit
// entries per memo generation and no closure for good, so that nearly
// everything it computed is dropped and computed again.
func NewWithMemoLimit(genesis *protocol.Op, limit int) (*Engine, error) {
	saved := memoLimits
	defer func() { memoLimits = saved }()
	memoLimits.raws, memoLimits.pasts, memoLimits.evals, memoLimits.views, memoLimits.ackViews = limit, limit, limit, limit, limit
	memoLimits.marks = 0
	return New(genesis)
}

// FollowersForTest counts the keys with an op among every op applied
// that is the op x or follows it.
func (e *Engine) FollowersForTest(x protocol.Hash) int {
	s := newSettler(e.d)
	xn, _ := e.d.get(x)
	var c closure
	for id := range e.d.heads {
		c.preds = append(c.preds, e.d.vertices[id])
	}
	all := keyset{}
	for i := range e.d.keys {
		all = all.with(int32(i))
	}
	return s.followers(xn, c, all)
}

// FollowersBoundForTest checks, for every advisory x in the closure of
// every op applied, that x's followers among the members of the
// closure's settled State are at least the members that acknowledge x
// with ops, the count a settlement round compares with its quorum. It
// returns how many pairs had an acknowledgement, and the pairs where the
// bound fails.
func (e *Engine) FollowersBoundForTest() (int, []string) {
	s := newSettler(e.d)
	checked := 0
	var bad []string
	for _, y := range e.d.vertices[1:] {
		c := closureOf(y)
		z := s.raw(c, nil, nil).z
		members := s.keysetOf(s.sigma(c, z).members)
		leavers := s.leaversOf(c)
		for _, x := range e.d.vertices[1 : y.id+1] {
			if x.op.Kind != protocol.KindAdvisory || (x != y && !e.d.inPast(x, y)) {
				continue
			}
			acks := s.ackersWithOp(x, c, nil, leavers).countIn(members)
			if acks > 0 {
				checked++
			}
			if f := s.followers(x, c, members); f < acks {
				bad = append(bad, fmt.Sprintf("%s in the closure of %s: %d followers, %d acknowledge it", x.op, y.op, f, acks))
			}
		}
	}
	return checked, bad
}

// SettledMemberForTest reports whether k is a member of the settled State
// of s: a key that may endorse (docs/membership.md §5, draft 27).
func SettledMemberForTest(s *State, k protocol.Key) bool { return s.settledMember(k) }
