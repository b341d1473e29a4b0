package trust

import "github.com/kring-circle/kring/protocol"

// Verdicts is what the new Judge says of a set of ops, for tests that
// compare it with the reference model.
type Verdicts struct {
	Status    map[protocol.Key]string
	Suspended map[protocol.Key]bool
	Effective map[protocol.Hash]bool
}

// JudgeForTest runs the Judge of docs/membership.md §4 over ops (causally
// closed, in a causal order, the genesis first) with the settled set given.
func JudgeForTest(ops []*protocol.Op, settled map[protocol.Hash]bool) Verdicts {
	return judgeForTest(ops, settled, nil)
}

// EvalForTest computes Z(S) (§3, validated as §3.4 says) and the Judge of
// §4 over ops (causally closed, in a causal order, the genesis first).
func EvalForTest(ops []*protocol.Op) (map[protocol.Hash]bool, Verdicts) {
	z, a := settleForTest(ops)
	return z, judgeForTest(ops, z, a)
}

func judgeForTest(ops []*protocol.Op, settled map[protocol.Hash]bool, a *testAnchors) Verdicts {
	d := newDAG()
	var set []*vertex
	for _, op := range ops {
		n := addForTest(d, op)
		if n.membership() {
			set = append(set, n)
		}
	}
	all := func(*vertex) bool { return true }
	z := func(n *vertex) bool { return settled[n.op.Hash()] }
	var an *anchors
	if a != nil {
		// the same anchors on this dag's vertex ids
		keys := a.keys
		leaves, cut := map[vertexID]bool{}, map[vertexID]bool{}
		for h := range a.hashes {
			if n, ok := d.get(h); ok {
				leaves[n.id] = true
			}
		}
		for h := range a.cut {
			if n, ok := d.get(h); ok {
				cut[n.id] = true
			}
		}
		an = newAnchors(keys, leaves, cutOps{ops: cut})
	}
	j := judgeSet(d, set, all, z, judgeView{anch: an})
	v := Verdicts{Status: map[protocol.Key]string{}, Suspended: map[protocol.Key]bool{}, Effective: map[protocol.Hash]bool{}}
	for _, n := range d.vertices {
		if j.effective(n) {
			v.Effective[n.op.Hash()] = true
		}
		keys := []protocol.Key{n.op.Author}
		if m := motionOf(n); m != nil && m.Kind != protocol.MotionCharter {
			keys = append(keys, m.Subject())
		}
		for _, k := range keys {
			if s := j.status(k); s != "" {
				v.Status[k] = s
				if s == "member" && j.suspended(k) {
					v.Suspended[k] = true
				}
			}
		}
	}
	for _, f := range ops[0].Content().(*protocol.Genesis).Founders {
		if s := j.status(f.Key); s != "" {
			v.Status[f.Key] = s
			if s == "member" && j.suspended(f.Key) {
				v.Suspended[f.Key] = true
			}
		}
	}
	return v
}

// SettleForTest computes Z(S) of docs/membership.md §3 for ops (causally
// closed, in a causal order, the genesis first) on the engine's dag: the
// union of what every op's closure settles, validated as §3.4 says.
func SettleForTest(ops []*protocol.Op) map[protocol.Hash]bool {
	z, _ := settleForTest(ops)
	return z
}

// testAnchors carries anchors from one dag to another by hash.
type testAnchors struct {
	keys   map[protocol.Key]bool
	hashes map[protocol.Hash]bool
	cut    map[protocol.Hash]bool
}

func settleForTest(ops []*protocol.Op) (map[protocol.Hash]bool, *testAnchors) {
	d := newDAG()
	for _, op := range ops {
		addForTest(d, op)
	}
	st := newSettler(d)
	all := closure{preds: append([]*vertex(nil), d.vertices...)}
	e := st.eval(all)
	out := map[protocol.Hash]bool{}
	for _, n := range d.vertices {
		if e.z.has(n) {
			out[n.op.Hash()] = true
		}
	}
	if e.anch == nil {
		return out, nil
	}
	ta := &testAnchors{keys: e.anch.keys, hashes: map[protocol.Hash]bool{}, cut: map[protocol.Hash]bool{}}
	for id := range e.anch.leaves {
		ta.hashes[d.vertices[id].op.Hash()] = true
	}
	for id := range e.anch.cut {
		ta.cut[d.vertices[id].op.Hash()] = true
	}
	return out, ta
}

// SettleEachForTest adds ops (causally closed, in a causal order, the
// genesis first) to one dag one by one, as an Engine would, and computes
// the validated Z of each op's past and closure on one settler that keeps
// what it computed. It returns how many ops the last closure settles.
func SettleEachForTest(ops []*protocol.Op) int {
	d := newDAG()
	st := newSettler(d)
	var last *settled
	for _, op := range ops {
		n := addForTest(d, op)
		st.eval(st.pastOf(n))
		last = st.eval(closureOf(n))
	}
	count := 0
	for _, n := range d.vertices {
		if last.z.has(n) {
			count++
		}
	}
	return count
}

// addForTest adds op, whose preds the dag holds, to d and returns its vertex.
func addForTest(d *dag, op *protocol.Op) *vertex {
	preds := make([]*vertex, len(op.Preds))
	for i, p := range op.Preds {
		preds[i], _ = d.get(p)
	}
	n, _ := d.prepare(op, preds)
	d.add(n, preds)
	return n
}
