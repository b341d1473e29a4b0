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
	// Counts is false for an op that is void: an endorsement or Admit that
	// a denial cut, or a suspension that was lifted.
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

// Explain lists, in causal order (the same on every node), the ops that made key's
// standing: founding, endorsements, admissions, suspensions and their
// lifting, revocation, leave and equivocation, each with whether it counts
// and, when it does not, why.
func (e *Engine) Explain(key protocol.Key) []Event {
	if e.r2 != nil {
		return e.explain2(key)
	}
	r := e.resolved()
	var out []Event
	add := func(n *node, counts bool, format string, args ...any) {
		out = append(out, Event{Op: n.op.Hash(), Author: n.op.Author, What: fmt.Sprintf(format, args...), Counts: counts})
	}
	for _, n := range e.causalMembership() {
		switch b := n.op.Content().(type) {
		case *protocol.Genesis:
			if _, ok := r.founders[key]; ok {
				add(n, true, "founder in the genesis of %q", b.Charter.Name)
			}
		case *protocol.Vote:
			if b.Motion.Subject() != key {
				continue
			}
			if isGrant(b.Motion.Kind) {
				add(n, r.live[n.id], "%s voted to %s%s", n.op.Author.Short(), b.Motion.Kind, r.voidReason(n, n.op.Author))
			} else {
				add(n, true, "%s voted to %s", n.op.Author.Short(), b.Motion.Kind)
			}
		case *protocol.Enact:
			if b.Motion.Subject() == key {
				e.explainEnact(n, b, add)
			}
		case *protocol.Leave:
			if n.op.Author == key {
				add(n, true, "left the circle")
			}
		}
	}
	forks := slices.Clone(e.d.forks)
	slices.SortFunc(forks, func(x, y fork) int { return int(x.seq) - int(y.seq) })
	for _, f := range forks {
		if e.d.keys[f.author] == key {
			e.explainFork(f, add)
		}
	}
	return out
}

// explainFork names every op of the fork by hash, not by arrival, so that
// every node that holds the same ops explains the fork alike.
func (e *Engine) explainFork(f fork, add func(*node, bool, string, ...any)) {
	var twins []*node
	for _, id := range e.d.bySeq[authorSeq(f)] {
		twins = append(twins, e.d.nodes[id])
	}
	slices.SortFunc(twins, func(x, y *node) int { return compareHashes(x.op.Hash(), y.op.Hash()) })
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
func (e *Engine) causalMembership() []*node {
	out := make([]*node, len(e.d.membership))
	for i, id := range e.d.membership {
		out[i] = e.d.nodes[id]
	}
	slices.SortFunc(out, func(x, y *node) int {
		if x.height != y.height {
			return int(x.height) - int(y.height)
		}
		return compareHashes(x.op.Hash(), y.op.Hash())
	})
	return out
}

func (e *Engine) explainEnact(n *node, b *protocol.Enact, add func(*node, bool, string, ...any)) {
	r := e.resolved()
	switch b.Motion.Kind {
	case protocol.MotionAdmit:
		live := r.liveVotes(b.Votes)
		reason := r.voidReason(n, n.op.Author)
		if reason == "" && !r.live[n.id] {
			reason = fmt.Sprintf(" (void: only %d of %d endorsements still count)", live, n.need)
		}
		add(n, r.live[n.id], "admitted with %d counting endorsements, %d needed%s", live, n.need, reason)
	case protocol.MotionSuspend:
		lifted := r.lifted(n.motion)
		what := fmt.Sprintf("suspended by %d votes", len(b.Votes))
		if lifted {
			what += " (lifted)"
		}
		add(n, !lifted, "%s", what)
	case protocol.MotionUnsuspend:
		add(n, r.live[n.id], "suspension lifted by %d votes, %d counting", len(b.Votes), r.liveVotes(b.Votes))
	case protocol.MotionRevoke:
		add(n, true, "revoked by %d votes", len(b.Votes))
	}
}

// voidReason says why a grant by a does not count, or "" when it does or
// the reason is not a denial of a.
func (r *resolver) voidReason(n *node, a protocol.Key) string {
	what, by := r.cutBy(n, a)
	switch {
	case by != nil:
		return fmt.Sprintf(" (void: made concurrently with or after %s %s in %s)", a.Short(), what, by.op.Hash().Short())
	case what != "":
		return fmt.Sprintf(" (void: %s %s)", a.Short(), what)
	case n.op.Kind == protocol.KindVote && !r.memberAt(a, n):
		return fmt.Sprintf(" (void: %s was not a live member when it voted)", a.Short())
	}
	return ""
}
