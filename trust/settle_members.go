package trust

import (
	"encoding/binary"
	"slices"
)

// The membership ops of a closure or past, found from the dag's
// membership frontiers rather than by scanning every membership op: the
// membership ops of a closure are those of the closures of its frontier
// (the maximal membership ops it holds), so closures and pasts with one
// frontier share one list, and a frontier's list merges the lists of its
// ops' closures, each their own frontier's list and the op.

// frontierKey encodes sorted ids as the dag keys its frontiers.
func frontierKey(ids []nodeID) string {
	b := make([]byte, 4*len(ids))
	for i, id := range ids {
		binary.BigEndian.PutUint32(b[4*i:], uint32(id))
	}
	return string(b)
}

// membershipOf returns the membership ops of c in applied order. The
// slice is shared: callers must not change it.
func (s *settler) membershipOf(c closure) []*node {
	if c.top != nil {
		return s.membershipOfClosure(c.top)
	}
	if len(c.preds) == 1 {
		return s.membershipOfClosure(c.preds[0])
	}
	var cand []nodeID
	for _, p := range c.preds {
		if p.membership() {
			cand = append(cand, p.id)
		} else {
			cand = append(cand, p.mf.ids...)
		}
	}
	return s.membershipOfFrontier(s.d.maximal(cand))
}

// membershipOfClosure returns the membership ops of n's closure.
func (s *settler) membershipOfClosure(n *node) []*node {
	if !n.membership() {
		return s.membershipOfFrontier(n.mf.ids)
	}
	return s.membershipOfFrontier([]nodeID{n.id})
}

// membershipOfFrontier returns the membership ops of the closures of the
// frontier ids (sorted, none in another's past), in applied order.
func (s *settler) membershipOfFrontier(ids []nodeID) []*node {
	k := frontierKey(ids)
	if out, ok := s.members[k]; ok {
		return out
	}
	var out []*node
	switch len(ids) {
	case 0:
	case 1:
		m := s.d.nodes[ids[0]]
		below := s.membershipOfFrontier(m.mf.ids)
		out = append(slices.Clip(below), m) // m follows its past in applied order
	default:
		lists := make([][]*node, len(ids))
		for i, id := range ids {
			lists[i] = s.membershipOfClosure(s.d.nodes[id])
		}
		out = mergeByID(lists)
	}
	s.members[k] = out
	return out
}

// mergeByID merges lists sorted by id into one, each op once.
func mergeByID(lists [][]*node) []*node {
	size := 0
	for _, l := range lists {
		size = max(size, len(l))
	}
	out := make([]*node, 0, size+size/4)
	pos := make([]int, len(lists))
	for {
		var next *node
		for i, l := range lists {
			if pos[i] < len(l) && (next == nil || l[pos[i]].id < next.id) {
				next = l[pos[i]]
			}
		}
		if next == nil {
			return out
		}
		out = append(out, next)
		for i, l := range lists {
			if pos[i] < len(l) && l[pos[i]] == next {
				pos[i]++
			}
		}
	}
}
