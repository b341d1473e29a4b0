package trust

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// The membership ops of a closure or past, found from the dag's
// membership frontiers rather than by scanning every membership op: the
// membership ops of a closure are those of the closures of its frontier
// (the maximal membership ops it holds), so closures and pasts with one
// frontier share one list, and a frontier's list merges the lists of its
// ops' closures, each their own frontier's list and the op.

// frontierKey encodes sorted ids as the dag keys its frontiers.
func frontierKey(ids []vertexID) string {
	b := make([]byte, 4*len(ids))
	for i, id := range ids {
		binary.BigEndian.PutUint32(b[4*i:], uint32(id))
	}
	return string(b)
}

// membershipOf returns the membership ops of c in applied order. The
// slice is shared: callers must not change it.
func (s *settler) membershipOf(c closure) []*vertex {
	return s.membershipOfFrontier(s.frontierIDs(c))
}

// indexOf returns the membership ops of c indexed for Judge, shared by
// every judgement of a closure or past with c's frontier.
func (s *settler) indexOf(c closure) *setIndex {
	if c.top == nil {
		return s.indexOfFrontier(s.frontierIDs(c))
	}
	for len(s.tops) <= int(c.top.id) {
		s.tops = append(s.tops, nil)
	}
	if x := s.tops[c.top.id]; x != nil {
		return x
	}
	x := s.indexOfFrontier(s.frontierIDs(c))
	s.tops[c.top.id] = x
	return x
}

// indexOfFrontier returns the index of membershipOfFrontier(ids). The
// closure of one membership op m is indexed from its past's index, which
// it extends by m alone.
func (s *settler) indexOfFrontier(ids []vertexID) *setIndex {
	k := frontierKey(ids)
	if x, ok := s.indexes[k]; ok {
		return x
	}
	set := s.membershipOfFrontier(ids)
	var x *setIndex
	if len(ids) == 1 && len(s.d.vertices[ids[0]].mf.ids) > 0 {
		m := s.d.vertices[ids[0]]
		x = s.indexOfFrontier(m.mf.ids).plus(set, m)
	} else {
		x = indexSet(set)
	}
	s.indexes[k] = x
	return x
}

// frontierIDs returns the frontier of c: its maximal membership ops.
func (s *settler) frontierIDs(c closure) []vertexID {
	if c.top != nil {
		return s.frontierOfClosure(c.top)
	}
	if len(c.preds) == 1 {
		return s.frontierOfClosure(c.preds[0])
	}
	var cand []vertexID
	for _, p := range c.preds {
		if p.membership() {
			cand = append(cand, p.id)
		} else {
			cand = append(cand, p.mf.ids...)
		}
	}
	return s.d.maximal(cand)
}

func (s *settler) frontierOfClosure(n *vertex) []vertexID {
	if !n.membership() {
		return n.mf.ids
	}
	return []vertexID{n.id}
}

// membershipOfClosure returns the membership ops of n's closure.
func (s *settler) membershipOfClosure(n *vertex) []*vertex {
	return s.membershipOfFrontier(s.frontierOfClosure(n))
}

// membershipOfFrontier returns the membership ops of the closures of the
// frontier ids (sorted, none in another's past), in applied order.
func (s *settler) membershipOfFrontier(ids []vertexID) []*vertex {
	k := frontierKey(ids)
	if out, ok := s.members[k]; ok {
		return out
	}
	var out []*vertex
	switch len(ids) {
	case 0:
	case 1:
		m := s.d.vertices[ids[0]]
		below := s.membershipOfFrontier(m.mf.ids)
		out = append(slices.Clip(below), m) // m follows its past in applied order
	default:
		lists := make([][]*vertex, len(ids))
		for i, id := range ids {
			lists[i] = s.membershipOfClosure(s.d.vertices[id])
		}
		out = mergeByID(lists)
	}
	s.members[k] = out
	return out
}

// mergeByID merges lists sorted by id into one, each op once.
func mergeByID(lists [][]*vertex) []*vertex {
	size := 0
	for _, l := range lists {
		size = max(size, len(l))
	}
	out := make([]*vertex, 0, size+size/4)
	pos := make([]int, len(lists))
	for {
		var next *vertex
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

// plus returns the index of set, which is x's set and then m.
func (x *setIndex) plus(set []*vertex, m *vertex) *setIndex {
	out := &setIndex{set: set, votes: x.votes, enacts: x.enacts, byAuth: maps.Clone(x.byAuth), admits: x.admits,
		removals: slices.Clip(x.removals)}
	out.byAuth[m.author] = append(slices.Clip(out.byAuth[m.author]), m)
	switch m.op.Kind {
	case protocol.KindVote:
		out.votes = maps.Clone(x.votes)
		out.votes[m.motion] = append(slices.Clip(out.votes[m.motion]), m)
	case protocol.KindEnact:
		out.enacts = maps.Clone(x.enacts)
		out.enacts[m.motion] = append(slices.Clip(out.enacts[m.motion]), m)
	}
	out.count(m)
	return out
}
