package trust

import (
	"fmt"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// Explain lists, in causal order (the same on every node), the ops that
// made key's standing: founding, endorsements, admissions, suspensions and
// their lifting, revocation, disavowal, leave and equivocation, each with
// whether it counts, why not when it does not, and whether it is settled.
func (e *Engine) Explain(key protocol.Key) []Event {
	j := e.ev.all().j
	var out []Event
	add := func(n *vertex, counts bool, format string, args ...any) {
		what := fmt.Sprintf(format, args...)
		if n.op.Kind != protocol.KindGenesis && j.z(n) {
			what += " (settled)"
		}
		out = append(out, Event{Op: n.op.Hash(), Author: n.op.Author, What: what, Counts: counts})
	}
	for _, n := range e.causalMembership() {
		switch b := n.op.Content().(type) {
		case *protocol.Genesis:
			if j.founder(key) {
				add(n, true, "founder in the genesis of %q", b.Charter.Name)
			}
		case *protocol.Vote:
			if b.Motion.Kind != protocol.MotionCharter && b.Motion.Subject() == key {
				j.explainVote(n, b, add)
			}
		case *protocol.Enact:
			if b.Motion.Kind != protocol.MotionCharter && b.Motion.Subject() == key {
				j.explainEnact(n, b, add)
			}
		case *protocol.Leave:
			if n.op.Author == key {
				add(n, j.applied[n.id], "left the circle%s", orVoid(j.applied[n.id], ""))
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

// explainVote explains a vote on a motion about the key. A member's
// second vote on one motion is shown, but it does not count: the member
// counts once, with the vote repeatOf names.
func (j *judgement) explainVote(n *vertex, b *protocol.Vote, add func(*vertex, bool, string, ...any)) {
	ok := j.effective(n)
	if first := j.repeatOf(n); ok && first != nil {
		a := n.op.Author.Short()
		add(n, false, "%s voted to %s (a repeat: %s counts once, with %s)", a, b.Motion.Kind, a, first.op.Hash().Short())
		return
	}
	add(n, ok, "%s voted to %s%s", n.op.Author.Short(), b.Motion.Kind, orVoid(ok, j.voidReason(n)))
}

func (j *judgement) explainEnact(n *vertex, b *protocol.Enact, add func(*vertex, bool, string, ...any)) {
	counting := 0
	for _, h := range b.Votes {
		if v, ok := j.d.get(h); ok && j.effective(v) {
			counting++
		}
	}
	ok := j.effective(n)
	switch b.Motion.Kind {
	case protocol.MotionAdmit:
		reason := j.voidReason(n)
		if reason == "" && !ok {
			reason = fmt.Sprintf(" (void: only %d of %d endorsements count)", counting, j.sig.t.Admit)
		}
		add(n, ok, "admitted with %d counting endorsements, %d needed%s", counting, j.sig.t.Admit, reason)
	case protocol.MotionSuspend:
		what := fmt.Sprintf("suspended by %d votes", len(b.Votes))
		switch {
		case ok && !j.standing[n.motion]:
			what += " (lifted)"
		case !ok:
			what += " (void: it did not apply)"
		}
		add(n, ok && j.standing[n.motion], "%s", what)
	case protocol.MotionUnsuspend:
		what := fmt.Sprintf("suspension lifted by %d votes, %d counting", len(b.Votes), counting)
		if !ok {
			what += " (void: it did not apply)"
		}
		add(n, ok, "%s", what)
	case protocol.MotionRevoke, protocol.MotionDisavow:
		what := fmt.Sprintf("%sd by %d votes", b.Motion.Kind, len(b.Votes))
		if b.Motion.Kind == protocol.MotionDisavow {
			what = fmt.Sprintf("disavowed from seq %d by %d votes", b.Motion.From, len(b.Votes))
		}
		if !ok {
			what += " (void: it did not apply)"
		}
		add(n, ok, "%s", what)
	}
}

// voidReason says why the op n does not count, or "" when it counts or no
// removal, suspension or fork of its author explains it.
func (j *judgement) voidReason(n *vertex) string {
	if j.effective(n) {
		return ""
	}
	a := n.op.Author.Short()
	if j.inert(n) {
		if by := j.removalOf(n); by != nil {
			switch m := motionOf(by); {
			case by.op.Kind == protocol.KindLeave:
				return fmt.Sprintf(" (void: made after %s left in %s)", a, by.op.Hash().Short())
			case m.Kind == protocol.MotionDisavow:
				return fmt.Sprintf(" (void: %s's ops from seq %d are disavowed in %s)", a, m.From, by.op.Hash().Short())
			default:
				return fmt.Sprintf(" (void: made concurrently with or after %s's revocation in %s)", a, by.op.Hash().Short())
			}
		}
		return fmt.Sprintf(" (void: %s was removed)", a)
	}
	if j.suspendedCut(n) {
		return fmt.Sprintf(" (void: made while %s stood suspended, or on a discarded branch of its fork)", a)
	}
	if n.op.Kind == protocol.KindVote && !j.memberAt(n.op.Author, n) && !j.sig.members[n.op.Author] {
		return fmt.Sprintf(" (void: %s was not a live member when it voted)", a)
	}
	return ""
}

// removalOf returns an applied Leave, Revoke or Disavow enactment of n's
// author, the one with the lowest hash, or nil.
func (j *judgement) removalOf(n *vertex) *vertex {
	var best *vertex
	for id := range j.applied {
		d := j.d.vertices[id]
		switch {
		case d.op.Kind == protocol.KindLeave && d.op.Author == n.op.Author:
		case d.op.Kind == protocol.KindEnact && removesVoters(motionOf(d)) && *motionOf(d).Target == n.op.Author:
		default:
			continue
		}
		if best == nil || d.op.Hash().Less(best.op.Hash()) {
			best = d
		}
	}
	return best
}

// orVoid is reason, or " (void)" for an op that does not count with no
// reason given.
func orVoid(counts bool, reason string) string {
	if !counts && reason == "" {
		return " (void)"
	}
	return reason
}
