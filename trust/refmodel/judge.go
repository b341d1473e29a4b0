package refmodel

import (
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// view says how Judge runs: the plain Judge(S, Z), or one of the variants
// that settlement reads (§3.2, §3.3).
type view struct {
	// ack judges x for an acknowledgement: lifts outside Z other than x
	// do not apply.
	ack bool
	// x is the op judged in an ack view, or -1.
	x int
	// exclude is a removal that never applies (to see what it disables),
	// or -1.
	exclude int
	// settledOnly applies no removal outside Z but the Leaves and the
	// joint ones: T^Z, in which a decision must hold to settle.
	settledOnly bool
	// joint is the set (as a key) of the round's acknowledged ops.
	joint string
	// anch names the anchors of validated settlement (§3.4), "" for none.
	anch string
}

// judgement is Judge(S, Z) (§4) of one subset.
type judgement struct {
	m    *model
	sub  set
	z    set
	sig  *sigma
	v    view
	anch *anchors

	applied  map[int]bool           // Leaves, and enactments of removal motions that applied
	motions  map[protocol.Hash]bool // removal motions that applied
	votesOf  map[protocol.Hash][]int
	lifts    map[int]bool           // lifts that apply
	tied     map[int]bool           // keep-lifts that tie with another (§4.4): not effective
	standing map[protocol.Hash]bool // suspension motions that stand
	forkFrom map[protocol.Key]uint64
	discard  set
	tainted  set
	live     set // grants
	charterE map[int]bool
}

func (m *model) judge(sub, z set, v view) *judgement {
	key := fmt.Sprintf("%s|%s|%v", sub.key(), z.key(), v)
	if j, ok := m.judges[key]; ok {
		return j
	}
	j := &judgement{
		m: m, sub: sub, z: z, sig: m.settled(z), v: v, anch: m.anch[v.anch],
		applied: map[int]bool{}, motions: map[protocol.Hash]bool{}, votesOf: map[protocol.Hash][]int{}, lifts: map[int]bool{},
		standing: map[protocol.Hash]bool{}, forkFrom: map[protocol.Key]uint64{},
		discard: make(set, len(m.ops)), tainted: make(set, len(m.ops)), live: make(set, len(m.ops)),
		charterE: map[int]bool{}, tied: map[int]bool{},
	}
	j.removals()
	j.taint()
	j.liftsAndSuspensions()
	j.forks()
	j.grants()
	j.charters()
	m.judges[key] = j
	return j
}

func (j *judgement) in(i int) bool { return j.sub[i] }

// inJoint reports whether op i is among the round's acknowledged ops.
func (j *judgement) inJoint(i int) bool {
	return i/8 < len(j.v.joint) && j.v.joint[i/8]&(1<<(i%8)) != 0
}

func isRemoval(it *item) bool {
	if it.op.Kind == protocol.KindLeave {
		return true
	}
	if it.enact == nil {
		return false
	}
	switch it.m.Kind {
	case protocol.MotionRevoke, protocol.MotionSuspend, protocol.MotionDisavow:
		return true
	}
	return false
}

// taint marks the settled ops an applied Disavow reaches (§4.6).
func (j *judgement) taint() {
	for _, i := range j.m.order {
		if !j.in(i) {
			continue
		}
		it := j.m.ops[i]
		for d := range j.applied {
			dt := j.m.ops[d]
			if dt.enact != nil && dt.m.Kind == protocol.MotionDisavow && *dt.m.Target == it.author() && it.op.Seq >= dt.m.From {
				j.tainted[i] = true
			}
		}
		if it.enact != nil && it.m.Kind == protocol.MotionAdmit {
			for _, v := range it.enact.Votes {
				if j.tainted[j.m.byHash[v]] {
					j.tainted[i] = true
				}
			}
		}
		if it.vote != nil && it.m.Kind == protocol.MotionAdmit && !j.m.founders[it.author()] {
			admits, bad := 0, 0
			for a, at := range j.m.ops {
				if j.in(a) && j.z[a] && at.enact != nil && at.m.Kind == protocol.MotionAdmit && at.author() == it.author() && j.m.before(a, i) {
					admits++
					if j.tainted[a] {
						bad++
					}
				}
			}
			if admits > 0 && admits == bad {
				j.tainted[i] = true
			}
		}
	}
}

func (j *judgement) settledOK(i int) bool { return j.z[i] && !j.tainted[i] }

// liftsAndSuspensions decides the lifts that apply and the suspensions
// that stand (§4.3).
func (j *judgement) liftsAndSuspensions() {
	for i, it := range j.m.ops {
		if !j.in(i) || it.enact == nil || it.m.Kind != protocol.MotionUnsuspend || j.m.opts.NoLifts {
			continue
		}
		if j.settledOK(i) {
			j.lifts[i] = true
			continue
		}
		if j.v.ack && i != j.v.x {
			continue // an ack view does not count on lifts outside Z
		}
		ok := !j.inert(i) && voters(j.m, j.countingVotes(it.motion, it.m, nil)) >= j.sig.revoke()
		for _, s := range it.m.Lifts {
			ok = ok && j.motions[s]
		}
		if ok {
			j.lifts[i] = true
		}
	}
	for d := range j.applied {
		dt := j.m.ops[d]
		if dt.enact != nil && dt.m.Kind == protocol.MotionSuspend {
			j.standing[dt.motion] = true
		}
	}
	for l := range j.lifts {
		for _, s := range j.m.ops[l].m.Lifts {
			delete(j.standing, s)
		}
	}
}
