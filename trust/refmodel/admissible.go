package refmodel

import (
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// Admissible judges op, whose preds must all be in ops, against the model's
// view of its past (docs/membership.md §5): it returns "" when the op is
// admissible, or why not. ops must hold the genesis and be causally closed.
func Admissible(ops []*protocol.Op, op *protocol.Op) (string, error) {
	all := append(append([]*protocol.Op(nil), ops...), op)
	m, err := build(all)
	if err != nil {
		return "", err
	}
	i := m.byHash[op.Hash()]
	e := m.eval(m.pastSet(i))
	return e.j.admissible(m.ops[i]), nil
}

// admissible is §5 for the op it, judged in the judgement j of its past.
func (j *judgement) admissible(it *item) string {
	author := it.author()
	status, suspended := j.status(author), j.suspended(author)
	removed := status == "revoked" || status == "left"
	member := status == "member"
	switch it.op.Kind {
	case protocol.KindGenesis:
		return "a second genesis"
	case protocol.KindAck:
		if removed || (!member && status != "lapsed") {
			return "ack by " + orStranger(status)
		}
		return ""
	case protocol.KindAdvisory:
		if !member || suspended {
			return "advisory by a " + standing(status, suspended)
		}
		return ""
	case protocol.KindLeave:
		if removed || (!member && status != "lapsed") {
			return "leave by " + orStranger(status)
		}
		return ""
	}
	if it.vote != nil {
		return j.admissibleVote(it, member, suspended)
	}
	return j.admissibleEnact(it, removed, member)
}

func (j *judgement) admissibleVote(it *item, member, suspended bool) string {
	m := it.m
	// Removal votes, and lifts of others, are open to suspended members.
	open := m.Kind == protocol.MotionSuspend || m.Kind == protocol.MotionRevoke || m.Kind == protocol.MotionUnsuspend
	if !member || (suspended && !open) {
		return "vote by a " + standing(j.status(it.author()), suspended)
	}
	if m.Kind != protocol.MotionCharter && m.Subject() == it.author() {
		return "vote on a motion about oneself"
	}
	// An endorsement needs its author in L of the settled State of its
	// view: a member vouches for others once the circle has settled its
	// own admission (§5, draft 27; round 15's CE-5: an unsettled member,
	// whom §0 does not count among the hostile keys of L, must not
	// admit).
	if m.Kind == protocol.MotionAdmit && !j.sig.members[it.author()] {
		return "endorsement by a member whose admission is not settled"
	}
	return j.motionStands(it)
}

func (j *judgement) admissibleEnact(it *item, removed, member bool) string {
	m := it.m
	if m.Kind == protocol.MotionAdmit {
		if it.author() != m.Subject() {
			return "admit enacted by another key"
		}
		if removed {
			return "admit enacted by a removed key"
		}
	} else if !member {
		return "enacted by a " + orStranger(j.status(it.author()))
	}
	if why := j.motionStands(it); why != "" {
		return why
	}
	if m.Kind == protocol.MotionSuspend && j.motions[it.motion] {
		return "suspension case already enacted"
	}
	voters := map[protocol.Key]bool{}
	for _, h := range it.enact.Votes {
		v, ok := j.m.byHash[h]
		if !ok || !j.in(v) || j.m.ops[v].vote == nil || j.m.ops[v].motion != it.motion {
			return "cites a vote not in its past or on another motion"
		}
		if voters[j.m.ops[v].author()] {
			return "cites two votes by one member"
		}
		voters[j.m.ops[v].author()] = true
	}
	// An Admit counts its live endorsements (§5: as in version 1, and as
	// §4.5 judges the enactment); other motions their counting votes.
	counting := 0
	if m.Kind == protocol.MotionAdmit {
		for _, h := range it.enact.Votes {
			if j.live[j.m.byHash[h]] {
				counting++
			}
		}
	} else {
		for _, v := range j.countingVotes(it.motion, m, nil) {
			for _, h := range it.enact.Votes {
				if j.m.ops[v].op.Hash() == h {
					counting++
				}
			}
		}
	}
	if need := j.sig.threshold(m.Kind); counting < need {
		return fmt.Sprintf("%d counting votes, %d needed", counting, need)
	}
	return ""
}

// motionStands checks that the motion of a vote or enactment makes sense
// in the view.
func (j *judgement) motionStands(it *item) string {
	m := it.m
	switch m.Kind {
	case protocol.MotionAdmit:
		s := j.status(m.Subject())
		if m.Application.Group != j.m.ops[0].op.Hash() || s == "member" || s == "revoked" || s == "left" {
			return "candidate is " + orStranger(s)
		}
	case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend:
		if s := j.status(*m.Target); s != "member" && s != "lapsed" {
			return "target is " + orStranger(s)
		}
		if m.Kind == protocol.MotionUnsuspend {
			return j.liftStands(it)
		}
	case protocol.MotionCharter:
		// The next version after the highest enacted in the view, settled
		// or not (review round 5): a version that never settles does not
		// block the ones after it.
		top := j.sig.top
		for i, o := range j.m.ops {
			if j.in(i) && o.enact != nil && o.m.Kind == protocol.MotionCharter {
				top = max(top, o.m.Charter.Version)
			}
		}
		if m.Charter.Version != top+1 {
			return fmt.Sprintf("charter v%d after v%d", m.Charter.Version, top)
		}
	case protocol.MotionDisavow:
		if s := j.status(*m.Target); s == "" || s == "applicant" {
			return "disavows a key that was never a member"
		}
	}
	return ""
}

// liftStands checks an Unsuspend: each suspension it lifts applied and
// stands against the target, and a kept twin has its twin in the past.
func (j *judgement) liftStands(it *item) string {
	m := it.m
	for _, s := range m.Lifts {
		if !j.standing[s] {
			return "lifts a suspension that does not stand"
		}
	}
	if m.Keep == nil {
		return ""
	}
	k, ok := j.m.byHash[*m.Keep]
	if !ok || !j.in(k) || j.m.ops[k].author() != *m.Target {
		return "keeps an op of another key or not in its past"
	}
	for i, o := range j.m.ops {
		if j.in(i) && i != k && o.author() == *m.Target && o.op.Seq == j.m.ops[k].op.Seq {
			return ""
		}
	}
	return "keeps an op that has no twin in its past"
}

func orStranger(s string) string {
	if s == "" {
		return "stranger"
	}
	return s
}

func standing(status string, suspended bool) string {
	if suspended {
		return "suspended " + orStranger(status)
	}
	return orStranger(status)
}
