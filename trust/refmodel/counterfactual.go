package refmodel

import (
	"github.com/kring-circle/kring/protocol"
)

// Options are counterfactual switches for coverage measurement; a circle
// never runs with them. Each disables one rule of docs/membership.md, so
// that a test can evaluate a history with and without it and count how
// often the rule changed the outcome (issue 11: the properties must not
// pass vacuously). A switch holds in every judgement the model makes,
// those that settlement reads (ack views, T^Z) included. The zero value
// is the rules as written.
type Options struct {
	// NoConflictOrder replaces the conflict order of §4.2 by the version-1
	// rule: after the Leaves and the settled removal motions, every
	// candidate whose support reaches its threshold and that has an
	// enactment that is not inert applies at once, its support and its
	// counting votes taken before any candidate applies. No candidate
	// threatens another, no tier is formed, and a vote counts even against
	// its own remover; mutual revocations both apply.
	NoConflictOrder bool
	// NoSettlement settles nothing but the genesis: Z is {g} in every
	// closure (§3 runs no round), so Σ is the genesis State, nothing is
	// final, and §3.4 validates nothing.
	NoSettlement bool
	// NoLifts applies no Unsuspend enactment (§4.3), settled or not, and
	// so no keep-lift (§4.4): every suspension that applied stands, every
	// fork suspends its author.
	NoLifts bool
	// NoDisavow applies no Disavow motion (§4.2, §4.6), settled or not:
	// a Disavow enactment is never a candidate, removes no one, makes no
	// op inert and taints nothing.
	NoDisavow bool
}

// EvalWith is Eval with the counterfactual switches o.
func EvalWith(ops []*protocol.Op, o Options) (*Result, error) {
	m, err := build(ops)
	if err != nil {
		return nil, err
	}
	m.opts = o
	return m.result(m.eval(m.all())), nil
}

// disabled reports whether the switches leave the removal it out of the
// removals (§4.2).
func (m *model) disabled(it *item) bool {
	return m.opts.NoDisavow && it.enact != nil && it.m.Kind == protocol.MotionDisavow
}

// allAtOnce is the counterfactual of NoConflictOrder: every candidate
// whose support reaches its threshold and that has an enactment that is
// not inert applies at once.
func (j *judgement) allAtOnce(cand map[protocol.Hash]bool, enacts map[protocol.Hash][]int) {
	var hs []protocol.Hash
	for h := range cand {
		m := j.motion(enacts[h])
		if voters(j.m, j.countingVotes(h, m, nil)) >= j.sig.threshold(m.Kind) && j.liveEnactment(enacts[h]) {
			hs = append(hs, h)
		}
	}
	j.applyMotions(hs, enacts, nil)
}
