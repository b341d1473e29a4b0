package trust

import (
	"encoding/binary"
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
	s   *settler
	c   closure
	win []*node // in applied order (ascending ids)
	k   string  // once asked for (key)

	// tail is shared by the zsets whose windows are one slice: the
	// first closure to extend that slice does so in its array (extend).
	tail *windowTail

	decided []*node // the settled removals, once asked for
	asked   bool
	sig     *settledState // Settled(Z), once asked for
}

// windowTail records whether a window slice was extended in place.
type windowTail struct{ extended bool }

// newZ returns the Z of c whose window is win (in applied order), a slice
// that no other zset holds.
func (s *settler) newZ(c closure, win []*node) *zset {
	return &zset{s: s, c: c, win: win, tail: &windowTail{}}
}

// sameWindow returns the Z of c whose window is z's own slice.
func (z *zset) sameWindow(c closure) *zset {
	return &zset{s: z.s, c: c, win: z.win, tail: z.tail}
}

// key identifies z: its closure and its window.
func (z *zset) key() string {
	if z.k == "" {
		b := []byte(z.s.key(z.c))
		b = append(b, '|')
		for _, n := range z.win {
			b = binary.BigEndian.AppendUint32(b, uint32(n.id))
		}
		z.k = string(b)
	}
	return z.k
}

// has reports whether n is in Z.
func (z *zset) has(n *node) bool {
	if n.op.Kind == protocol.KindGenesis {
		return z.s.in(z.c, n)
	}
	return settleable(n) && !z.unsettled(n) && z.s.in(z.c, n)
}

// unsettled reports whether n is in the window.
func (z *zset) unsettled(n *node) bool {
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
func (z *zset) hasIn(n *node) bool {
	if n.op.Kind == protocol.KindGenesis {
		return true
	}
	return settleable(n) && !z.unsettled(n)
}

// removals returns the settled Leaves and Revoke and Disavow enactments
// of Z, in applied order: the decisions that take keys out.
func (z *zset) removals() []*node {
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
// those ops out of the window.
func (z *zset) without(settle map[nodeID]bool) *zset {
	var win []*node
	for _, n := range z.win {
		if !settle[n.id] {
			win = append(win, n)
		}
	}
	return z.s.newZ(z.c, win)
}

// union returns the Z of the past made of the closures of preds, each
// with its own Z: an op is unsettled there when every pred's closure that
// holds it leaves it unsettled. The windows are merged in applied order.
func (s *settler) union(c closure, zs []*zset) *zset {
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
	win := make([]*node, 0, longest)
	for {
		var n *node
		for i, z := range zs {
			if next[i] < len(z.win) && (n == nil || z.win[next[i]].id < n.id) {
				n = z.win[next[i]]
			}
		}
		if n == nil {
			return s.newZ(c, win)
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
func (s *settler) extend(top *node, pz *zset) *zset {
	if top.op.Kind == protocol.KindGenesis || !settleable(top) {
		return pz.sameWindow(closureOf(top))
	}
	// A window only grows at its end, and the first closure to extend a
	// slice may do so in its array: a chain of ops that nobody
	// acknowledges yet shares one array instead of a copy per op.
	win := pz.win
	if pz.tail.extended {
		win = slices.Clip(win)
	}
	pz.tail.extended = true
	return s.newZ(closureOf(top), append(win, top))
}

// wholeWith returns the Z (without anchors) of every op once y is applied,
// given whole, that of every op before. An op that y's past settles is
// settled in the closure of some op before y, and so in whole already:
// what changes is what y's own rounds settle, which leaves the window,
// and y itself, which joins it unless its rounds settled it.
func (s *settler) wholeWith(whole *zset, y *node) *zset {
	pz := s.raw(s.pastOf(y), nil, nil).z
	yz := s.raw(closureOf(y), nil, nil).z
	joined := len(yz.win) > 0 && yz.win[len(yz.win)-1] == y
	var left []*node // what y's rounds settled, in applied order
	if n := len(yz.win); joined {
		n--
		if n < len(pz.win) {
			left = settledOf(pz.win, yz.win[:n])
		}
	} else if n < len(pz.win) || settleable(y) {
		left = settledOf(pz.win, yz.win)
	}
	win := make([]*node, 0, len(whole.win)+1)
	if len(left) == 0 {
		win = append(win, whole.win...)
	}
	for _, n := range whole.win[len(win):] {
		if len(left) > 0 && left[0] == n {
			left = left[1:]
			continue
		}
		if len(left) > 0 && left[0].id < n.id {
			// settled ops that whole does not hold (none, by the
			// argument above, but the walk must not stall)
			for len(left) > 0 && left[0].id < n.id {
				left = left[1:]
			}
			if len(left) > 0 && left[0] == n {
				left = left[1:]
				continue
			}
		}
		win = append(win, n)
	}
	if joined {
		win = append(win, y)
	}
	return &zset{s: s, win: win}
}

// settledOf returns the ops of the window from that the window to, a
// sub-sequence of it, no longer holds.
func settledOf(from, to []*node) []*node {
	var out []*node
	i := 0
	for _, n := range from {
		if i < len(to) && to[i] == n {
			i++
		} else {
			out = append(out, n)
		}
	}
	return out
}

// seedPast records win as the window of the past c without anchors, so
// that raw finds it instead of merging the heads' windows.
func (s *settler) seedPast(c closure, win []*node) {
	k := joinKeys(s.key(c), s.anchorsIn(nil, c), s.anchorsIn(nil, c))
	if _, ok := s.pastRaws.get(k); !ok {
		s.pastRaws.put(k, &rawZ{z: s.newZ(c, win), grounded: map[nodeID]bool{}})
	}
}
