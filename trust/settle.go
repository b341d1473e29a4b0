package trust

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// This file is settlement (docs/membership.md §3) on the engine's dag: the
// settled set of every op's closure, grown by rounds from its preds'. It
// computes what the reference model computes, op closure by op closure,
// and keeps the seams of §8 (an op's explicit acknowledgements read its own
// past only; a settled op's closures are found from its preds'). It is not
// yet incremental: the Engine switches to it, made fast, in a later change.

// settler computes Z(↓y) for the ops of one dag, memoised by op.
type settler struct {
	d *dag
	// raws is Z of each op's closure under anchors, for the recent
	// closures, and marks the same for every closure whose op's id is a
	// multiple of memoLimits.marks, kept for good. Validation under new
	// anchors computes the closures back to the first op the anchors
	// discount, thousands after a revocation; the next op reads its
	// preds' closures, which raws still holds. A closure dropped is
	// computed again from its past, back to the closures raws or marks
	// hold: a few dozen ops, not the log. The Z of a past is the union
	// of its preds' closures', computed again at the cost of the window
	// when pastRaws dropped it.
	raws     *memo[string, *rawZ]
	marks    map[string]*rawZ
	pastRaws *memo[string, *rawZ]
	evals    *memo[string, *settled]   // validated Z of each closure or past (§3.4)
	views    *memo[string, *judgement] // ack views and T^Z judgements

	members map[string][]*vertex       // the membership ops of each frontier's closures
	indexes map[string]*setIndex       // the same, indexed for Judge
	tops    []*setIndex                // the index of each op's closure, once asked for
	leavers map[*setIndex]keyset       // the keys with a Leave among each index's ops
	sigmas  map[sigmaKey]*settledState // Settled(Z) by frontier and unsettled decisions
	acked   map[vertexID][]keyset      // ackedBy of (y, x), by x and then y.id - x.id
	preds   [][]*vertex                // each op's preds, once asked for

	ackViews *memo[vertexID, *judgement] // each op's ack view of any op but a lift

	explicit map[vertexID][]int8 // whether op y acknowledges x by its own past, by x and y.id - x.id
	byAuthor map[protocol.Key][]*vertex
	// advisories counts each key's advisories among its first i+1 ops
	// of byAuthor.
	advisories map[protocol.Key][]int32
	forked     map[protocol.Key]bool         // keys with two ops at one seq, or out of order
	unruly     map[int32]bool                // authors whose advisories settled out of their chain's order
	cutVotes   map[vertexID]cutVotes         // the cut votes of each removal enactment (§3.4)
	firsts     map[protocol.Hash]*firstIndex // the first enactments of each motion, op by op (§3.4)
	leftHeld   map[vertexID][]bool           // by Leave, then op id: the op's closure holds it settled (leaveHeld)
	// roundHook, when set, sees the ops each round of the next call of
	// rounds settles (firstRound); that call takes it.
	roundHook func(settle map[vertexID]bool)
	indexed   int // how many of the dag's vertices byAuthor holds
}

func newSettler(d *dag) *settler {
	return &settler{d: d, raws: newMemo[string, *rawZ](memoLimits.raws), marks: map[string]*rawZ{}, pastRaws: newMemo[string, *rawZ](memoLimits.pasts), evals: newMemo[string, *settled](memoLimits.evals), views: newMemo[string, *judgement](memoLimits.views),
		members: map[string][]*vertex{}, indexes: map[string]*setIndex{}, leavers: map[*setIndex]keyset{}, sigmas: map[sigmaKey]*settledState{}, ackViews: newMemo[vertexID, *judgement](memoLimits.ackViews), acked: map[vertexID][]keyset{},
		explicit: map[vertexID][]int8{}, byAuthor: map[protocol.Key][]*vertex{}, advisories: map[protocol.Key][]int32{},
		forked: map[protocol.Key]bool{}, unruly: map[int32]bool{}, cutVotes: map[vertexID]cutVotes{}, firsts: map[protocol.Hash]*firstIndex{}, leftHeld: map[vertexID][]bool{}}
}

