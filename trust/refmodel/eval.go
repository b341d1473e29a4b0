package refmodel

import (
	"github.com/kring-circle/kring/protocol"
)

// evaluation is Eval of one subset: its settled set and final judgement.
type evaluation struct {
	sub  set
	z    set
	j    *judgement
	anch *anchors // nil when validation discounts nothing (§3.4)
}

// sigma is the settled State: members, charter, and the thresholds.
type sigma struct {
	members map[protocol.Key]bool
	charter protocol.Charter
	// top is the highest settled charter version, contested or not. A
	// Charter enactment counts only above it (review rounds 4 and 5).
	top uint64
	n   int
}

// settled computes Σ = Settled(Z) (§3.1).
func (m *model) settled(z set) *sigma {
	s := &sigma{members: map[protocol.Key]bool{}, charter: m.charter0}
	for k := range m.founders {
		s.members[k] = true
	}
	var removed []protocol.Key
	var charters []*item
	for i, in := range z {
		if !in {
			continue
		}
		it := m.ops[i]
		switch {
		case it.op.Kind == protocol.KindLeave:
			removed = append(removed, it.author())
		case it.enact != nil:
			switch it.m.Kind {
			case protocol.MotionAdmit:
				s.members[it.author()] = true
			case protocol.MotionRevoke, protocol.MotionDisavow:
				removed = append(removed, *it.m.Target)
			case protocol.MotionCharter:
				charters = append(charters, it)
			}
		}
	}
	for _, k := range removed {
		delete(s.members, k)
	}
	s.charter = inForce(m.charter0, charters)
	s.top = s.charter.Version
	for _, it := range charters {
		s.top = max(s.top, it.m.Charter.Version)
	}
	s.n = len(s.members)
	return s
}

// The thresholds of §2.
// admit is k′ = max(1, min(k, n)) and quorum at least 1: a State without
// members admits no one and settles nothing (draft 36, review round 30).
func (s *sigma) admit() int { return max(1, min(int(s.charter.Admit), s.n)) }
func (s *sigma) suspend() int {
	return max(2, min(int(s.charter.Suspend), s.n-1))
}
func (s *sigma) revoke() int { return max(2, min(int(s.charter.Revoke), s.n-1)) }
func (s *sigma) change() int {
	c := int(s.charter.Change)
	if c == 0 {
		c = max((2*s.n+2)/3, 4)
	}
	return min(s.n, max(c, s.n/2+1))
}
func (s *sigma) hostile() int {
	return max(1, min(s.admit(), s.suspend(), s.revoke(), (s.n+1)/2))
}
func (s *sigma) quorum() int {
	return max(1, min(s.n, max((s.n+s.hostile()+1)/2, 2*s.hostile()-1)))
}

// threshold returns the votes a removal or lift motion needs.
func (s *sigma) threshold(k protocol.MotionKind) int {
	switch k {
	case protocol.MotionSuspend:
		return s.suspend()
	case protocol.MotionRevoke, protocol.MotionUnsuspend:
		return s.revoke()
	case protocol.MotionAdmit:
		return s.admit()
	default:
		return s.change()
	}
}

// eval is Eval (§3) of the subset sub, memoised. The settled set of the
// closure of one op (the op and its past) is grown by rounds from what its
// preds' closures settled; the settled set of any other subset is the union
// of its heads' closures'. So an op settled in some op's closure is settled
// in every superset: Z is monotone by construction (§3).
func (m *model) eval(sub set) *evaluation {
	k := sub.key()
	if e, ok := m.evals[k]; ok {
		return e
	}
	z := m.raw(sub, nil, nil).z
	a, r := m.validate(sub, z)
	if a != nil {
		z = r.z
	}
	e := &evaluation{sub: sub, z: z, anch: a, j: m.judge(sub, z, view{x: -1, exclude: -1, anch: a.key()})}
	m.evals[k] = e
	return e
}

