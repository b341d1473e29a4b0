package trust

import "github.com/kring-circle/kring/protocol"

// awaiting is what an evaluation holds that counts and waits to settle:
// effective advisories, endorsements, enactments and Leaves that a
// quorum of members has not yet been seen to acknowledge
// (docs/membership.md §3). It is kept apart from the State, which then
// stays the same object while only advisories arrive.
type awaiting struct {
	listed map[protocol.Hash]bool // the ops counted one by one
	runs   []opRun                // runs of advisories that all count
	count  int
	hashes map[protocol.Hash]bool // the runs' advisories, once asked for
}

// opRun is a run of one author's ops in seq order; it is never changed.
type opRun []*vertex

// awaitingOf returns what the evaluation holds that waits to settle,
// computed once. A run whose author nothing can void (plainRun) is
// counted from its chain's index of advisories; the others op by op.
func (ev *evaluation) awaitingOf() *awaiting {
	if ev.wait != nil {
		return ev.wait
	}
	j := ev.j
	w := &awaiting{listed: map[protocol.Hash]bool{}}
	if z := j.zs; z != nil {
		for _, n := range z.win {
			if j.effective(n) {
				w.listed[n.op.Hash()] = true
			}
		}
		for a, lo := range z.runs {
			ops, before := z.s.chainRange(a, lo, z.c)
			if len(ops) == 0 {
				continue
			}
			if j.plainRun(a, ops[0]) {
				w.runs = append(w.runs, ops)
				w.count += z.s.advisoriesIn(a, before, before+len(ops))
				continue
			}
			for _, n := range ops {
				if n.op.Kind == protocol.KindAdvisory && j.effective(n) {
					w.listed[n.op.Hash()] = true
				}
			}
		}
	}
	w.count += len(w.listed)
	ev.wait = w
	return w
}

// has reports whether the op with hash h counts and waits to settle.
func (w *awaiting) has(h protocol.Hash) bool {
	if w.listed[h] {
		return true
	}
	if len(w.runs) == 0 {
		return false
	}
	if w.hashes == nil {
		w.hashes = map[protocol.Hash]bool{}
		for _, run := range w.runs {
			for _, n := range run {
				if n.op.Kind == protocol.KindAdvisory {
					w.hashes[n.op.Hash()] = true
				}
			}
		}
	}
	return w.hashes[h]
}

// Unsettled returns how many ops count but wait to settle: effective
// advisories, endorsements, enactments and Leaves that a quorum of members
// has not yet been seen to acknowledge (docs/membership.md §3). Backdated
// ops can reach only these. Void ops are left out: nothing rests on them,
// and some never settle.
func (e *Engine) Unsettled() int { return e.ev.all().awaitingOf().count }

// AwaitsSettlement reports whether the op with hash h counts and waits to
// settle. It is false for settled ops, void ones, ops that never settle
// (acknowledgements, votes other than endorsements) and ops not applied.
func (e *Engine) AwaitsSettlement(h protocol.Hash) bool {
	return e.ev.all().awaitingOf().has(h)
}
