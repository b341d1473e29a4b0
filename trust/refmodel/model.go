package refmodel

import (
	"fmt"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// Result is what the model says of a set of ops.
type Result struct {
	// Settled holds the ops in Z, the settled set.
	Settled map[protocol.Hash]bool
	// Effective holds the ops whose verdict is effective.
	Effective map[protocol.Hash]bool
	// Status gives each key the log mentions its status: "member",
	// "lapsed", "revoked", "left" or "applicant".
	Status map[protocol.Key]string
	// Suspended holds the members that stand suspended.
	Suspended map[protocol.Key]bool
	// Charter is the charter in force.
	Charter protocol.Charter
	// SettledMembers is n, the members of the settled State.
	SettledMembers int
	// L is the members of the settled State: a key stays in it until its
	// removal settles (§0).
	L map[protocol.Key]bool
}

// String renders the result one fact a line, sorted, for comparisons.
func (r *Result) String() string {
	var lines []string
	lines = append(lines, fmt.Sprintf("charter v%d n=%d", r.Charter.Version, r.SettledMembers))
	for k, s := range r.Status {
		susp := ""
		if r.Suspended[k] {
			susp = " suspended"
		}
		lines = append(lines, fmt.Sprintf("key %s %s%s", k.Short(), s, susp))
	}
	for h := range r.Effective {
		lines = append(lines, "effective "+h.Short())
	}
	for h := range r.Settled {
		lines = append(lines, "settled "+h.Short())
	}
	slices.Sort(lines)
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

type set []bool

func (s set) key() string {
	b := make([]byte, (len(s)+7)/8)
	for i, v := range s {
		if v {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return string(b)
}

// item is one op with what the model derives from it.
type item struct {
	op     *protocol.Op
	i      int
	past   set // past[j]: ops[j] is in the causal past of this op
	motion protocol.Hash
	m      *protocol.Motion // of a vote or an enactment
	enact  *protocol.Enact
	vote   *protocol.Vote
}

func (it *item) author() protocol.Key { return it.op.Author }

// model holds one op set and memoises the evaluations of its subsets.
type model struct {
	ops      []*item
	byHash   map[protocol.Hash]int
	founders map[protocol.Key]bool
	charter0 protocol.Charter
	evals    map[string]*evaluation
	judges   map[string]*judgement
	raws     map[string]*rawEval
	// roundHook, when set, sees each round of rounds: the settled set
	// before it and after it (firstRound).
	roundHook func(z, next set)
	anch      map[string]*anchors
	cuts      map[int]cutVotes // the cut votes of each removal enactment (§3.4)
	// order is the order grants are visited in (a topological order);
	// tests permute it within what causality allows.
	order []int
	// opts are the counterfactual switches (counterfactual.go); zero
	// outside coverage tests.
	opts Options
}

// Eval evaluates a causally closed set of ops holding one genesis.
func Eval(ops []*protocol.Op) (*Result, error) {
	m, err := build(ops)
	if err != nil {
		return nil, err
	}
	return m.result(m.eval(m.all())), nil
}

// EvalOrders evaluates the set once per given grant order (each a
// permutation of the ops' hashes that respects causality) and returns the
// results; the text says they are all equal.
func EvalOrders(ops []*protocol.Op, orders [][]protocol.Hash) ([]*Result, error) {
	var out []*Result
	for _, ord := range orders {
		m, err := build(ops)
		if err != nil {
			return nil, err
		}
		m.order = m.order[:0]
		for _, h := range ord {
			m.order = append(m.order, m.byHash[h])
		}
		out = append(out, m.result(m.eval(m.all())))
	}
	return out, nil
}

func build(ops []*protocol.Op) (*model, error) {
	m := &model{byHash: map[protocol.Hash]int{}, founders: map[protocol.Key]bool{}, evals: map[string]*evaluation{}, judges: map[string]*judgement{},
		raws: map[string]*rawEval{}, anch: map[string]*anchors{}, cuts: map[int]cutVotes{}}
	sorted, err := topo(ops)
	if err != nil {
		return nil, err
	}
	for i, o := range sorted {
		it := &item{op: o, i: i, past: make(set, len(sorted))}
		for _, p := range o.Preds {
			j := m.byHash[p]
			it.past[j] = true
			for k, in := range m.ops[j].past {
				if in {
					it.past[k] = true
				}
			}
		}
		switch b := o.Content().(type) {
		case *protocol.Genesis:
			for _, f := range b.Founders {
				m.founders[f.Key] = true
			}
			m.charter0 = b.Charter
		case *protocol.Vote:
			it.vote, it.m, it.motion = b, &b.Motion, b.Motion.Hash()
		case *protocol.Enact:
			it.enact, it.m, it.motion = b, &b.Motion, b.Motion.Hash()
		}
		m.byHash[o.Hash()] = i
		m.ops = append(m.ops, it)
		m.order = append(m.order, i)
	}
	if len(m.ops) == 0 || m.ops[0].op.Kind != protocol.KindGenesis {
		return nil, fmt.Errorf("refmodel: no genesis")
	}
	return m, nil
}

// topo sorts ops so that preds come first, and checks causal closure.
func topo(ops []*protocol.Op) ([]*protocol.Op, error) {
	byHash := map[protocol.Hash]*protocol.Op{}
	for _, o := range ops {
		byHash[o.Hash()] = o
	}
	done := map[protocol.Hash]bool{}
	var out []*protocol.Op
	var visit func(o *protocol.Op) error
	visit = func(o *protocol.Op) error {
		if done[o.Hash()] {
			return nil
		}
		for _, p := range o.Preds {
			po, ok := byHash[p]
			if !ok {
				return fmt.Errorf("refmodel: %s cites %s, which is not in the set", o.Hash().Short(), p.Short())
			}
			if err := visit(po); err != nil {
				return err
			}
		}
		done[o.Hash()] = true
		out = append(out, o)
		return nil
	}
	for _, o := range ops {
		if o.Kind == protocol.KindGenesis {
			if err := visit(o); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range ops {
		if err := visit(o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (m *model) all() set {
	s := make(set, len(m.ops))
	for i := range s {
		s[i] = true
	}
	return s
}

// pastSet returns past(y) as a set.
func (m *model) pastSet(y int) set { return slices.Clone(m.ops[y].past) }

func (m *model) before(x, y int) bool { return m.ops[y].past[x] }
