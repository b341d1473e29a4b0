package trust

import (
	"cmp"
	"encoding/binary"
	"maps"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// runs holds the advisories of a window by author, for the authors that
// never forked: runs[a] = lo means the window holds every advisory of a in
// the closure from seq lo on, and no other. An author a runs does not
// name has none of its advisories in the window unless it forked, when
// they are listed in the window's slice like other ops. Advisories are
// most of a log, and a closure settles an unforked author's advisories in
// the order of its chain, since what acknowledges one acknowledges those
// before it: so a window of a burst costs one entry per author, not one
// per op (docs/membership.md §8). A runs value is never changed once a
// zset holds it.
type runs map[int32]uint32

// linear reports whether author a's advisories are kept in runs: it
// signed one chain (no two ops at one seq anywhere in the dag, so that
// its ops in any closure are a prefix of that chain, in seq order), and
// no closure settled its advisories out of that order.
func (s *settler) linear(a int32) bool {
	s.index()
	return s.d.forkSeqOf(a) == 0 && !s.forked[s.d.keys[a]] && !s.unruly[a]
}

// irregular counts the events that take an author out of runs: forks
// and advisories settled out of order. A zset built when it was the same
// has only linear authors in its runs.
func (s *settler) irregular() int {
	s.index()
	return len(s.d.forks) + len(s.forked) + len(s.unruly)
}

// tipSeq returns the seq of author a's last op in c, 0 if it has none.
func (s *settler) tipSeq(c closure, a int32) uint32 {
	var seq uint32
	tops := c.preds
	if c.top != nil {
		tops = []*vertex{c.top}
	}
	for _, p := range tops {
		if t := s.d.tipVertex(p, a); t != nil {
			seq = max(seq, t.seq)
		}
	}
	return seq
}

// chainIn returns the ops of the linear author a in c from seq lo on, in
// seq order.
func (s *settler) chainIn(a int32, lo uint32, c closure) []*vertex {
	ops, _ := s.chainRange(a, lo, c)
	return ops
}

// chainRange is chainIn, with how many of a's ops come before.
func (s *settler) chainRange(a int32, lo uint32, c closure) ([]*vertex, int) {
	ops := s.opsBy(s.d.keys[a])
	tip := s.tipSeq(c, a)
	bySeq := func(n *vertex, seq uint32) int { return cmp.Compare(n.seq, seq) }
	i, _ := slices.BinarySearchFunc(ops, lo, bySeq)
	j, _ := slices.BinarySearchFunc(ops, tip+1, bySeq)
	if j < i {
		return nil, i
	}
	return ops[i:j:j], i
}

// advisoriesIn counts the advisories among the ops of author a from its
// i-th to before its j-th, in applied order.
func (s *settler) advisoriesIn(a int32, i, j int) int {
	s.index()
	cum := s.advisories[s.d.keys[a]]
	n := cum[j-1]
	if i > 0 {
		n -= cum[i-1]
	}
	return int(n)
}

// runOf returns the advisories of the run of author a in z, in seq order.
func (z *zset) runOf(a int32) []*vertex {
	lo, ok := z.runs[a]
	if !ok {
		return nil
	}
	// a may have forked since z was built: its ops in the dag are then
	// not one chain, and only those in z's closure count.
	var out []*vertex
	for _, n := range z.s.opsBy(z.s.d.keys[a]) {
		if n.op.Kind == protocol.KindAdvisory && n.seq >= lo && z.s.in(z.c, n) {
			out = append(out, n)
		}
	}
	return out
}

// listed returns z with the runs of the authors that are no longer
// linear listed in its window instead: an author that forked since z was
// built (its closure holds one chain of it, but a closure built from z
// may hold two).
func (z *zset) listed() *zset {
	if len(z.runs) == 0 || z.irregular == z.s.irregular() {
		return z // no author forked or settled out of order since
	}
	var forked []int32
	for a := range z.runs {
		if !z.s.linear(a) {
			forked = append(forked, a)
		}
	}
	if len(forked) == 0 {
		return z
	}
	r := maps.Clone(z.runs)
	win := slices.Clone(z.win)
	for _, a := range forked {
		win = append(win, z.runOf(a)...)
		delete(r, a)
	}
	slices.SortFunc(win, func(x, y *vertex) int { return int(x.id) - int(y.id) })
	nz := z.s.newZ(z.c, win)
	nz.runs = r
	return nz
}

// appendRuns appends the runs r to b in author order, for a zset's key.
func appendRuns(b []byte, r runs) []byte {
	as := slices.Sorted(maps.Keys(r))
	for _, a := range as {
		b = binary.BigEndian.AppendUint32(b, uint32(a))
		b = binary.BigEndian.AppendUint32(b, r[a])
	}
	return b
}

// unionRuns returns the runs of the past c made of the closures of zs: an
// advisory there is unsettled when every closure that holds it leaves it
// unsettled. A closure that holds an author's ops up to seq t and runs it
// from lo settled its advisories below min(lo, t+1); the union settled
// those below the largest such bound.
func (s *settler) unionRuns(c closure, zs []*zset) runs {
	authors := map[int32]bool{}
	for _, z := range zs {
		for a := range z.runs {
			authors[a] = true
		}
	}
	out := runs{}
	for a := range authors {
		var lo uint32
		for _, z := range zs {
			t := s.tipSeq(z.c, a)
			bound := t + 1
			if l, ok := z.runs[a]; ok && l < bound {
				bound = l
			}
			lo = max(lo, bound)
		}
		if lo <= s.tipSeq(c, a) {
			out[a] = lo
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