// rounds grows z by the rounds of §3 over sub.
//
// Under anchors a (a closure beyond the bound, §3.4) the ops that
// validation discounts are inert and settle nothing but a Leave; under
// acks, their acknowledgements count toward no op but a Leave; under g, a
// Leave is also checked without them, and returned as grounded if it
// still has its quorum.
//
// Under full (the anchors of validation), an op other than a Leave settles
// only if at least f keys acknowledge it with anchored ops (review round
// 10): at least one of them honest and none a removed key's thief.
//
// The ops of hold settle nothing (draft 36: a revoked key's cut ops whose
// revocation the closure's own rounds settle).
func (m *model) rounds(sub, z set, a, acks, g, full *anchors, hold set) (set, set) {
	// The hook is this call's alone: the rounds of other closures that
	// this one's judgements compute do not see it.
	hook := m.roundHook
	m.roundHook = nil
	grounded := make(set, len(m.ops))
	if m.opts.NoSettlement {
		return z, grounded // counterfactual: nothing settles but the genesis
	}
	pv := view{x: -1, exclude: -1, anch: a.key()}
	for {
		sig := m.settled(z)
		q := sig.quorum()
		t := m.judge(sub, z, pv)
		var acked []int
		ground := map[int]bool{}
		for x, in := range sub {
			// An op concurrent with its author's own Leave is a twin signed
			// after leaving (a thief's, or a kept copy's): it never settles
			// (property tests, CE-3). Two Leaves of one key both may: they
			// remove the same key.
			if !in || z[x] || !m.settleable(x) || (m.ops[x].op.Kind != protocol.KindLeave && m.afterOwnLeave(x, sub)) {
				continue
			}
			// A key leaves once: a Leave does not settle beside a settled
			// Leave of its author (a kept key's later Leave, §3.4).
			leave := m.ops[x].op.Kind == protocol.KindLeave
			if leave && m.otherLeaveIn(x, z) {
				continue
			}
			// In a closure beyond the bound (§3.4), an op that is not
			// anchored settles nothing: only a Leave does.
			if !leave && (a != nil && !a.anchored(m, x) || hold != nil && hold[x]) {
				continue
			}
			// A target counts as acknowledging its own removal only in a
			// circle where the quorum is everyone (q = n, three members or
			// fewer): elsewhere a partition could count it on both sides
			// (review round 6).
			targets := q >= sig.n
			// Acknowledgements that validation discounts (§3.4) never
			// count, except toward a Leave, which settles as before; a
			// Leave that keeps its quorum without them is grounded.
			d := acks
			if leave {
				d = nil
			}
			count, countD := 0, 0
			for key := range sig.members {
				if m.acknowledgesIn(key, x, sub, t, targets, d) {
					count++
					if leave && g != nil && m.acknowledgesIn(key, x, sub, t, targets, g) {
						countD++
					}
				}
			}
			if !leave && full != nil && count >= q && !m.anchoredQuorum(x, sub, t, full) {
				continue
			}
			if count >= q && (!isDecision(m.ops[x]) || m.jointQuorum(x, sub, z, sig, count, d, a)) {
				acked = append(acked, x)
				if leave && g != nil && countD >= q {
					ground[x] = true
				}
			}
		}
		next := m.holding(sub, z, acked, a)
		if next == nil {
			return z, grounded
		}
		if hook != nil {
			hook(z, next)
		}
		for x := range ground {
			if next[x] {
				grounded[x] = true
			}
		}
		z = next
	}
}

// otherLeaveIn reports whether z holds a Leave by the author of the Leave
// x other than x.
func (m *model) otherLeaveIn(x int, z set) bool {
	for l, in := range z {
		if in && l != x && m.ops[l].op.Kind == protocol.KindLeave && m.ops[l].author() == m.ops[x].author() {
			return true
		}
	}
	return false
}

// jointQuorum reports whether decision x, acknowledged by count keys of
// L, also has a quorum of the membership before the settled removals of
// sub (§3.2, joint quorum): L with each key that settled removals took out,
// once. Such a key counts as acknowledging x unless it acknowledged an
// enactment that x takes a side against, with an op that is not inert
// (made before its Leave, or before its revocation's cut point). Votes are
// not sides, and nor are ops signed after leaving or a thief's backdated
// ops (review round 5).
//
// a are the anchors of the rounds; d discounts the explicit
// acknowledgements (nil toward a Leave, §3.4).
func (m *model) jointQuorum(x int, sub, z set, sig *sigma, count int, d, a *anchors) bool {
	gone := map[protocol.Key]bool{}
	for i, in := range sub {
		it := m.ops[i]
		if !in || !z[i] {
			continue
		}
		switch {
		case it.op.Kind == protocol.KindLeave:
			gone[it.author()] = true
		case it.enact != nil && removesVoter(it.m):
			gone[*it.m.Target] = true
		}
	}
	if len(gone) == 0 {
		return true
	}
	before := *sig
	before.n = sig.n + len(gone)
	var enactments []int
	for _, w := range m.sidesOf(x, sub, z, a) {
		if m.ops[w].enact != nil {
			enactments = append(enactments, w)
		}
	}
	t := m.judge(sub, z, view{x: -1, exclude: -1, anch: a.key()})
	leaversFor := 0
	for k := range gone {
		if !m.tookSideBeforeGoing(k, enactments, sub, t) {
			count++
			if t.left(k) {
				leaversFor++
			}
		}
	}
	// Besides the joint quorum, n - q + f keys of the joint membership must
	// acknowledge x with ops or be leavers that took no side (an honest
	// leaver's acknowledgements all precede its Leave, so its sides show
	// wherever its Leave settled). Any quorum of the larger membership then
	// shares f keys with these, one of them honest (review round 6).
	explicit := 0
	for k := range sig.members {
		if m.acknowledgesWithOp(k, x, sub, d) {
			explicit++
		}
	}
	if explicit+leaversFor < before.n-before.quorum()+before.hostile() {
		return false
	}
	return count >= before.quorum()
}

