package refmodel

import (
	"github.com/kring-circle/kring/protocol"
)

// forks finds each author's lowest fork between non-inert twins, applies
// keep-lifts, and records the fork suspensions that remain (§4.4).
func (j *judgement) forks() {
	byAuthor := map[protocol.Key][]int{}
	for i, it := range j.m.ops {
		// A Leave never makes a fork: a stolen or kept key's backdated
		// Leave must not void what its owner signed.
		if j.in(i) && it.op.Kind != protocol.KindGenesis && it.op.Kind != protocol.KindLeave && !j.inert(i) {
			byAuthor[it.author()] = append(byAuthor[it.author()], i)
		}
	}
	for a, ops := range byAuthor {
		for {
			q, twins := j.lowestFork(ops)
			if q == 0 {
				break
			}
			keep, lifts := j.keepLift(a, twins)
			if keep < 0 {
				j.forkFrom[a] = q
				break
			}
			for _, o := range ops {
				for _, t := range twins {
					if t != keep && (o == t || j.m.before(t, o)) && !j.afterAny(lifts, o) {
						j.discard[o] = true
					}
				}
			}
		}
	}
}

// lowestFork returns the lowest seq with two ops that are not discarded,
// and those ops.
func (j *judgement) lowestFork(ops []int) (uint64, []int) {
	bySeq := map[uint64][]int{}
	var low uint64
	for _, o := range ops {
		if j.discard[o] {
			continue
		}
		s := j.m.ops[o].op.Seq
		bySeq[s] = append(bySeq[s], o)
		if len(bySeq[s]) > 1 && (low == 0 || s < low) {
			low = s
		}
	}
	return low, bySeq[low]
}

// keepLift returns the twin that the applying lifts keep and those lifts,
// or -1. Keep-lifts that keep different twins tie and none applies (round
// 15): which branch survives is never chosen by the order in which lifts
// are read. A settled keep-lift wins over unsettled ones that keep another
// twin (§3.3); otherwise the twin whose keep-lifts have the most distinct
// counting voters wins, and a tie keeps none until more members vote
// (round 16: two concurrent keep-lifts must not freeze a fork for good).
// The lifts that lose or tie are not effective.
func (j *judgement) keepLift(a protocol.Key, twins []int) (int, []int) {
	byKeep := map[int][]int{}
	settled := map[int]bool{}
	for l := range j.lifts {
		m := j.m.ops[l].m
		if m.Keep == nil || *m.Target != a {
			continue
		}
		for _, t := range twins {
			if j.m.ops[t].op.Hash() != *m.Keep || !j.allInPast(twins, l) {
				continue
			}
			byKeep[t] = append(byKeep[t], l)
			if j.settledOK(l) {
				settled[t] = true
			}
		}
	}
	cands := settled
	if len(cands) == 0 {
		cands = j.mostSupported(byKeep)
	}
	keep := -1
	if len(cands) == 1 {
		for t := range cands {
			keep = t
		}
	}
	for t, ls := range byKeep {
		if t != keep {
			for _, l := range ls {
				j.tied[l] = true
			}
		}
	}
	if keep < 0 {
		return -1, nil
	}
	return keep, byKeep[keep]
}

// mostSupported returns the twins whose keep-lifts (byKeep) have the most
// distinct keys with counting votes on their motions.
func (j *judgement) mostSupported(byKeep map[int][]int) map[int]bool {
	best, out := 0, map[int]bool{}
	for t, ls := range byKeep {
		keys := map[protocol.Key]bool{}
		for _, l := range ls {
			for _, v := range j.countingVotes(j.m.ops[l].motion, j.m.ops[l].m, nil) {
				keys[j.m.ops[v].author()] = true
			}
		}
		switch {
		case len(keys) > best:
			best, out = len(keys), map[int]bool{t: true}
		case len(keys) == best:
			out[t] = true
		}
	}
	return out
}

// allInPast reports whether every twin is in the past of the lift l: a
// keep-lift judges only the fork it saw (§4.4), and a twin signed after it
// at the same seq makes a new fork (round 26).
func (j *judgement) allInPast(twins []int, l int) bool {
	for _, t := range twins {
		if !j.m.before(t, l) {
			return false
		}
	}
	return true
}

// afterAny reports whether one of the ops ls is in the past of o.
func (j *judgement) afterAny(ls []int, o int) bool {
	for _, l := range ls {
		if j.m.before(l, o) {
			return true
		}
	}
	return false
}

// suspendedCut reports whether a standing suspension or a fork voids op i
// (§4.8, for grants, data ops and charter votes).
func (j *judgement) suspendedCut(i int) bool {
	if j.settledOK(i) {
		return false
	}
	it := j.m.ops[i]
	a := it.author()
	if j.discard[i] {
		return true
	}
	if q, ok := j.forkFrom[a]; ok && it.op.Seq >= q {
		return true
	}
	for d := range j.applied {
		dt := j.m.ops[d]
		if dt.enact != nil && dt.m.Kind == protocol.MotionSuspend && *dt.m.Target == a && j.standing[dt.motion] && !j.precedes(i, dt.motion) {
			return true
		}
	}
	return false
}

// cut reports whether op i, a grant or data op, is void (§4.8).
func (j *judgement) cut(i int) bool {
	if j.settledOK(i) {
		return false
	}
	return j.inert(i) || j.suspendedCut(i)
}

// memberAt reports whether key was a live member at op i.
func (j *judgement) memberAt(key protocol.Key, i int) bool {
	if j.m.founders[key] {
		return true
	}
	for a, it := range j.m.ops {
		if j.in(a) && j.live[a] && it.enact != nil && it.m.Kind == protocol.MotionAdmit && it.author() == key && j.m.before(a, i) {
			return true
		}
	}
	return false
}

