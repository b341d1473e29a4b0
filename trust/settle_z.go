package trust

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// zset is the settled set Z of one closure or past (docs/membership.md §3),
// kept as its window: the settleable ops of the closure that Z does not
// hold. Z is then the genesis and every other settleable op of the
// closure. A circle whose members acknowledge one another keeps its
// windows to the few ops that recent acknowledgements have not yet
// reached, so a closure's Z costs its window, not the log (§8).
type zset struct {
	s    *settler
	c    closure
	win  []*vertex // in applied order (ascending ids), but the advisories runs holds
	runs runs      // the advisories of unforked authors (settle_runs.go)
	// irregular is the settler's irregular() when the zset was built.
	irregular int
	k         string // once asked for (key)

	// tail is shared by the zsets whose windows are one slice: the
	// first closure to extend that slice does so in its array (extend).
	tail *windowTail

	decided []*vertex // the settled removals, once asked for
	asked   bool
	sig     *settledState // Settled(Z), once asked for
}

// windowTail records whether a window slice was extended in place.
type windowTail struct{ extended bool }

// newZ returns the Z of c whose window is win (in applied order), a slice
// that no other zset holds.
func (s *settler) newZ(c closure, win []*vertex) *zset {
	return &zset{s: s, c: c, win: win, tail: &windowTail{}, irregular: s.irregular()}
}

// sameWindow returns the Z of c whose window is z's own.
func (z *zset) sameWindow(c closure) *zset {
	return &zset{s: z.s, c: c, win: z.win, runs: z.runs, tail: z.tail, irregular: z.irregular}
}

// key identifies z: its closure and its window.
func (z *zset) key() string {
	if z.k == "" {
		b := []byte(z.s.key(z.c))
		b = append(b, '|')
		for _, n := range z.win {
			b = binary.BigEndian.AppendUint32(b, uint32(n.id))
		}
		b = append(b, '#')
		z.k = string(appendRuns(b, z.runs))
	}
	return z.k
}

// has reports whether n is in Z.
func (z *zset) has(n *vertex) bool {
	if n.op.Kind == protocol.KindGenesis {
		return z.s.in(z.c, n)
	}
	return settleable(n) && !z.unsettled(n) && z.s.in(z.c, n)
}

// unsettled reports whether n, an op of z's closure, is in the window.
func (z *zset) unsettled(n *vertex) bool {
	if n.op.Kind == protocol.KindAdvisory {
		if lo, ok := z.runs[n.author]; ok {
			return n.seq >= lo
		}
	}
	w := z.win
	if len(w) == 0 || n.id < w[0].id || n.id > w[len(w)-1].id {
		return false // most ops asked about are older than the window
	}
	i, j := 0, len(w)
	for i < j {
		h := int(uint(i+j) >> 1)
		if w[h].id < n.id {
			i = h + 1
		} else {
			j = h
		}
	}
	return i < len(w) && w[i].id == n.id
}

// hasIn is has for an op n known to be in the closure of z.
func (z *zset) hasIn(n *vertex) bool {
	if n.op.Kind == protocol.KindGenesis {
		return true
	}
	return settleable(n) && !z.unsettled(n)
}

// removals returns the settled Leaves and Revoke and Disavow enactments
// of Z, in applied order: the decisions that take keys out.
func (z *zset) removals() []*vertex {
	if !z.asked {
		for _, n := range z.s.indexOfFrontier(z.s.frontierIDs(z.c)).removals {
			if z.hasIn(n) {
				z.decided = append(z.decided, n)
			}
		}
		z.asked = true
	}
	return z.decided
}

// without returns Z grown by the ops in settle: the same closure with
// those ops out of the window. lo gives the new start of the runs that
// settled from their start, 0 for a run that settled whole.
func (z *zset) without(settle map[vertexID]bool, lo map[int32]uint32) *zset {
	var win []*vertex
	for _, n := range z.win {
		if !settle[n.id] {
			win = append(win, n)
		}
	}
	nz := z.s.newZ(z.c, win)
	nz.runs, nz.irregular = z.runs, z.irregular // the runs are z's: as current as z's
	if len(lo) > 0 {
		r := maps.Clone(z.runs)
		for a, l := range lo {
			if _, ok := r[a]; !ok {
				continue // listed since (rounds)
			}
			if l == 0 {
				delete(r, a)
			} else {
				r[a] = l
			}
		}
		nz.runs = r
	}
	return nz
}

