package trust

import (
	"encoding/binary"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// nodeID indexes an op in the engine's dag, in the order ops were applied,
// which is always a topological order of the causal DAG.
type nodeID int32

// node is an applied op and what the engine derived from it.
type node struct {
	op     *protocol.Op
	id     nodeID
	author int32 // index into dag.keys
	seq    uint32
	// cv is the op's causal vector: cv[a] is the highest seq of author a
	// among the op and its past (missing entries are zero).
	cv []uint32
	// mf is the op's membership frontier: the maximal membership ops in
	// its past. Ops with equal frontiers (and forks) share one view.
	mf *frontier
	// motion is the motion hash of a vote or enactment.
	motion protocol.Hash
	// need is the threshold an enactment met in its view: the count of
	// live votes it needs to stay live.
	need int
}

func (n *node) membership() bool { return n.op.Kind.IsMembership() }

// frontier is an interned, sorted set of membership ops.
type frontier struct {
	ids []nodeID
	key string
}

// fork is two ops by one author with the same seq: an equivocation.
type fork struct {
	author int32
	seq    uint32
	a, b   nodeID
}

// dag holds the applied ops and answers causal questions about them.
type dag struct {
	nodes      []*node
	byHash     map[protocol.Hash]nodeID
	authors    map[protocol.Key]int32
	keys       []protocol.Key
	bySeq      map[authorSeq][]nodeID
	forkSeq    []uint32 // per author: the lowest forked seq, or 0
	forks      []fork
	heads      map[nodeID]struct{}
	membership []nodeID // membership ops in applied order
	frontiers  map[string]*frontier
	top        *frontier // the frontier of every membership op applied
}

type authorSeq struct {
	author int32
	seq    uint32
}

func newDAG() *dag {
	d := &dag{
		byHash:    make(map[protocol.Hash]nodeID),
		authors:   make(map[protocol.Key]int32),
		bySeq:     make(map[authorSeq][]nodeID),
		heads:     make(map[nodeID]struct{}),
		frontiers: make(map[string]*frontier),
	}
	d.top = d.intern(nil)
	return d
}

func (d *dag) get(h protocol.Hash) (*node, bool) {
	id, ok := d.byHash[h]
	if !ok {
		return nil, false
	}
	return d.nodes[id], true
}

func (d *dag) authorIndex(k protocol.Key) int32 {
	if a, ok := d.authors[k]; ok {
		return a
	}
	a := int32(len(d.keys))
	d.authors[k] = a
	d.keys = append(d.keys, k)
	d.forkSeq = append(d.forkSeq, 0)
	return a
}

// prepare builds the node for op, whose preds must all be applied, without
// adding it: the causal vector and membership frontier.
func (d *dag) prepare(op *protocol.Op, preds []*node) *node {
	n := &node{op: op, id: nodeID(len(d.nodes)), author: d.authorIndex(op.Author), seq: uint32(op.Seq)}
	width := int(n.author) + 1
	for _, p := range preds {
		width = max(width, len(p.cv))
	}
	n.cv = make([]uint32, width)
	var cand []nodeID
	for _, p := range preds {
		for i, s := range p.cv {
			n.cv[i] = max(n.cv[i], s)
		}
		if p.membership() {
			cand = append(cand, p.id)
		} else {
			cand = append(cand, p.mf.ids...)
		}
	}
	n.cv[n.author] = max(n.cv[n.author], n.seq)
	n.mf = d.intern(d.maximal(cand))
	switch b := op.Content().(type) {
	case *protocol.Vote:
		n.motion = b.Motion.Hash()
	case *protocol.Enact:
		n.motion = b.Motion.Hash()
	}
	return n
}

// add inserts a prepared node and records forks and heads.
func (d *dag) add(n *node, preds []*node) {
	d.nodes = append(d.nodes, n)
	d.byHash[n.op.Hash()] = n.id
	as := authorSeq{n.author, n.seq}
	for _, other := range d.bySeq[as] {
		d.forks = append(d.forks, fork{author: n.author, seq: n.seq, a: other, b: n.id})
		if fs := d.forkSeq[n.author]; fs == 0 || n.seq < fs {
			d.forkSeq[n.author] = n.seq
		}
	}
	d.bySeq[as] = append(d.bySeq[as], n.id)
	for _, p := range preds {
		delete(d.heads, p.id)
	}
	d.heads[n.id] = struct{}{}
	if n.membership() {
		d.membership = append(d.membership, n.id)
		d.top = d.intern(d.maximal(append(slices.Clone(d.top.ids), n.id)))
	}
}

// inPast reports whether x is in the causal past of o (x != o).
func (d *dag) inPast(x, o *node) bool {
	if x == o {
		return false
	}
	a := x.author
	if int(a) >= len(o.cv) || o.cv[a] < x.seq {
		return false
	}
	if a == o.author && x.seq >= o.seq {
		// o's own entry in its vector counts o itself, so the vector
		// cannot tell a twin of o (same author and seq) from o, and o
		// may not be added yet, so its fork is not recorded. Only a fork
		// puts such an x in o's past: ask o's preds.
		for _, p := range d.predNodes(o) {
			if p == x || d.inPast(x, p) {
				return true
			}
		}
		return false
	}
	if fs := d.forkSeq[a]; fs == 0 || x.seq < fs {
		return true
	}
	// The author forked at or below x.seq: the causal vector cannot tell
	// x from its twin, so search the past, pruned by the vectors.
	seen := map[nodeID]bool{}
	stack := d.predNodes(o)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == x {
			return true
		}
		if seen[n.id] || int(a) >= len(n.cv) || n.cv[a] < x.seq {
			continue
		}
		seen[n.id] = true
		stack = append(stack, d.predNodes(n)...)
	}
	return false
}

func (d *dag) predNodes(n *node) []*node {
	out := make([]*node, 0, len(n.op.Preds))
	for _, h := range n.op.Preds {
		if p, ok := d.get(h); ok {
			out = append(out, p)
		}
	}
	return out
}

// maximal returns the ids in cand that are not in the past of another,
// sorted and unique.
func (d *dag) maximal(cand []nodeID) []nodeID {
	slices.Sort(cand)
	cand = slices.Compact(cand)
	out := cand[:0:0]
	for _, c := range cand {
		dominated := false
		for _, o := range cand {
			if o != c && d.inPast(d.nodes[c], d.nodes[o]) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, c)
		}
	}
	return out
}

func (d *dag) intern(ids []nodeID) *frontier {
	b := make([]byte, 4*len(ids))
	for i, id := range ids {
		binary.BigEndian.PutUint32(b[4*i:], uint32(id))
	}
	key := string(b)
	if f, ok := d.frontiers[key]; ok {
		return f
	}
	f := &frontier{ids: ids, key: key}
	d.frontiers[key] = f
	return f
}

// forksIn returns the forks both of whose ops are in the past of o.
func (d *dag) forksIn(o *node) []fork {
	var out []fork
	for _, f := range d.forks {
		if d.inPast(d.nodes[f.a], o) && d.inPast(d.nodes[f.b], o) {
			out = append(out, f)
		}
	}
	return out
}

// viewKey identifies the view of an op: its membership frontier and the
// forks in its past.
func viewKey(mf *frontier, forks []fork) string {
	if len(forks) == 0 {
		return mf.key
	}
	b := []byte(mf.key + "|")
	for _, f := range forks {
		b = binary.BigEndian.AppendUint32(b, uint32(f.a))
		b = binary.BigEndian.AppendUint32(b, uint32(f.b))
	}
	return string(b)
}
