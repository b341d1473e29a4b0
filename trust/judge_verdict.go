package trust

import (
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// taint marks the settled ops an applied Disavow reaches (§4.6): the
// target's ops from its seq, Admit enactments citing a tainted vote, and
// endorsements whose author's every earlier settled Admit enactment is
// tainted (a void Admit signed first must not shield them, round 15).
func (j *judgement) taint() {
	var disavows []*protocol.Motion
	for h := range j.motions {
		if m := motionOf(j.enacts[h][0]); m.Kind == protocol.MotionDisavow {
			disavows = append(disavows, m)
		}
	}
	if len(disavows) == 0 {
		return
	}
	j.disavows = disavows
	admitsBy := map[protocol.Key][]*vertex{}
	for _, n := range j.set {
		for _, m := range disavows {
			if *m.Target == n.op.Author && n.op.Seq >= m.From {
				j.tainted[n.id] = true
			}
		}
		switch b := n.op.Content().(type) {
		case *protocol.Enact:
			if b.Motion.Kind != protocol.MotionAdmit {
				continue
			}
			for _, h := range b.Votes {
				if v, ok := j.d.get(h); ok && j.tainted[v.id] {
					j.tainted[n.id] = true
				}
			}
			admitsBy[n.op.Author] = append(admitsBy[n.op.Author], n)
		case *protocol.Vote:
			if b.Motion.Kind != protocol.MotionAdmit || j.founder(n.op.Author) {
				continue
			}
			earlier, bad := 0, 0
			for _, a := range admitsBy[n.op.Author] {
				if j.z(a) && j.d.inPast(a, n) {
					earlier++
					if j.tainted[a.id] {
						bad++
					}
				}
			}
			if earlier > 0 && earlier == bad {
				j.tainted[n.id] = true
			}
		}
	}
}

func (j *judgement) founder(k protocol.Key) bool { return j.d.founders[k] }

func (j *judgement) settledOK(n *vertex) bool {
	if !j.z(n) || j.tainted[n.id] {
		return false
	}
	if !n.membership() { // taint walks membership ops; a data op is reached here
		for _, m := range j.disavows {
			if *m.Target == n.op.Author && n.op.Seq >= m.From {
				return false
			}
		}
	}
	return true
}

// liftsAndSuspensions decides the lifts that apply and the suspensions that
// stand (§4.3).
func (j *judgement) liftsAndSuspensions() {
	for h, es := range j.enacts {
		m := motionOf(es[0])
		if m.Kind != protocol.MotionUnsuspend {
			continue
		}
		for _, e := range es {
			switch {
			case j.settledOK(e):
				j.lifts[e.id] = true
			case j.v.ack && e != j.v.x:
			default:
				ok := !j.inert(e) && distinctVoters(j.countingVotes(h, m, nil)) >= j.sig.t.Revoke
				for _, s := range m.Lifts {
					ok = ok && j.motions[s]
				}
				if ok {
					j.lifts[e.id] = true
				}
			}
		}
	}
	for h := range j.motions {
		if motionOf(j.enacts[h][0]).Kind == protocol.MotionSuspend {
			j.standing[h] = true
		}
	}
	for id := range j.lifts {
		for _, s := range motionOf(j.d.vertices[id]).Lifts {
			delete(j.standing, s)
		}
	}
}

// forks finds each author's lowest fork between twins that are neither
// inert nor Leaves, applies keep-lifts, and records the fork suspensions
// that remain (§4.4).
func (j *judgement) forks() {
	forked := map[int32]bool{}
	for _, f := range j.d.forks {
		forked[f.author] = true
	}
	for a := range forked {
		for {
			q, twins := j.lowestFork(a)
			if q == 0 {
				break
			}
			keep, lifts := j.keepLift(a, twins)
			if keep == nil {
				j.forkFrom[a] = q
				break
			}
			for _, o := range j.authorOps(a) {
				for _, t := range twins {
					if t != keep && (o == t || j.d.inPast(t, o)) && !j.afterAny(lifts, o) {
						j.discard[o.id] = true
					}
				}
			}
		}
	}
}

// authorOps returns author a's ops in the set, of any kind.
func (j *judgement) authorOps(a int32) []*vertex {
	var out []*vertex
	for as, ids := range j.d.bySeq {
		if as.author != a {
			continue
		}
		for _, id := range ids {
			if n := j.d.vertices[id]; j.in(n) {
				out = append(out, n)
			}
		}
	}
	slices.SortFunc(out, func(x, y *vertex) int { return int(x.id) - int(y.id) })
	return out
}

// lowestFork returns the lowest seq at which author a has two ops in the
// set that are neither inert, Leaves nor discarded, and those ops.
func (j *judgement) lowestFork(a int32) (uint32, []*vertex) {
	var low uint32
	var twins []*vertex
	for _, f := range j.d.forks {
		if f.author != a || (low != 0 && f.seq >= low) {
			continue
		}
		var ts []*vertex
		for _, id := range j.d.bySeq[authorSeq{a, f.seq}] {
			n := j.d.vertices[id]
			if j.in(n) && n.op.Kind != protocol.KindLeave && n.op.Kind != protocol.KindGenesis && !j.discard[n.id] && !j.inert(n) {
				ts = append(ts, n)
			}
		}
		if len(ts) > 1 {
			low, twins = f.seq, ts
		}
	}
	return low, twins
}

// keepLift returns the twin that the applying lifts keep and those lifts,
// or nil. A keep-lift that would discard a settled op does not apply;
// keep-lifts that keep different twins tie and none applies, except that
// a settled one wins over unsettled ones, and otherwise the twin whose
// keep-lifts have the most distinct counting voters wins (§4.4). The lifts
// that lose or tie are not effective.
func (j *judgement) keepLift(a int32, twins []*vertex) (*vertex, []*vertex) {
	byKeep := map[*vertex][]*vertex{}
	settled := map[*vertex]bool{}
	for id := range j.lifts {
		l := j.d.vertices[id]
		m := motionOf(l)
		if m.Keep == nil || *m.Target != j.d.keys[a] {
			continue
		}
		for _, t := range twins {
			if t.op.Hash() != *m.Keep || !j.allInPast(twins, l) {
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
	var keep *vertex
	if len(cands) == 1 {
		for t := range cands {
			keep = t
		}
	}
	for t, ls := range byKeep {
		if t != keep {
			for _, l := range ls {
				j.tied[l.id] = true
			}
		}
	}
	if keep == nil {
		return nil, nil
	}
	return keep, byKeep[keep]
}

// mostSupported returns the twins whose keep-lifts (byKeep) have the most
// distinct keys with counting votes on their motions.
func (j *judgement) mostSupported(byKeep map[*vertex][]*vertex) map[*vertex]bool {
	best, out := 0, map[*vertex]bool{}
	for t, ls := range byKeep {
		keys := map[protocol.Key]bool{}
		for _, l := range ls {
			for _, v := range j.countingVotes(l.motion, motionOf(l), nil) {
				keys[v.op.Author] = true
			}
		}
		switch {
		case len(keys) > best:
			best, out = len(keys), map[*vertex]bool{t: true}
		case len(keys) == best:
			out[t] = true
		}
	}
	return out
}

// allInPast reports whether every twin is in the past of the lift l: a
// keep-lift judges only the fork it saw (§4.4), and a twin signed after it
// at the same seq is a new fork (round 26: otherwise the lift kept its twin
// again, discarded nothing, and forks never ended).
func (j *judgement) allInPast(twins []*vertex, l *vertex) bool {
	for _, t := range twins {
		if !j.d.inPast(t, l) {
			return false
		}
	}
	return true
}

// afterAny reports whether one of the ops ls is in the past of o.
func (j *judgement) afterAny(ls []*vertex, o *vertex) bool {
	for _, l := range ls {
		if j.d.inPast(l, o) {
			return true
		}
	}
	return false
}

// suspendedCut reports whether a standing suspension or a fork voids n (for
// grants, data ops and charter votes).
func (j *judgement) suspendedCut(n *vertex) bool {
	if j.settledOK(n) {
		return false
	}
	if j.discard[n.id] {
		return true
	}
	if q, ok := j.forkFrom[n.author]; ok && n.seq >= q {
		return true
	}
	for h := range j.standing {
		if m := motionOf(j.enacts[h][0]); *m.Target == n.op.Author && !j.precedes(n, h) {
			return true
		}
	}
	return false
}

// cut reports whether n, a grant or data op, is void (§4.8).
func (j *judgement) cut(n *vertex) bool {
	return !j.settledOK(n) && (j.inert(n) || j.suspendedCut(n))
}

// memberAt reports whether key was a live member at n: a founder, or a
// live Admit enactment of it precedes n.
func (j *judgement) memberAt(key protocol.Key, n *vertex) bool {
	if j.founder(key) {
		return true
	}
	a, ok := j.d.authors[key]
	if !ok {
		return false
	}
	for _, e := range j.byAuth[a] {
		if j.live[e.id] && e.op.Kind == protocol.KindEnact && j.d.inPast(e, n) {
			return true
		}
	}
	return false
}

// grants judges endorsements and Admit enactments in the set's order
// (§4.5).
func (j *judgement) grants() {
	for _, n := range j.set {
		m := motionOf(n)
		if m == nil || m.Kind != protocol.MotionAdmit {
			continue
		}
		switch {
		case j.settledOK(n):
			j.live[n.id] = true
		case n.op.Kind == protocol.KindVote:
			j.live[n.id] = j.memberAt(n.op.Author, n) && !j.cut(n)
		case !j.cut(n):
			count := 0
			for _, h := range n.op.Content().(*protocol.Enact).Votes {
				if v, ok := j.d.get(h); ok && j.live[v.id] {
					count++
				}
			}
			j.live[n.id] = count >= j.sig.t.Admit
		}
	}
}

// charters judges Charter enactments (§4.7).
func (j *judgement) charters() {
	support := map[protocol.Hash]int{}
	versions := map[protocol.Hash]uint64{}
	for h, vs := range j.votes {
		if m := motionOf(vs[0]); m.Kind == protocol.MotionCharter {
			support[h], versions[h] = distinctVoters(j.countingVotes(h, m, nil)), m.Charter.Version
		}
	}
	for h, es := range j.enacts {
		m := motionOf(es[0])
		if m.Kind != protocol.MotionCharter {
			continue
		}
		leads := m.Charter.Version > j.sig.top && support[h] >= j.sig.t.Change
		for o, s := range support {
			if o != h && versions[o] == m.Charter.Version && s >= support[h] {
				leads = false
			}
		}
		for _, e := range es {
			j.charterE[e.id] = j.settledOK(e) || (leads && !j.inert(e))
		}
	}
}

// effective gives n's verdict (§4.8); n must be in the set (any kind).
func (j *judgement) effective(n *vertex) bool {
	switch n.op.Kind {
	case protocol.KindGenesis, protocol.KindLeave:
		return true
	case protocol.KindAck:
		return false
	case protocol.KindAdvisory:
		return j.settledOK(n) || (j.memberAt(n.op.Author, n) && !j.cut(n))
	case protocol.KindVote:
		m := motionOf(n)
		if m.Kind == protocol.MotionAdmit {
			return j.live[n.id]
		}
		if j.settledOK(n) {
			return true
		}
		ok := j.sig.members[n.op.Author] && !j.inert(n)
		if m.Kind == protocol.MotionCharter {
			ok = ok && !j.suspendedCut(n)
		}
		return ok
	}
	switch motionOf(n).Kind {
	case protocol.MotionAdmit:
		return j.live[n.id]
	case protocol.MotionUnsuspend:
		return j.lifts[n.id] && !j.tied[n.id]
	case protocol.MotionCharter:
		return j.charterE[n.id]
	}
	return j.motions[n.motion] && !j.inert(n)
}

// status returns where key stands in the judgement: "revoked", "left",
// "member", "lapsed", "applicant", or "" for a stranger.
func (j *judgement) status(key protocol.Key) string {
	var revoked, left, live, admits, endorsed bool
	for _, n := range j.set {
		switch {
		case n.op.Kind == protocol.KindLeave:
			left = left || (n.op.Author == key && j.applied[n.id])
		case n.op.Kind == protocol.KindEnact:
			m := motionOf(n)
			switch {
			case removesVoters(m) && *m.Target == key && j.applied[n.id]:
				revoked = true
			case m.Kind == protocol.MotionAdmit && n.op.Author == key:
				admits, live = true, live || j.live[n.id]
			}
		case n.op.Kind == protocol.KindVote:
			if m := motionOf(n); m.Kind == protocol.MotionAdmit && m.Subject() == key {
				endorsed = true
			}
		}
	}
	switch {
	case revoked:
		return "revoked"
	case left:
		return "left"
	case j.founder(key) || live:
		return "member"
	case admits:
		return "lapsed"
	case endorsed:
		return "applicant"
	}
	return ""
}

// suspended reports whether key stands suspended: by a suspension that
// stands, or by a fork.
func (j *judgement) suspended(key protocol.Key) bool {
	if a, ok := j.d.authors[key]; ok {
		if _, forked := j.forkFrom[a]; forked {
			return true
		}
	}
	for h := range j.standing {
		if *motionOf(j.enacts[h][0]).Target == key {
			return true
		}
	}
	return false
}
