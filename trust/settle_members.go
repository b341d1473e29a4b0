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
	return s.membershipOfFrontier(s.frontierIDs(c))
}

// indexOf returns the membership ops of c indexed for Judge, shared by
// every judgement of a closure or past with c's frontier.
func (s *settler) indexOf(c closure) *setIndex {
	ids := s.frontierIDs(c)
	set := s.membershipOfFrontier(ids)
	k := frontierKey(ids)
	x, ok := s.indexes[k]
	if !ok {
		x = indexSet(set)
		s.indexes[k] = x
	}
	return x
}

// frontierIDs returns the frontier of c: its maximal membership ops.
func (s *settler) frontierIDs(c closure) []nodeID {
	if c.top != nil {
		return s.frontierOfClosure(c.top)
	}
	if len(c.preds) == 1 {
		return s.frontierOfClosure(c.preds[0])
	}
	var cand []nodeID
	for _, p := range c.preds {
		if p.membership() {
			cand = append(cand, p.id)
		} else {
			cand = append(cand, p.mf.ids...)
		}
	}
	return s.d.maximal(cand)
}

func (s *settler) frontierOfClosure(n *node) []nodeID {
	if !n.membership() {
		return n.mf.ids
	}
	return []nodeID{n.id}
}

// membershipOfClosure returns the membership ops of n's closure.
func (s *settler) membershipOfClosure(n *node) []*node {
	return s.membershipOfFrontier(s.frontierOfClosure(n))
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