// tookSideBeforeGoing reports whether key, removed or gone, acknowledged
// one of the enactments ws with an op that is not inert in t.
func (m *model) tookSideBeforeGoing(key protocol.Key, ws []int, sub set, t *judgement) bool {
	for _, w := range ws {
		for y0, in := range sub {
			if !in || m.ops[y0].author() != key || t.inert(y0) {
				continue
			}
			if y0 == w || (m.before(w, y0) && m.ackView(y0, w).effective(w)) {
				return true
			}
		}
	}
	return false
}

// sidesOf returns the ops that x takes sides against in sub: the removals
// and lifts a removal x disables, or the other Charter motions of x's
// version.
func (m *model) sidesOf(x int, sub, z set, a *anchors) []int {
	it := m.ops[x]
	switch {
	case isRemoval(it):
		return m.disabledBy(x, sub, z, a)
	case it.enact != nil && it.m.Kind == protocol.MotionCharter:
		var out []int
		for w, in := range sub {
			wt := m.ops[w]
			if in && wt.m != nil && wt.m.Kind == protocol.MotionCharter && wt.motion != it.motion &&
				wt.m.Charter.Version == it.m.Charter.Version {
				out = append(out, w)
			}
		}
		return out
	case it.enact != nil && it.m.Kind == protocol.MotionUnsuspend && it.m.Keep != nil:
		// Keep-lifts of one fork that keep different twins are two sides
		// (round 16): at most one of them settles.
		var out []int
		for w, in := range sub {
			wt := m.ops[w]
			if in && wt.enact != nil && m.otherKeep(it, wt) {
				out = append(out, w)
			}
		}
		return out
	}
	return nil
}

// otherKeep reports whether the enactment wt is a keep-lift of it's
// target that keeps another twin of the same fork (the same seq).
func (m *model) otherKeep(it, wt *item) bool {
	if wt.m.Kind != protocol.MotionUnsuspend || wt.m.Keep == nil || *wt.m.Target != *it.m.Target || *wt.m.Keep == *it.m.Keep {
		return false
	}
	k1, ok1 := m.byHash[*it.m.Keep]
	k2, ok2 := m.byHash[*wt.m.Keep]
	return ok1 && ok2 && m.ops[k1].op.Seq == m.ops[k2].op.Seq
}

// heads returns the ops of sub that are in no other op's past in sub.
func (m *model) heads(sub set) []int {
	var out []int
	for i, in := range sub {
		if !in {
			continue
		}
		head := true
		for j, jn := range sub {
			if jn && m.before(i, j) {
				head = false
				break
			}
		}
		if head {
			out = append(out, i)
		}
	}
	return out
}

// closure returns op i and its past.
func (m *model) closure(i int) set {
	s := m.pastSet(i)
	s[i] = true
	return s
}

// any reports whether s holds an op.
func (s set) any() bool {
	for _, in := range s {
		if in {
			return true
		}
	}
	return false
}

func (s set) and(o set) set {
	out := make(set, len(s))
	for i := range s {
		out[i] = s[i] && o[i]
	}
	return out
}

func (s set) or(o set) set {
	out := make(set, len(s))
	for i := range s {
		out[i] = s[i] || o[i]
	}
	return out
}

// settleable reports whether op x can settle (§3.2): decisions,
// endorsements and data ops; never the other votes or acks.
func (m *model) settleable(x int) bool {
	it := m.ops[x]
	switch it.op.Kind {
	case protocol.KindEnact, protocol.KindLeave, protocol.KindAdvisory:
		return true
	case protocol.KindVote:
		return it.m.Kind == protocol.MotionAdmit
	}
	return false
}

func isDecision(it *item) bool { return it.enact != nil || it.op.Kind == protocol.KindLeave }

