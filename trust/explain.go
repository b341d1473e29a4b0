package trust

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// Event is one op that shaped a key's standing, as Explain reports it.
type Event struct {
	// Op is the op's hash (the genesis for founders).
	Op protocol.Hash
	// Author is the op's author.
	Author protocol.Key
	// What says in a sentence what the op did for the key.
	What string
	// Counts is false for an op that is void (an endorsement or Admit that
	// a denial cut, or a suspension that was lifted) and for a member's
	// repeat vote on a motion it already voted for.
	Counts bool
}

// String renders the event in one line.
func (ev Event) String() string {
	mark := "+"
	if !ev.Counts {
		mark = "-"
	}
	return fmt.Sprintf("%s %s %s", mark, ev.Op.Short(), ev.What)
}

// explainFork names every op of the fork by hash, not by arrival, so that
// every node that holds the same ops explains the fork alike.
func (e *Engine) explainFork(f fork, add func(*vertex, bool, string, ...any)) {
	var twins []*vertex
	for _, id := range e.d.bySeq[authorSeq(f)] {
		twins = append(twins, e.d.vertices[id])
	}
	slices.SortFunc(twins, func(x, y *vertex) int { return compareHashes(x.op.Hash(), y.op.Hash()) })
	var names []string
	for i, t := range twins {
		if i == 4 {
			names = append(names, fmt.Sprintf("and %d more", len(twins)-i))
			break
		}
		names = append(names, t.op.Hash().Short())
	}
	add(twins[0], true, "equivocated: %d ops at seq %d (%s); suspended from that seq",
		len(twins), f.seq, strings.Join(names, ", "))
}

// causalMembership returns the membership ops ordered by causal height,
// then hash: a topological order that does not depend on arrival.
func (e *Engine) causalMembership() []*vertex {
	out := make([]*vertex, len(e.d.membership))
	for i, id := range e.d.membership {
		out[i] = e.d.vertices[id]
	}
	slices.SortFunc(out, func(x, y *vertex) int {
		if x.height != y.height {
			return int(x.height) - int(y.height)
		}
		return compareHashes(x.op.Hash(), y.op.Hash())
	})
	return out
}