// grants judges endorsements and Admit enactments in order (§4.5).
func (j *judgement) grants() {
	for _, i := range j.m.order {
		if !j.in(i) {
			continue
		}
		it := j.m.ops[i]
		if it.m == nil || it.m.Kind != protocol.MotionAdmit {
			continue
		}
		if j.settledOK(i) {
			j.live[i] = true
			continue
		}
		if it.vote != nil {
			j.live[i] = j.memberAt(it.author(), i) && !j.cut(i)
			continue
		}
		if j.cut(i) {
			continue
		}
		n := 0
		for _, v := range it.enact.Votes {
			if j.live[j.m.byHash[v]] {
				n++
			}
		}
		j.live[i] = n >= j.sig.admit()
	}
}

// charters judges Charter enactments (§4.7).
func (j *judgement) charters() {
	support := map[protocol.Hash]int{}
	for i, it := range j.m.ops {
		if j.in(i) && it.m != nil && it.m.Kind == protocol.MotionCharter {
			support[it.motion] = voters(j.m, j.countingVotes(it.motion, it.m, nil))
		}
	}
	for i, it := range j.m.ops {
		if !j.in(i) || it.enact == nil || it.m.Kind != protocol.MotionCharter {
			continue
		}
		if j.settledOK(i) {
			j.charterE[i] = true
			continue
		}
		if it.m.Charter.Version <= j.sig.top || support[it.motion] < j.sig.change() || j.inert(i) {
			continue
		}
		leads := true
		for o, ot := range j.m.ops {
			if j.in(o) && ot.m != nil && ot.m.Kind == protocol.MotionCharter && ot.motion != it.motion &&
				ot.m.Charter.Version == it.m.Charter.Version && support[ot.motion] >= support[it.motion] {
				leads = false
			}
		}
		j.charterE[i] = leads
	}
}

// effective gives op i's verdict (§4.8).
func (j *judgement) effective(i int) bool {
	it := j.m.ops[i]
	switch it.op.Kind {
	case protocol.KindGenesis, protocol.KindLeave:
		return true
	case protocol.KindAck:
		return false
	case protocol.KindAdvisory:
		return j.settledOK(i) || (j.memberAt(it.author(), i) && !j.cut(i))
	case protocol.KindVote:
		if it.m.Kind == protocol.MotionAdmit {
			return j.live[i]
		}
		if j.settledOK(i) {
			return true
		}
		ok := j.sig.members[it.author()] && !j.inert(i)
		if it.m.Kind == protocol.MotionCharter {
			ok = ok && !j.suspendedCut(i)
		}
		return ok
	}
	switch it.m.Kind {
	case protocol.MotionAdmit:
		return j.live[i]
	case protocol.MotionUnsuspend:
		return j.lifts[i] && !j.tied[i]
	case protocol.MotionCharter:
		return j.charterE[i]
	}
	return j.motions[it.motion] && !j.inert(i) // a stale enactment by a removed key carries nothing (CE-2)
}

// result renders an evaluation.
func (m *model) result(e *evaluation) *Result {
	j := e.j
	r := &Result{
		Settled: map[protocol.Hash]bool{}, Effective: map[protocol.Hash]bool{},
		Status: map[protocol.Key]string{}, Suspended: map[protocol.Key]bool{},
		Charter: j.sig.charter, SettledMembers: j.sig.n, L: j.sig.members,
	}
	keys := map[protocol.Key]bool{}
	for k := range m.founders {
		keys[k] = true
	}
	for i, in := range e.sub {
		if !in {
			continue
		}
		it := m.ops[i]
		h := it.op.Hash()
		if e.z[i] {
			r.Settled[h] = true
		}
		if j.effective(i) {
			r.Effective[h] = true
		}
		if it.m != nil && it.m.Kind != protocol.MotionCharter {
			keys[it.m.Subject()] = true
		}
		keys[it.author()] = true
	}
	for k := range keys {
		if s := j.status(k); s != "" {
			r.Status[k] = s
			if s == "member" && j.suspended(k) {
				r.Suspended[k] = true
			}
		}
	}
	return r
}

func (j *judgement) status(k protocol.Key) string {
	var revoked, left, live, admits, endorsed bool
	for i, it := range j.m.ops {
		if !j.in(i) {
			continue
		}
		switch {
		case j.applied[i] && it.op.Kind == protocol.KindLeave && it.author() == k:
			left = true
		case j.applied[i] && it.enact != nil && (it.m.Kind == protocol.MotionRevoke || it.m.Kind == protocol.MotionDisavow) && *it.m.Target == k:
			revoked = true
		case it.enact != nil && it.m.Kind == protocol.MotionAdmit && it.author() == k:
			admits = true
			live = live || j.live[i]
		case it.vote != nil && it.m.Kind == protocol.MotionAdmit && it.m.Subject() == k:
			endorsed = true
		}
	}
	switch {
	case revoked:
		return "revoked"
	case left:
		return "left"
	case j.m.founders[k] || live:
		return "member"
	case admits:
		return "lapsed"
	case endorsed:
		return "applicant"
	}
	return ""
}

func (j *judgement) suspended(k protocol.Key) bool {
	if _, ok := j.forkFrom[k]; ok {
		return true
	}
	for d := range j.applied {
		dt := j.m.ops[d]
		if dt.enact != nil && dt.m.Kind == protocol.MotionSuspend && *dt.m.Target == k && j.standing[dt.motion] {
			return true
		}
	}
	return false
}