// closure is the set of ops of one op's closure (the op and its past), or
// of a past (the union of closures of some preds).
type closure struct {
	top   *vertex // the op whose closure this is, or nil for a past
	preds []*vertex
}

func closureOf(n *vertex) closure { return closure{top: n} }

// pastOf is the past of n: the union of its preds' closures.
func (s *settler) pastOf(n *vertex) closure {
	return closure{preds: s.predsOf(n)}
}

func (s *settler) in(c closure, n *vertex) bool {
	if c.top != nil {
		return n == c.top || s.d.inPast(n, c.top)
	}
	for _, p := range c.preds {
		if n == p || s.d.inPast(n, p) {
			return true
		}
	}
	return false
}

func (s *settler) key(c closure) string {
	var b []byte
	if c.top != nil {
		b = binary.BigEndian.AppendUint32(b, uint32(c.top.id))
		return "c" + string(b)
	}
	ids := make([]int, len(c.preds))
	for i, p := range c.preds {
		ids[i] = int(p.id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		b = binary.BigEndian.AppendUint32(b, uint32(id))
	}
	return "p" + string(b)
}

// judge returns the judgement of c with settled set z under view v.
//
// What Judge decides reads the closure's membership ops, which of them z
// holds, the anchors and the view; it reads the closure's other ops only
// where an author forked inside it. So closures with one membership
// frontier, one window of membership ops and no fork share the decisions:
// an advisory's closure is judged once per change of membership, not once
// per op. Each caller gets its own copy, which answers for its own ops.
func (s *settler) judge(c closure, z *zset, v judgeView) *judgement {
	view := viewKeyOf(v, s.anchorsIn(v.anch, c))
	shared := !s.forksIn(c)
	var k string
	if shared {
		k = joinKeys("m", frontierKey(s.frontierIDs(c)), membershipWindow(z), view)
	} else {
		k = joinKeys(s.key(c), z.key(), view)
	}
	j, ok := s.views.get(k)
	if !ok {
		j = judgeIndexed(s.d, s.indexOf(c), func(n *vertex) bool { return s.in(c, n) }, z.has, v, s.sigmaOf(c, z))
		j.zs = z
		if shared {
			j.share = k
		}
		s.views.put(k, j)
	}
	if !shared || j.zs == z {
		return j
	}
	cp := *j
	cp.in, cp.z, cp.zs, cp.v = func(n *vertex) bool { return s.in(c, n) }, z.has, z, v
	return &cp
}

// forksIn reports whether some author has two ops at one seq in c.
func (s *settler) forksIn(c closure) bool {
	for _, f := range s.d.forks {
		twins := 0
		for _, id := range s.d.bySeq[authorSeq(f)] {
			if s.in(c, s.d.vertices[id]) {
				twins++
			}
		}
		if twins > 1 {
			return true
		}
	}
	return false
}

// membershipWindow keys the membership ops of z's window: the part of
// the window that Judge's decisions read.
func membershipWindow(z *zset) string {
	var b []byte
	for _, n := range z.win {
		if n.membership() {
			b = binary.BigEndian.AppendUint32(b, uint32(n.id))
		}
	}
	return string(b)
}

// viewKeyOf keys the view v, whose anchors are keyed as anch.
func viewKeyOf(v judgeView, anch string) string {
	b := []byte{0, 0, 0}
	if v.ack {
		b[0] = 1
	}
	if v.settledOnly {
		b[1] = 1
	}
	b = append(b, anch...)
	b = append(b, 0)
	for _, n := range []*vertex{v.x, v.exclude} {
		id := int32(-1)
		if n != nil {
			id = int32(n.id)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(id))
	}
	joint := make([]int, 0, len(v.joint))
	for id := range v.joint {
		joint = append(joint, int(id))
	}
	slices.Sort(joint)
	for _, id := range joint {
		b = binary.BigEndian.AppendUint32(b, uint32(id))
	}
	return string(b)
}

// runScan is how many of a run's ops after one that a round did not
// settle are asked one by one before the round bounds the rest by their
// followers.
const runScan = 16

// followers counts the keys of members with an op in c that is x or
// follows it: a bound on the keys that acknowledge x with ops. A key that
// forked counts whatever it signed.
func (s *settler) followers(x *vertex, c closure, members keyset) int {
	tops := c.preds
	if c.top != nil {
		tops = []*vertex{c.top}
	}
	n := 0
	for i, w := range members {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			k := int32(i*64 + b)
			if s.d.forkSeqOf(k) != 0 {
				n++
				continue
			}
			for _, p := range tops {
				if t := s.d.tipVertex(p, k); t != nil && (t == x || s.d.inPast(x, t)) {
					n++
					break
				}
			}
		}
	}
	return n
}