// union returns the Z of the past made of the closures of preds, each
// with its own Z: an op is unsettled there when every pred's closure that
// holds it leaves it unsettled. The windows are merged in applied order.
func (s *settler) union(c closure, zs []*zset) *zset {
	for i, z := range zs {
		zs[i] = z.listed()
	}
	if len(zs) == 1 {
		return zs[0].sameWindow(c)
	}
	// Settlement only grows along the past: what a closure settled, every
	// closure holding it settled too. So when one pred's closure holds the
	// others (an op citing its author's previous op beside a newer head),
	// the union is that closure's Z.
	for _, z := range zs {
		if z.c.top != nil && !slices.ContainsFunc(zs, func(o *zset) bool { return o != z && !s.in(z.c, o.c.top) }) {
			return z.sameWindow(c)
		}
	}
	next := make([]int, len(zs))
	longest := 0
	for _, z := range zs {
		longest = max(longest, len(z.win))
	}
	win := make([]*vertex, 0, longest)
	for {
		var n *vertex
		for i, z := range zs {
			if next[i] < len(z.win) && (n == nil || z.win[next[i]].id < n.id) {
				n = z.win[next[i]]
			}
		}
		if n == nil {
			z := s.newZ(c, win)
			z.runs = s.unionRuns(c, zs)
			return z
		}
		open := true
		for i, z := range zs {
			if next[i] < len(z.win) && z.win[next[i]] == n {
				next[i]++ // z's closure leaves n unsettled
			} else if open && s.in(z.c, n) {
				open = false // z's closure holds n and settled it
			}
		}
		if open {
			win = append(win, n)
		}
	}
}

// extend returns the Z of the closure of top, whose past has Z pz, before
// its rounds: top joins the window when it can settle.
func (s *settler) extend(top *vertex, pz *zset) *zset {
	pz = pz.listed()
	if top.op.Kind == protocol.KindGenesis || !settleable(top) {
		return pz.sameWindow(closureOf(top))
	}
	if top.op.Kind == protocol.KindAdvisory && s.linear(top.author) {
		z := pz.sameWindow(closureOf(top))
		if _, ok := pz.runs[top.author]; !ok {
			z.runs = maps.Clone(pz.runs)
			if z.runs == nil {
				z.runs = runs{}
			}
			z.runs[top.author] = top.seq
		}
		return z
	}
	// A window only grows at its end, and the first closure to extend a
	// slice may do so in its array: a chain of ops that nobody
	// acknowledges yet shares one array instead of a copy per op.
	win := pz.win
	if pz.tail.extended {
		win = slices.Clip(win)
	}
	pz.tail.extended = true
	z := s.newZ(closureOf(top), append(win, top))
	z.runs = pz.runs
	return z
}

// wholeWith returns the Z (without anchors) of every op once y is applied,
// given whole, that of every op before. An op that y's past settles is
// settled in the closure of some op before y, and so in whole already:
// what changes is what y's own rounds settle, which leaves the window,
// and y itself, which joins it unless its rounds settled it.
func (s *settler) wholeWith(whole *zset, y *vertex) *zset {
	yc := closureOf(y)
	yz := s.raw(yc, nil, nil).z
	for a := range whole.runs {
		if !s.linear(a) {
			return nil // a fork, or a run y's rounds settled out of order: merge again
		}
	}
	// An op of the window that y's closure settled leaves it. Ask y's Z
	// of each, not its past's window: the two may keep an author's
	// advisories differently (listed in one, a run in the other) once it
	// forked.
	win := make([]*vertex, 0, len(whole.win)+1)
	for _, n := range whole.win {
		if s.in(yc, n) && !yz.unsettled(n) {
			continue
		}
		win = append(win, n)
	}
	if len(yz.win) > 0 && yz.win[len(yz.win)-1] == y {
		win = append(win, y)
	}
	return &zset{s: s, win: win, runs: s.wholeRuns(whole.runs, yz, y)}
}

// wholeRuns returns the runs of every op once y is applied, given r, those
// of every op before, and yz, the Z of y's closure: y's closure settled
// each author's advisories below its own run's start (all it holds of an
// author it does not run), and y joins its author's run unless settled.
func (s *settler) wholeRuns(r runs, yz *zset, y *vertex) runs {
	out := maps.Clone(r)
	for a, lo := range r {
		bound := s.tipSeq(yz.c, a) + 1
		if l, ok := yz.runs[a]; ok && l < bound {
			bound = l
		}
		if bound > lo {
			lo = bound
		}
		// a's ops applied up to y (later ones may be applied already)
		ops := s.opsBy(s.d.keys[a])
		i, _ := slices.BinarySearchFunc(ops, y.id, func(n *vertex, id vertexID) int { return int(n.id) - int(id) })
		if i < len(ops) && ops[i].id == y.id {
			i++
		}
		if i == 0 || lo > ops[i-1].seq {
			delete(out, a)
		} else {
			out[a] = lo
		}
	}
	if l, ok := yz.runs[y.author]; ok && y.op.Kind == protocol.KindAdvisory && l <= y.seq {
		if _, ok := out[y.author]; !ok {
			if out == nil {
				out = runs{}
			}
			out[y.author] = y.seq
		}
	}
	return out
}

// seedPast records win as the window of the past c without anchors, so
// that raw finds it instead of merging the heads' windows.
func (s *settler) seedPast(c closure, whole *zset) {
	k := joinKeys(s.key(c), s.anchorsIn(nil, c), s.anchorsIn(nil, c))
	if _, ok := s.pastRaws.get(k); !ok {
		z := s.newZ(c, whole.win)
		z.runs = whole.runs
		s.pastRaws.put(k, &rawZ{z: z})
	}
}
