package trust

import (
	"fmt"
	"math"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// Engine maintains the State of a circle as ops are applied one at a time,
// in any order that respects causality, under the membership rules of
// docs/membership.md: the State of a set of ops is Judge(S, Z(S)), its
// settled set validated, and an op is admissible against the same
// evaluation of its own past. It gives the same State as Resolve over the
// same set of ops, whatever the order.
//
// An Engine is not safe for concurrent use: one goroutine owns it (the
// node's event loop), and States it returns are immutable and may be shared.
type Engine struct {
	d       *dag
	genesis *vertex
	ev      *evaluator
	// last is the State last returned, and share its judgement's share
	// key: a later evaluation with the same key (the same membership
	// frontier, window of membership ops and anchors, no fork) has the
	// same State, so it returns the same object and a node sees that
	// nothing changed when only advisories arrived.
	last  *State
	share string
}

// New starts an engine from a circle's genesis op, whose signatures it
// verifies.
func New(genesis *protocol.Op) (*Engine, error) {
	if genesis == nil || genesis.Kind != protocol.KindGenesis {
		return nil, refuse(ErrGenesis, "the first op must be a genesis")
	}
	if _, ok := genesis.Content().(*protocol.Genesis); !ok {
		return nil, refuse(ErrGenesis, "the genesis has no decoded body")
	}
	if err := genesis.Verify(); err != nil {
		return nil, fmt.Errorf("trust: genesis: %w", err)
	}
	d := newDAG()
	n, _ := d.prepare(genesis, nil)
	d.add(n, nil)
	return &Engine{d: d, genesis: n, ev: newEvaluator(d)}, nil
}

// Group returns the circle's identity: the hash of its genesis.
func (e *Engine) Group() protocol.Hash { return e.genesis.op.Hash() }

// Genesis returns the circle's genesis op.
func (e *Engine) Genesis() *protocol.Op { return e.genesis.op.whole }

// Len returns the number of ops applied, the genesis included.
func (e *Engine) Len() int { return len(e.d.vertices) }

// Has reports whether the op with hash h has been applied.
func (e *Engine) Has(h protocol.Hash) bool { _, ok := e.d.byHash[h]; return ok }

// Op returns the applied membership op (genesis, vote, enactment, leave)
// with hash h. The engine keeps data ops (advisories, acknowledgements) as
// headers only: for them Op reports false, Header answers, and the store
// holds the op.
func (e *Engine) Op(h protocol.Hash) (*protocol.Op, bool) {
	n, ok := e.d.get(h)
	if !ok || n.op.whole == nil {
		return nil, false
	}
	return n.op.whole, true
}

// Heads returns the applied ops that no applied op cites, sorted: the preds
// of the next op this node signs (with its own previous op). When there are
// more than protocol.MaxPreds-1, it returns the MaxPreds-1 applied last.
func (e *Engine) Heads() []protocol.Hash {
	ids := make([]vertexID, 0, len(e.d.heads))
	for id := range e.d.heads {
		ids = append(ids, id)
	}
	if len(ids) > protocol.MaxPreds-1 {
		slices.Sort(ids)
		ids = ids[len(ids)-(protocol.MaxPreds-1):]
	}
	out := make([]protocol.Hash, len(ids))
	for i, id := range ids {
		out[i] = e.d.vertices[id].op.Hash()
	}
	return protocol.SortPreds(out)
}

// Missing returns the preds of op that have not been applied, sorted.
func (e *Engine) Missing(op *protocol.Op) []protocol.Hash {
	var out []protocol.Hash
	for _, h := range op.Preds {
		if !e.Has(h) {
			out = append(out, h)
		}
	}
	return out
}

// Check judges op as Apply would, without applying it.
func (e *Engine) Check(op *protocol.Op) error {
	_, _, err := e.judge(op)
	return err
}

// Apply judges op against the State of its own past and, if it is
// admissible, adds it. The op must have passed protocol.Open (signature,
// group, structure). It returns an error wrapping ErrDuplicate or
// ErrMissingPreds when the op cannot be judged now, and one of the other
// named reasons when it is inadmissible for good.
//
// An admissible op may still not count (see Live): it is applied so that
// ops citing it can be applied, but it is never counted or shown.
func (e *Engine) Apply(op *protocol.Op) error {
	n, preds, err := e.judge(op)
	if err != nil {
		return err
	}
	e.d.add(n, preds)
	e.ev.add(n)
	return nil
}

// judge runs every check on op and returns its prepared vertex and preds.
// It changes nothing in the engine's State.
func (e *Engine) judge(op *protocol.Op) (*vertex, []*vertex, error) {
	h := op.Hash()
	if e.Has(h) {
		return nil, nil, refuse(ErrDuplicate, "%s", op)
	}
	if op.Kind == protocol.KindGenesis {
		return nil, nil, refuse(ErrGenesis, "a second genesis %s", h.Short())
	}
	if op.Group != e.Group() {
		return nil, nil, refuse(ErrWrongGroup, "%s", op)
	}
	if op.Content() == nil {
		return nil, nil, refuse(ErrUnknownBody, "%s", op)
	}
	if op.Seq > math.MaxUint32 {
		return nil, nil, refuse(ErrSeqTooHigh, "%s", op)
	}
	if missing := e.Missing(op); len(missing) > 0 {
		return nil, nil, refuse(ErrMissingPreds, "%s lacks %d preds, first %s", op, len(missing), missing[0].Short())
	}
	preds := make([]*vertex, len(op.Preds))
	for i, p := range op.Preds {
		preds[i], _ = e.d.get(p)
	}
	var prev *vertex
	if op.Prev != nil {
		prev, _ = e.d.get(*op.Prev)
	}
	if err := checkChain(op, prev); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrChain, err)
	}
	if err := e.knownAuthor(op); err != nil {
		return nil, nil, err
	}
	n, _ := e.d.prepare(op, preds)
	need, err := admissible(op, e.ev.pastOf(n), past{e.d, n})
	if err != nil {
		return nil, nil, err
	}
	if need != 0 {
		n.need = need // an enactment's: data ops need none
	}
	return n, preds, nil
}