// settleable reports whether n can settle: decisions, endorsements and
// data ops; never the other votes or acks.
func settleable(n *vertex) bool {
	switch n.op.Kind {
	case protocol.KindEnact, protocol.KindLeave, protocol.KindAdvisory:
		return true
	case protocol.KindVote:
		return motionOf(n).Kind == protocol.MotionAdmit
	}
	return false
}

func isDecisionVertex(n *vertex) bool {
	return n.op.Kind == protocol.KindEnact || n.op.Kind == protocol.KindLeave
}

// opsOf returns the ops of closure c (of any kind) in applied order.
func (s *settler) opsOf(c closure) []*vertex {
	last := vertexID(-1) // no op of c comes after its last top or pred
	if c.top != nil {
		last = c.top.id
	}
	for _, p := range c.preds {
		last = max(last, p.id)
	}
	var out []*vertex
	for _, n := range s.d.vertices[:last+1] {
		if s.in(c, n) {
			out = append(out, n)
		}
	}
	return out
}

// opsOfKeys returns the ops of closure c signed by the keys ks, key by
// key: the ops that anchors may discount, when ks are their suspects.
func (s *settler) opsOfKeys(c closure, ks keyset) []*vertex {
	var out []*vertex
	for i, w := range ks {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			for _, n := range s.opsBy(s.d.keys[i*64+b]) {
				if s.in(c, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// rounds grows z by the rounds of §3 over the closure c. Under a (beyond
// the bound, §3.4) unanchored ops are inert and settle nothing but a
// Leave; under acks their acknowledgements count toward no op but a Leave.
// Under full (the anchors of validation), an op other than a Leave settles
// only if at least f keys acknowledge it with anchored ops. The ops of
// hold settle nothing (draft 36: a revoked key's cut ops whose revocation
// the closure's own rounds settle).
func (s *settler) rounds(c closure, z *zset, a, acks, g, full *anchors, hold map[vertexID]bool) (*zset, map[vertexID]bool) {
	// The hook is this call's alone: the rounds of other closures that
	// this one's judgements compute do not see it.
	hook := s.roundHook
	s.roundHook = nil
	grounded := map[vertexID]bool{}
	leavers := s.leaversOf(c)
	for {
		if len(z.win) == 0 && len(z.runs) == 0 {
			return z, grounded // nothing left to settle
		}
		// The judgement of the round is made only when an op needs more
		// than its settled State: a Leave, a decision, a removal's target.
		var t *judgement
		judged := func() *judgement {
			if t == nil {
				t = s.judge(c, z, judgeView{anch: a})
			}
			return t
		}
		sig := s.sigma(c, z)
		q := sig.t.Settle
		members := s.keysetOf(sig.members)
		var acked []*vertex
		ground := map[vertexID]bool{}
		consider := func(x *vertex) bool {
			if x.op.Kind != protocol.KindLeave && leavers.has(x.author) && s.afterOwnLeave(x, c) {
				return false
			}
			leave := x.op.Kind == protocol.KindLeave
			if leave && s.otherLeaveIn(x, z) {
				return false
			}
			if !leave && (a != nil && !a.anchored(s.d, x) || hold[x.id]) {
				return false // beyond the bound, an unanchored op settles nothing
			}
			d := acks
			if leave {
				d = nil
			}
			targets := q >= sig.t.N
			count, countD := 0, 0
			if leave {
				t := judged()
				for key := range t.sig.members {
					if s.acknowledgesIn(key, x, c, t, targets, d) {
						count++
						if g != nil && s.acknowledgesIn(key, x, c, t, targets, g) {
							countD++
						}
					}
				}
			} else {
				// Only a Leave is acknowledged by leavers; only a removal
				// by its target: the other keys acknowledge x with ops.
				withOp := s.ackersWithOp(x, c, d, leavers)
				count = withOp.countIn(members)
				if targets && x.op.Kind == protocol.KindEnact && isRemovalVertex(x) {
					key := *motionOf(x).Target
					if i, ok := s.d.authors[key]; sig.members[key] && (!ok || !withOp.has(i)) && !s.tookSideAgainst(key, x, c, judged()) {
						count++
					}
				}
			}
			if !leave && full != nil && count >= q && !s.anchoredQuorum(x, c, sig, members, full, leavers) {
				return false
			}
			if count >= q && (!isDecisionVertex(x) || s.jointQuorum(x, c, z, judged, count, d, members, leavers)) {
				acked = append(acked, x)
				if leave && g != nil && countD >= q {
					ground[x.id] = true
				}
				return true
			}
			return false
		}
		for _, x := range z.win {
			consider(x)
		}
		lo := s.roundRuns(c, z, consider, q, members)
		if len(acked) == 0 {
			return z, grounded
		}
		joint := map[vertexID]bool{}
		decided := false
		for _, x := range acked {
			if isDecisionVertex(x) { // Judge reads joint for removals only
				joint[x.id], decided = true, true
			}
		}
		var tz *judgement
		if decided {
			tz = s.judge(c, z, judgeView{settledOnly: true, joint: joint, anch: a})
		}
		settle := map[vertexID]bool{}
		for _, x := range acked {
			if !isDecisionVertex(x) || tz.effective(x) {
				settle[x.id] = true
			}
		}
		if len(settle) == 0 {
			return z, grounded
		}
		for id := range ground {
			if settle[id] {
				grounded[id] = true
			}
		}
		if hook != nil {
			hook(settle)
		}
		z = z.listed().without(settle, lo)
	}
}

// roundRuns asks consider of the advisories of z's runs that a round can
// settle, and returns the new start of each run that settled from its
// start (0: settled whole). An advisory counts the keys that acknowledge
// it with ops that follow it, and what follows a later op of its author
// follows the earlier ones: so once one is not acknowledged, the first
// later op whose followers are fewer than q bounds every one after it.
// Acknowledgement is not always monotone along a chain (an op void in an
// acknowledging op's view is not acknowledged by it): an advisory that
// settles after one that does not has its author's advisories listed in
// the windows from then on.
func (s *settler) roundRuns(c closure, z *zset, consider func(*vertex) bool, q int, members keyset) map[int32]uint32 {
	lo := map[int32]uint32{}
	for a, from := range z.runs {
		chain := s.chainIn(a, from, c)
		failed := -1
		for i, x := range chain {
			if x.op.Kind != protocol.KindAdvisory {
				continue
			}
			if !consider(x) {
				failed = i
				break
			}
		}
		if failed < 0 {
			lo[a] = 0
			continue
		}
		if chain[failed].seq > from {
			lo[a] = chain[failed].seq
		}
		rest := chain[failed+1:]
		end := len(rest)
		if end > runScan {
			// counting followers costs a look at each member: only a run
			// much longer than that is cut short by them
			end, _ = slices.BinarySearchFunc(rest, q, func(y *vertex, q int) int {
				if s.followers(y, c, members) < q {
					return 1
				}
				return -1
			})
		}
		for _, x := range rest[:end] {
			if x.op.Kind == protocol.KindAdvisory && consider(x) {
				s.unruly[a] = true
			}
		}
	}
	return lo
}