// holding returns Z grown by the acknowledged ops that hold (§3.3):
// endorsements and data ops at once, decisions when they are effective in
// T^Z, the judgement in which the round's acknowledged decisions are the
// only removals outside Z that may apply. It returns nil when nothing
// grows.
func (m *model) holding(sub, z set, acked []int, a *anchors) set {
	if len(acked) == 0 {
		return nil
	}
	joint := make(set, len(m.ops))
	for _, x := range acked {
		joint[x] = true
	}
	tz := m.judge(sub, z, view{x: -1, exclude: -1, settledOnly: true, joint: joint.key(), anch: a.key()})
	next := append(set(nil), z...)
	grew := false
	for _, x := range acked {
		if !isDecision(m.ops[x]) || tz.effective(x) {
			next[x], grew = true, true
		}
	}
	if !grew {
		return nil
	}
	return next
}

// acknowledges reports whether key acknowledges x within sub, whose
// judgement is t (§3.2): as a key that left in t, of a Leave that applies
// there; as the target of the removal x; or with x itself or an
// op y after it, made before one of key's own Leaves, in whose ack view x
// is effective, when x takes no side key already took (rules 3 and 4).
func (m *model) acknowledges(key protocol.Key, x int, sub set, t *judgement, a *anchors) bool {
	return m.acknowledgesIn(key, x, sub, t, true, a)
}

// acknowledgesIn is acknowledges, with the target's implicit
// acknowledgement of its removal counted only when targets is set.
//
// Under anchors a, an op of a key with a Leave settled in the union that
// precedes none of its validated Leaves acknowledges nothing, and such a
// key counts as a leaver only through a validated Leave (§3.4).
func (m *model) acknowledgesIn(key protocol.Key, x int, sub set, t *judgement, targets bool, a *anchors) bool {
	it := m.ops[x]
	if it.op.Kind == protocol.KindLeave && t.effective(x) && t.left(key) && a.leftAnchored(m, key, sub) {
		return true // a key that left counts as acknowledging every Leave
	}
	if targets && it.enact != nil && isRemoval(it) && *it.m.Target == key && !t.tookSideAgainst(key, x) {
		return true
	}
	return m.acknowledgesWithOp(key, x, sub, a)
}

// tookSideAgainst reports whether key cast a removal or lift vote that the
// removal x would make inert, or acknowledged with an op a removal or lift
// that x disables in this judgement's set: a target that took a side in a
// conflict with its own removal is not counted as acknowledging it
// (review round 4).
func (j *judgement) tookSideAgainst(key protocol.Key, x int) bool {
	xm := j.m.ops[x].m
	for v, in := range j.sub {
		vt := j.m.ops[v]
		if !in || vt.vote == nil || vt.author() != key {
			continue
		}
		switch vt.m.Kind {
		case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend, protocol.MotionDisavow:
			if j.wouldInert(v, xm, j.countingVotes(j.m.ops[x].motion, xm, nil)) {
				return true
			}
		}
	}
	return j.m.acknowledgedAny(key, j.m.disabledBy(x, j.sub, j.z, j.anch), j.sub)
}

// disabledBy returns the removals and lifts outside z that the removal x
// disables in sub: effective with x left out, void with it.
func (m *model) disabledBy(x int, sub, z set, a *anchors) []int {
	with := m.judge(sub, z, view{ack: true, x: -1, exclude: -1, anch: a.key()})
	without := m.judge(sub, z, view{ack: true, x: -1, exclude: x, anch: a.key()})
	var out []int
	for w, in := range sub {
		wt := m.ops[w]
		if in && w != x && !z[w] && wt.enact != nil && (isRemoval(wt) || wt.m.Kind == protocol.MotionUnsuspend) &&
			!with.effective(w) && without.effective(w) {
			out = append(out, w)
		}
	}
	return out
}

// acknowledgedAny reports whether key acknowledged one of ws with an op in
// sub (the op itself, or an op after it in whose ack view it is
// effective).
func (m *model) acknowledgedAny(key protocol.Key, ws []int, sub set) bool {
	for _, w := range ws {
		for y0, in := range sub {
			if in && m.ops[y0].author() == key && (y0 == w || m.before(w, y0)) && (y0 == w || m.ackView(y0, w).effective(w)) {
				return true
			}
		}
	}
	return false
}

// acknowledgesWithOp is acknowledges without the implicit cases: key has
// an op (x itself, or one after it) that acknowledges x.
func (m *model) acknowledgesWithOp(key protocol.Key, x int, sub set, a *anchors) bool {
	for y, in := range sub {
		if !in || m.ops[y].author() != key || (y != x && !m.before(x, y)) || m.afterOwnLeave(y, sub) || !a.anchored(m, y) {
			continue
		}
		if y != x && !m.ackView(y, x).effective(x) {
			continue
		}
		if m.takesOtherSide(key, x, y) {
			continue
		}
		return true
	}
	return false
}