// knownAuthor refuses, before any costly work, an op whose author is
// neither a founder nor the author of any applied Admit enactment: a
// stranger or applicant in the State of every op applied, it cannot be a
// member in the State of the op's past, which is a subset of them. Only an
// applicant's own Admit enactment gets past.
func (e *Engine) knownAuthor(op *protocol.Op) error {
	if b, ok := op.Content().(*protocol.Enact); ok && b.Motion.Kind == protocol.MotionAdmit {
		return nil
	}
	if !e.d.admitted[op.Author] {
		return refuse(ErrNotMember, "%s was never admitted", op.Author.Short())
	}
	return nil
}

// Epoch returns the hash of the op that put the charter in force: the
// epoch of the next op signed on top of the log. It is cheaper than
// State().Epoch.
func (e *Engine) Epoch() protocol.Hash { return e.ev.all().epochH }

// State returns the State of every op applied so far.
func (e *Engine) State() *State {
	ev := e.ev.all()
	if ev.state == nil && ev.j.share != "" && ev.j.share == e.share {
		ev.state = e.last
	}
	st := ev.stateOf()
	e.last, e.share = st, ev.j.share
	return st
}

// Live reports whether the applied op h counts: its verdict under the
// rules of docs/membership.md §4.8 (an acknowledgement always stands). It
// is false for ops not applied.
func (e *Engine) Live(h protocol.Hash) bool {
	n, ok := e.d.get(h)
	if !ok {
		return false
	}
	return n.op.Kind == protocol.KindAck || e.ev.all().j.effective(n)
}

// past answers admissible for the past of one vertex.
type past struct {
	d *dag
	n *vertex
}

// Vote implements pastVotes for the ops in the past of p.n.
func (p past) Vote(h protocol.Hash) (protocol.Key, protocol.Hash, bool) {
	x, ok := p.d.get(h)
	if !ok || x.op.Kind != protocol.KindVote || !p.d.inPast(x, p.n) {
		return protocol.Key{}, protocol.Hash{}, false
	}
	return x.op.Author, x.motion, true
}

// Resolve returns the State of a causally closed set of ops that contains
// exactly one genesis, in whatever order they are given. It returns an
// error if an op's preds are outside the set or an op is inadmissible.
func Resolve(ops []*protocol.Op) (*State, error) {
	i := slices.IndexFunc(ops, func(o *protocol.Op) bool { return o.Kind == protocol.KindGenesis })
	if i < 0 {
		return nil, refuse(ErrGenesis, "no genesis among %d ops", len(ops))
	}
	e, err := New(ops[i])
	if err != nil {
		return nil, err
	}
	for _, op := range topological(ops) {
		if op.Kind == protocol.KindGenesis && op.Hash() == e.Group() {
			continue
		}
		if err := e.Apply(op); err != nil {
			return nil, err
		}
	}
	return e.State(), nil
}

// topological orders ops so that each comes after its preds in the set
// (Kahn's algorithm); ops whose preds are outside the set come last and
// are refused by Apply.
func topological(ops []*protocol.Op) []*protocol.Op {
	index := make(map[protocol.Hash]int, len(ops))
	for i, o := range ops {
		index[o.Hash()] = i
	}
	waiting := make([]int, len(ops))
	children := make([][]int, len(ops))
	for i, o := range ops {
		for _, p := range o.Preds {
			if j, ok := index[p]; ok {
				waiting[i]++
				children[j] = append(children[j], i)
			}
		}
	}
	out := make([]*protocol.Op, 0, len(ops))
	done := make([]bool, len(ops))
	var ready []int
	for i := range ops {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		out = append(out, ops[i])
		done[i] = true
		for _, c := range children[i] {
			if waiting[c]--; waiting[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	for i, o := range ops {
		if !done[i] {
			out = append(out, o)
		}
	}
	return out
}
