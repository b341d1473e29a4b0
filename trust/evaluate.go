package trust

import (
	"github.com/kring-circle/kring/protocol"
)

// The Engine's evaluation under the rules of docs/membership.md: the State
// of a set of ops is Judge(S, Z(S)), with Z validated (§3.4), and an op is
// admissible against the same evaluation of its own past (§5).

// evaluator evaluates the closures and pasts of one Engine's dag.
type evaluator struct {
	st  *settler
	cur *evaluation // of every op applied; nil when an op was applied since
	// whole is the Z (without anchors) of every op applied when cur was
	// last computed, and applied the ops applied since, in order: the
	// next Z of every op is whole less what their closures settled.
	whole   *zset
	applied []*vertex
}

// evaluation is Eval of one closure or past: its validated settled set
// and the Judge over it.
type evaluation struct {
	j      *judgement
	epochH protocol.Hash
	state  *State    // built on demand
	wait   *awaiting // built on demand
}

func newEvaluator(d *dag) *evaluator { return &evaluator{st: newSettler(d)} }

// evaluate returns Eval of the closure or past c.
func (r *evaluator) evaluate(c closure) *evaluation {
	e := r.st.eval(c)
	j := r.st.judge(c, e.z, judgeView{anch: e.anch})
	return &evaluation{j: j, epochH: j.epochOp()}
}

// all returns Eval of every op applied.
func (r *evaluator) all() *evaluation {
	if r.cur == nil {
		d := r.st.d
		c := closure{}
		for id := range d.heads {
			c.preds = append(c.preds, d.vertices[id])
		}
		if r.whole != nil && len(c.preds) > 1 {
			z := r.whole
			for _, y := range r.applied {
				if z = r.st.wholeWith(z, y); z == nil {
					break
				}
			}
			if z != nil {
				r.st.seedPast(c, z)
			}
		}
		r.cur = r.evaluate(c)
		r.whole, r.applied = r.st.raw(c, nil, nil).z, r.applied[:0]
	}
	return r.cur
}

// applied records that n was applied since the last evaluation of every
// op.
func (r *evaluator) add(n *vertex) {
	r.cur = nil
	if r.whole != nil && len(r.applied) < maxCarried {
		r.applied = append(r.applied, n)
	} else {
		r.whole, r.applied = nil, r.applied[:0]
	}
}

// maxCarried is how many ops the Z of every op is carried over; past
// that, the next evaluation merges the heads' windows again.
const maxCarried = 64

// pastOf returns Eval of the past of n, which need not be applied yet. It
// reads n's preds itself: settler.predsOf caches by vertex id, and an op
// that is refused leaves its id to the next one.
func (r *evaluator) pastOf(n *vertex) *evaluation {
	c := closure{}
	for _, p := range n.op.Preds {
		if pn, ok := r.st.d.get(p); ok {
			c.preds = append(c.preds, pn)
		}
	}
	return r.evaluate(c)
}

// epochOp returns the hash of the op that put the charter in force: the
// genesis, or among the settled enactments of the charter motion that Σ
// holds, the one with the lowest hash (every node picks the same).
func (j *judgement) epochOp() protocol.Hash {
	best := j.set[0].op.Hash()
	found := false
	for _, n := range j.set {
		m := motionOf(n)
		if n.op.Kind != protocol.KindEnact || m.Kind != protocol.MotionCharter || !j.z(n) {
			continue
		}
		if m.Charter.Version != j.sig.charter.Version || m.Charter.Version <= j.set[0].op.Content().(*protocol.Genesis).Charter.Version {
			continue
		}
		if h := n.op.Hash(); !found || h.Less(best) {
			best, found = h, true
		}
	}
	return best
}

// The evaluation is the view that admissibility reads (see view).

func (ev *evaluation) group() protocol.Hash       { return ev.j.set[0].op.Hash() }
func (ev *evaluation) epoch() protocol.Hash       { return ev.epochH }
func (ev *evaluation) charter() *protocol.Charter { return &ev.j.sig.charter }
func (ev *evaluation) key(k protocol.Key) KeyState {
	return ev.j.keyState(k)
}

// memberCount is n of the settled State: thresholds never shrink with
// concurrent removals (§2).
func (ev *evaluation) memberCount() int { return len(ev.j.sig.members) }

func (ev *evaluation) settledMember(k protocol.Key) bool { return ev.j.sig.members[k] }

func (ev *evaluation) liveGrant(h protocol.Hash) bool {
	n, ok := ev.j.d.get(h)
	return ok && ev.j.in(n) && ev.j.effective(n)
}

func (ev *evaluation) enacted(m protocol.Hash) bool { return len(ev.j.enacts[m]) > 0 }
func (ev *evaluation) nextCharter() uint64 {
	return max(ev.j.sig.charter.Version, ev.j.topCharter()) + 1
}

// topCharter is the highest version of any Charter enactment in the set.
func (j *judgement) topCharter() uint64 {
	var top uint64
	for _, es := range j.enacts {
		if m := motionOf(es[0]); m.Kind == protocol.MotionCharter {
			top = max(top, m.Charter.Version)
		}
	}
	return top
}

func (ev *evaluation) suspension(m protocol.Hash) (protocol.Key, bool) {
	if !ev.j.standing[m] {
		return protocol.Key{}, false
	}
	return *motionOf(ev.j.enacts[m][0]).Target, true
}