// left reports whether key left in this judgement.
func (j *judgement) left(key protocol.Key) bool {
	for d := range j.applied {
		if dt := j.m.ops[d]; dt.op.Kind == protocol.KindLeave && dt.author() == key {
			return true
		}
	}
	return false
}

// takesOtherSide reports whether acknowledging x with y would have key
// take both sides of a conflict (§3.2, rules 3 and 4): x is a removal that
// disables, in y's view, a removal or lift that key acknowledged with an
// op in y's past, or x is a Charter enactment of a version for which key
// acknowledged another motion, or a keep-lift of a fork for which key
// acknowledged a keep-lift keeping another twin. A key is released once y's past shows
// n - q + f keys of L acknowledging x with ops: the other side can no
// longer settle.
func (m *model) takesOtherSide(key protocol.Key, x, y int) bool {
	it := m.ops[x]
	past := m.pastSet(y)
	var sides []int
	switch {
	case isRemoval(it):
		pe := m.eval(past)
		sides = m.disabledBy(x, past, pe.z, pe.anch)
	case it.enact != nil && it.m.Kind == protocol.MotionCharter:
		for w, in := range past {
			wt := m.ops[w]
			if in && wt.enact != nil && wt.m.Kind == protocol.MotionCharter && wt.motion != it.motion &&
				wt.m.Charter.Version == it.m.Charter.Version {
				sides = append(sides, w)
			}
		}
	case it.enact != nil && it.m.Kind == protocol.MotionUnsuspend && it.m.Keep != nil:
		for w, in := range past {
			if wt := m.ops[w]; in && wt.enact != nil && m.otherKeep(it, wt) {
				sides = append(sides, w)
			}
		}
	}
	if !m.acknowledgedAny(key, sides, past) {
		return false
	}
	return !m.released(x, sides, past)
}

// released reports whether, within past, so many keys of L acknowledge x
// that the sides it disables can no longer reach a quorum: n - q + f keys
// that acknowledge x with an op and are counted for none of the sides, not
// even implicitly (review round 4). The implicit acknowledgements of
// targets and leavers take no side and do not count here.
func (m *model) released(x int, sides []int, past set) bool {
	if !past[x] {
		return false
	}
	e := m.eval(past)
	sig := m.settled(e.z)
	need := sig.n - sig.quorum() + sig.hostile()
	count := 0
	for key := range sig.members {
		if !m.acknowledgesWithOp(key, x, past, e.anch) {
			continue
		}
		other := false
		for _, w := range sides {
			if m.acknowledges(key, w, past, e.j, e.anch) {
				other = true
			}
		}
		if !other {
			count++
		}
	}
	return count >= need
}

// afterOwnLeave reports whether op y does not precede a Leave by its own
// author in sub: a twin signed after leaving.
func (m *model) afterOwnLeave(y int, sub set) bool {
	for l, in := range sub {
		lt := m.ops[l]
		if in && l != y && lt.op.Kind == protocol.KindLeave && lt.author() == m.ops[y].author() && !m.before(y, l) {
			return true
		}
	}
	return false
}

// ackView is the view in which op y judges x: Judge(past(y), Z(past(y)))
// in which lifts outside that Z other than x do not apply. It depends on
// y's past alone.
func (m *model) ackView(y int, x int) *judgement {
	past := m.pastSet(y)
	e := m.eval(past)
	return m.judge(past, e.z, view{ack: true, x: x, exclude: -1, anch: e.anch.key()})
}

// Thresholds returns k', s', r', c' and q of §2 for charter c and n
// settled members, for tests that check another implementation against
// this one.
func Thresholds(c protocol.Charter, n int) [5]int {
	s := &sigma{charter: c, n: n}
	return [5]int{s.admit(), s.suspend(), s.revoke(), s.change(), s.quorum()}
}

// inForce returns the settled charter in force: the highest version that
// exactly one settled motion holds (two settled motions of one version
// can only come from beyond the threat model, and neither then counts).
func inForce(genesis protocol.Charter, charters []*item) protocol.Charter {
	byVersion := map[uint64]map[protocol.Hash]*protocol.Charter{}
	for _, it := range charters {
		v := it.m.Charter.Version
		if byVersion[v] == nil {
			byVersion[v] = map[protocol.Hash]*protocol.Charter{}
		}
		byVersion[v][it.motion] = it.m.Charter
	}
	best := genesis
	for v, ms := range byVersion {
		if len(ms) == 1 && v > best.Version {
			for _, c := range ms {
				best = *c
			}
		}
	}
	return best
}
