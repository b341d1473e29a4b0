package trust

import (
	"encoding/binary"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// vertexID indexes an op in the engine's dag, in the order ops were applied,
// which is always a topological order of the causal DAG.
type vertexID int32

// vertex is an applied op, a vertex of the causal DAG, and what the engine
// derived from it.
type vertex struct {
	op     *opHead // the op's header, and the whole op if it is a membership op
	id     vertexID
	author int32 // index into dag.keys
	seq    uint32
	// height is 1 + the greatest height among the preds (the genesis
	// has 0): with the hash, a topological order that every node shares.
	height uint32
	// tip[a] is 1 + the id of author a's newest op among the op and its
	// past (0: none). While a has not forked there, a's ops in the past
	// are exactly the prev-chain of that tip.
	tip []vertexID
	// branches lists, for each author that forked among the op and its
	// past, the heads of every branch of its chain; nil when no author did.
	branches map[int32][]*vertex
	// forkLow gives, for the same authors, the lowest forked seq.
	forkLow map[int32]uint32
	// prev is the author's previous op (nil at seq 1), and skip an op
	// further back on the prev-chain, chosen so that chainAt reaches any
	// seq in O(log seq) steps (skew-binary jump pointers: Myers, "An
	// applicative random-access stack", 1983). Two pointers per op, where
	// a table of every power-of-two step took one per bit of seq.
	prev, skip *vertex
	// mf is the op's membership frontier: the maximal membership ops in
	// its past. Ops with equal frontiers (and forks) share one view.
	mf *frontier
	// motionFields holds a membership op's motion fields; every data op
	// shares noMotion, so that an advisory's vertex does not carry them.
	*motionFields
}

// motionFields is what a membership op's vertex derives from its body.
type motionFields struct {
	// motion is the motion hash of a vote or enactment.
	motion protocol.Hash
	// app is the application ID of an Admit vote or enactment.
	app protocol.Hash
	// need is the threshold an enactment met in its view: the count of
	// live votes it needs to stay live.
	need int
}

// noMotion is the motion fields of every data op: zero, never written.
var noMotion = &motionFields{}

func (n *vertex) membership() bool { return n.op.Kind.IsMembership() }

// frontier is an interned, sorted set of membership ops.
type frontier struct {
	ids []vertexID
	key string
}

// fork is a seq at which an author signed two or more ops: an
// equivocation (dag.bySeq holds the ops).
type fork struct {
	author int32
	seq    uint32
}

// forkAt is the lowest seq at which an author forked within some past.
type forkAt struct {
	author int32
	seq    uint32
}

// dag holds the applied ops and answers causal questions about them.
type dag struct {
	vertices   []*vertex
	byHash     map[protocol.Hash]vertexID
	authors    map[protocol.Key]int32
	keys       []protocol.Key
	bySeq      map[authorSeq][]vertexID // the ops at each (author, seq): more than one after a fork
	forkSeq    []uint32                 // per author: the lowest forked seq, or 0
	forks      []fork
	heads      map[vertexID]struct{}
	membership []vertexID            // membership ops in applied order
	admitted   map[protocol.Key]bool // founders and every key with an Admit enactment applied
	founders   map[protocol.Key]bool
	frontiers  map[string]*frontier
	top        *frontier // the frontier of every membership op applied
}

type authorSeq struct {
	author int32
	seq    uint32
}

func newDAG() *dag {
	d := &dag{
		byHash:    make(map[protocol.Hash]vertexID),
		authors:   make(map[protocol.Key]int32),
		bySeq:     make(map[authorSeq][]vertexID),
		admitted:  make(map[protocol.Key]bool),
		founders:  make(map[protocol.Key]bool),
		heads:     make(map[vertexID]struct{}),
		frontiers: make(map[string]*frontier),
	}
	d.top = d.frontier(nil)
	d.frontiers[d.top.key] = d.top
	return d
}

func (d *dag) get(h protocol.Hash) (*vertex, bool) {
	id, ok := d.byHash[h]
	if !ok {
		return nil, false
	}
	return d.vertices[id], true
}

// tipVertex returns author a's newest op among n and its past, or nil. n may
// be a vertex not yet added.
func (d *dag) tipVertex(n *vertex, a int32) *vertex {
	if int(a) >= len(n.tip) || n.tip[a] == 0 {
		return nil
	}
	if id := n.tip[a] - 1; id != n.id {
		return d.vertices[id]
	}
	return n
}

// prepare builds the vertex for op, whose preds must all be applied, without
// changing the dag: its author chain links, tips, branches, membership
// frontier, and the forks in its past (for its view).
func (d *dag) prepare(op *protocol.Op, preds []*vertex) (*vertex, []forkAt) {
	a, ok := d.authors[op.Author]
	if !ok {
		a = int32(len(d.keys)) // registered by add
	}
	n := &vertex{op: headOf(op), id: vertexID(len(d.vertices)), author: a, seq: uint32(op.Seq)}
	if op.Prev != nil {
		n.prev, _ = d.get(*op.Prev)
		n.skip = skipFor(n.prev)
	}
	for _, p := range preds {
		n.height = max(n.height, p.height+1)
	}
	d.mergeTips(n, preds)
	past := d.pastForks(n)
	d.addSelf(n)
	n.mf = d.frontierOf(preds)
	n.motionFields = noMotion
	if op.Kind.IsMembership() {
		n.motionFields = &motionFields{}
	}
	switch b := op.Content().(type) {
	case *protocol.Vote:
		n.motion = b.Motion.Hash()
		if b.Motion.Application != nil {
			n.app = b.Motion.Application.ID()
		}
	case *protocol.Enact:
		n.motion = b.Motion.Hash()
		if b.Motion.Application != nil {
			n.app = b.Motion.Application.ID()
		}
	}
	return n, past
}

// mergeTips sets n's tips, branches and fork seqs to those of the union of
// its preds' pasts, which is n's past (n itself is added by addSelf).
func (d *dag) mergeTips(n *vertex, preds []*vertex) {
	width := int(n.author) + 1
	for _, p := range preds {
		width = max(width, len(p.tip))
	}
	n.tip = make([]vertexID, width)
	var forked map[int32]bool
	for _, p := range preds {
		for a, t := range p.tip {
			if t != 0 && (n.tip[a] == 0 || d.vertices[t-1].seq > d.vertices[n.tip[a]-1].seq) {
				n.tip[a] = t
			}
		}
		for a := range p.branches {
			if forked == nil {
				forked = map[int32]bool{}
			}
			forked[a] = true
		}
	}
	// Only an author that forked somewhere in the dag can have forked in
	// this past: collect the heads of its branches.
	for a := range n.tip {
		if d.forkSeqOf(int32(a)) == 0 && !forked[int32(a)] {
			continue
		}
		if heads, low := d.mergeBranches(int32(a), preds); len(heads) > 1 {
			n.setBranches(int32(a), heads, low)
		}
	}
}

func (n *vertex) setBranches(a int32, heads []*vertex, low uint32) {
	if n.branches == nil {
		n.branches = map[int32][]*vertex{}
		n.forkLow = map[int32]uint32{}
	}
	n.branches[a], n.forkLow[a] = heads, low
}

func (d *dag) forkSeqOf(a int32) uint32 {
	if int(a) < len(d.forkSeq) {
		return d.forkSeq[a]
	}
	return 0
}

// mergeBranches returns the heads of author a's branches over the preds'
// pasts, and the lowest seq at which two of them differ (0 for one head).
// The pred with the most heads is the base; only what the others add to it
// is compared, so a merge costs O(base × added), not O(heads²).
func (d *dag) mergeBranches(a int32, preds []*vertex) ([]*vertex, uint32) {
	var base []*vertex
	low := uint32(0)
	for _, p := range preds {
		if br := p.branches[a]; len(br) > len(base) {
			base = br
		}
		if l := p.forkLow[a]; l > 0 && (low == 0 || l < low) {
			low = l
		}
	}
	in := make(map[*vertex]bool, len(base))
	for _, h := range base {
		in[h] = true
	}
	var extra []*vertex
	for _, p := range preds {
		heads := p.branches[a]
		if heads == nil {
			if t := d.tipVertex(p, a); t != nil {
				heads = []*vertex{t}
			}
		}
		for _, h := range heads {
			if !in[h] {
				in[h] = true
				extra = append(extra, h)
			}
		}
	}
	if len(extra) == 0 {
		if len(base) < 2 {
			return base, 0
		}
		return base, low
	}
	heads, added := mergeHeads(base, extra)
	if len(heads) < 2 {
		return heads, 0
	}
	for _, e := range added {
		for _, h := range heads {
			if h != e {
				if s := divergence(e, h); low == 0 || s < low {
					low = s
				}
			}
		}
	}
	return heads, low
}

// mergeHeads merges extra heads into base, a set of heads none of which
// lies on another's prev-chain, keeping that property. It returns the
// merged heads and the extra heads among them.
func mergeHeads(base, extra []*vertex) (heads, added []*vertex) {
	for _, e := range extra {
		if !onChainOf(e, base) && !onChainOf(e, extra) {
			added = append(added, e)
		}
	}
	for _, b := range base {
		if !onChainOf(b, added) {
			heads = append(heads, b)
		}
	}
	return append(heads, added...), added
}

// onChainOf reports whether h lies on the prev-chain of one of others.
func onChainOf(h *vertex, others []*vertex) bool {
	for _, o := range others {
		if o != h && o.seq > h.seq && chainAt(o, h.seq) == h {
			return true
		}
	}
	return false
}

// addSelf adds n to its own author's tips and branches.
func (d *dag) addSelf(n *vertex) {
	a := n.author
	heads := n.branches[a]
	low := n.forkLow[a]
	if heads == nil {
		if t := d.tipVertex(n, a); t != nil {
			heads = []*vertex{t}
		}
	}
	merged, _ := mergeHeads(heads, []*vertex{n})
	if len(merged) > 1 {
		for _, h := range merged {
			if h != n {
				if s := divergence(h, n); low == 0 || s < low {
					low = s
				}
			}
		}
		n.setBranches(a, merged, low)
	}
	if t := d.tipVertex(n, a); t == nil || t.seq <= n.seq {
		n.tip[a] = n.id + 1
	}
}

// chainAt returns the op at seq on t's prev-chain (t.seq >= seq), or nil
// when the chain does not reach back to seq.
func chainAt(t *vertex, seq uint32) *vertex {
	for t != nil && t.seq > seq {
		if t.skip != nil && t.skip.seq >= seq {
			t = t.skip
		} else {
			t = t.prev
		}
	}
	return t
}

// skipFor returns the skip pointer of an op whose prev is p: two equal
// skips from p combine into one twice as long, else the skip is p.
func skipFor(p *vertex) *vertex {
	if j := p.skip; j != nil && j.skip != nil && p.seq-j.seq == j.seq-j.skip.seq {
		return j.skip
	}
	return p
}

// pastForks returns, for each author that forked in n's past, the lowest
// forked seq, sorted by author. It must run before addSelf.
func (d *dag) pastForks(n *vertex) []forkAt {
	var out []forkAt
	for a, seq := range n.forkLow {
		out = append(out, forkAt{author: a, seq: seq})
	}
	slices.SortFunc(out, func(x, y forkAt) int { return int(x.author) - int(y.author) })
	return out
}

// divergence returns the lowest seq at which two different branch heads
// of one author hold different ops.
func divergence(x, y *vertex) uint32 {
	lo, hi := uint32(1), min(x.seq, y.seq)
	if chainAt(x, hi) == chainAt(y, hi) {
		return hi + 1
	}
	for lo < hi { // the chains differ at hi
		mid := lo + (hi-lo)/2
		if chainAt(x, mid) == chainAt(y, mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// add inserts a prepared vertex, registers its author and frontier, and
// records forks and heads.
func (d *dag) add(n *vertex, preds []*vertex) {
	if int(n.author) == len(d.keys) {
		d.authors[n.op.Author] = n.author
		d.keys = append(d.keys, n.op.Author)
		d.forkSeq = append(d.forkSeq, 0)
	}
	if f, ok := d.frontiers[n.mf.key]; ok {
		n.mf = f
	} else {
		d.frontiers[n.mf.key] = n.mf
	}
	d.vertices = append(d.vertices, n)
	d.byHash[n.op.Hash()] = n.id
	as := authorSeq{n.author, n.seq}
	if twins := d.bySeq[as]; len(twins) > 0 {
		if fs := d.forkSeq[n.author]; fs == 0 || n.seq < fs {
			d.forkSeq[n.author] = n.seq
		}
		if len(twins) == 1 {
			d.forks = append(d.forks, fork{author: n.author, seq: n.seq})
		}
	}
	d.bySeq[as] = append(d.bySeq[as], n.id)
	for _, p := range preds {
		delete(d.heads, p.id)
	}
	d.heads[n.id] = struct{}{}
	switch b := n.op.Content().(type) {
	case *protocol.Genesis:
		for _, f := range b.Founders {
			d.admitted[f.Key] = true
			d.founders[f.Key] = true
		}
	case *protocol.Enact:
		if b.Motion.Kind == protocol.MotionAdmit {
			d.admitted[n.op.Author] = true
		}
	}
	if n.membership() {
		d.membership = append(d.membership, n.id)
		// n is in no op's past: the new top is n and the old top's ops
		// that are not in n's past.
		ids := []vertexID{n.id}
		for _, id := range d.top.ids {
			if !d.inPast(d.vertices[id], n) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		top := d.frontier(ids)
		if f, ok := d.frontiers[top.key]; ok {
			top = f
		} else {
			d.frontiers[top.key] = top
		}
		d.top = top
	}
}

// inPast reports whether x is in the causal past of o (x != o).
func (d *dag) inPast(x, o *vertex) bool {
	if x == o {
		return false
	}
	a := x.author
	if heads, ok := o.branches[a]; ok {
		for _, h := range heads {
			if h.seq >= x.seq && chainAt(h, x.seq) == x {
				return true
			}
		}
		return false
	}
	t := d.tipVertex(o, a)
	if t == nil || t.seq < x.seq {
		return false
	}
	if t == o && x.seq == o.seq {
		return false // x is a twin of o, not in its past
	}
	if fs := d.forkSeqOf(a); fs == 0 || x.seq < fs {
		return true // one op per seq below the author's first fork
	}
	return chainAt(t, x.seq) == x
}

// frontierOf returns the membership frontier of an op with these preds:
// the maximal membership ops among the preds and the preds' frontiers.
func (d *dag) frontierOf(preds []*vertex) *frontier {
	var shared *frontier
	mixed := false
	var cand []vertexID
	for _, p := range preds {
		if p.membership() {
			cand = append(cand, p.id)
			mixed = true
			continue
		}
		if shared == nil {
			shared = p.mf
		} else if p.mf != shared {
			mixed = true
		}
		cand = append(cand, p.mf.ids...)
	}
	if !mixed && shared != nil {
		return shared // data ops on one frontier
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	if slices.Equal(cand, d.top.ids) {
		return d.top // the op cites every membership head
	}
	return d.frontier(d.maximal(cand))
}

// maximal returns the ids in cand that are not in the past of another,
// sorted and unique. Candidates are taken highest first, so each is
// compared only with those already kept: an op's past holds only lower ops.
func (d *dag) maximal(cand []vertexID) []vertexID {
	slices.Sort(cand)
	cand = slices.Compact(cand)
	byHeight := slices.Clone(cand)
	slices.SortFunc(byHeight, func(x, y vertexID) int { return int(d.vertices[y].height) - int(d.vertices[x].height) })
	var kept []vertexID
	for _, c := range byHeight {
		dominated := false
		for _, k := range kept {
			if d.inPast(d.vertices[c], d.vertices[k]) {
				dominated = true
				break
			}
		}
		if !dominated {
			kept = append(kept, c)
		}
	}
	slices.Sort(kept)
	return kept
}

// frontier returns the frontier of ids, interned when the dag knows it;
// a new one is interned by add.
func (d *dag) frontier(ids []vertexID) *frontier {
	b := make([]byte, 4*len(ids))
	for i, id := range ids {
		binary.BigEndian.PutUint32(b[4*i:], uint32(id))
	}
	if f, ok := d.frontiers[string(b)]; ok {
		return f
	}
	return &frontier{ids: ids, key: string(b)}
}
