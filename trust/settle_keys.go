package trust

import (
	"math/bits"

	"github.com/kring-circle/kring/protocol"
)

// Acknowledgements with ops counted by key sets (docs/membership.md §3.2,
// §8). Whether K acknowledges x with an op in the closure of y is, for a
// key with no Leave in that closure and nothing that anchors discount,
// whether some op of K in it follows or is x and acknowledges x by its own
// past (explicitAck). The keys for which that holds in ↓y are the union
// of those of y's preds that hold x, and y's author when y acknowledges
// x: so each op's key set for x is computed once from its preds', and a
// round counts a window op's acknowledgements by intersecting two key
// sets instead of searching each member's ops. The keys the shortcut
// does not cover (leavers of the closure, keys anchors discount) are
// asked one by one as before.

// keyset is a set of author indices of the dag (dag.keys). A keyset is
// never changed once built: it is shared between ops.
type keyset []uint64

func (k keyset) has(a int32) bool {
	i := int(a) / 64
	return i < len(k) && k[i]&(1<<(uint(a)%64)) != 0
}

// with returns k with a added, sharing nothing with k.
func (k keyset) with(a int32) keyset {
	out := make(keyset, max(len(k), int(a)/64+1))
	copy(out, k)
	out[int(a)/64] |= 1 << (uint(a) % 64)
	return out
}

// covers reports whether every key of o is in k.
func (k keyset) covers(o keyset) bool {
	for i, w := range o {
		if w == 0 {
			continue
		}
		if i >= len(k) || w&^k[i] != 0 {
			return false
		}
	}
	return true
}

// union returns the keys of k and o, sharing nothing with either.
func (k keyset) union(o keyset) keyset {
	if len(o) > len(k) {
		k, o = o, k
	}
	out := make(keyset, len(k))
	copy(out, k)
	for i, w := range o {
		out[i] |= w
	}
	return out
}

// countIn returns how many keys of k are in o.
func (k keyset) countIn(o keyset) int {
	n := 0
	for i := range min(len(k), len(o)) {
		n += bits.OnesCount64(k[i] & o[i])
	}
	return n
}

func (k keyset) empty() bool {
	for _, w := range k {
		if w != 0 {
			return false
		}
	}
	return true
}

// keysetOf returns the author indices of the keys in m that signed ops.
func (s *settler) keysetOf(m map[protocol.Key]bool) keyset {
	var out keyset
	for k, ok := range m {
		if !ok {
			continue
		}
		if a, signed := s.d.authors[k]; signed {
			i := int(a) / 64
			for len(out) <= i {
				out = append(out, 0)
			}
			out[i] |= 1 << (uint(a) % 64)
		}
	}
	return out
}

// predsOf returns n's preds as vertices.
func (s *settler) predsOf(n *vertex) []*vertex {
	for len(s.preds) <= int(n.id) {
		s.preds = append(s.preds, nil)
	}
	if ps := s.preds[n.id]; ps != nil || len(n.op.Preds) == 0 {
		return ps
	}
	ps := make([]*vertex, 0, len(n.op.Preds))
	for _, p := range n.op.Preds {
		if pn, ok := s.d.get(p); ok {
			ps = append(ps, pn)
		}
	}
	s.preds[n.id] = ps
	return ps
}

// ackedBy returns the keys that have an op in ↓y that is x or follows
// it and acknowledges x by its own past (explicitAck); x is y or in its
// past. Leaves and anchors are not read.
func (s *settler) ackedBy(y, x *vertex) keyset {
	row := s.acked[x.id] // by y.id - x.id: y is x or follows it
	if i := int(y.id - x.id); i < len(row) && row[i] != nil {
		return row[i]
	}
	var out keyset
	if y != x {
		out = s.ackedByAny(s.predsOf(y), x)
	}
	if !out.has(y.author) && s.explicitAck(y, x) {
		out = out.with(y.author)
	}
	if out == nil {
		out = keyset{} // computed: not nil
	}
	row = s.acked[x.id]
	i := int(y.id - x.id)
	if i >= len(row) {
		row = append(row, make([]keyset, i+1-len(row))...)
		s.acked[x.id] = row
	}
	row[i] = out
	return out
}

// ackedIn returns the keys that have an op in c that is x or follows it
// and acknowledges x by its own past.
func (s *settler) ackedIn(x *vertex, c closure) keyset {
	if c.top != nil {
		if c.top != x && !s.d.inPast(x, c.top) {
			return nil
		}
		return s.ackedBy(c.top, x)
	}
	return s.ackedByAny(c.preds, x)
}

// ackedByAny is the union of ackedBy(p, x) over the ops ps that are x or
// follow it, or nil when none does.
func (s *settler) ackedByAny(ps []*vertex, x *vertex) keyset {
	var out keyset
	for _, p := range ps {
		if p != x && !s.d.inPast(x, p) {
			continue
		}
		switch b := s.ackedBy(p, x); {
		case out == nil:
			out = b
		case !out.covers(b):
			out = out.union(b)
		}
	}
	return out
}

// leaversOf returns the keys with a Leave in c: their ops after their
// Leaves do not acknowledge (afterOwnLeave).
func (s *settler) leaversOf(c closure) keyset {
	x := s.indexOf(c)
	if out, ok := s.leavers[x]; ok {
		return out
	}
	var out keyset
	for _, n := range x.removals {
		if n.op.Kind == protocol.KindLeave && !out.has(n.author) {
			out = out.with(n.author)
		}
	}
	s.leavers[x] = out
	return out
}

// suspects returns the keys some of whose ops a does not anchor: the keys
// of R and the authors of cut ops.
func (a *anchors) suspects(d *dag) keyset {
	if a == nil {
		return nil
	}
	if a.suspect != nil {
		return a.suspect
	}
	out := keyset{}
	for k := range a.keys {
		if i, ok := d.authors[k]; ok && !out.has(i) {
			out = out.with(i)
		}
	}
	for id := range a.cut {
		if i := d.vertices[id].author; !out.has(i) {
			out = out.with(i)
		}
	}
	a.suspect = out
	return out
}

// ackersWithOp returns the keys K for which acknowledgesWithOp(K, x, c, a)
// holds, of the keys that signed ops; leavers are the keys with a Leave
// in c (leaversOf).
func (s *settler) ackersWithOp(x *vertex, c closure, a *anchors, leavers keyset) keyset {
	base := s.ackedIn(x, c)
	slow := leavers.union(a.suspects(s.d))
	if slow.empty() {
		return base
	}
	out := make(keyset, max(len(base), len(slow)))
	copy(out, base)
	for i, w := range slow {
		out[i] &^= w
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			key := int32(i*64 + b)
			if base.has(key) && s.acknowledgesWithOp(s.d.keys[key], x, c, a) {
				out[i] |= 1 << uint(b)
			}
		}
	}
	return out
}
