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
	d := newDAG()
	var set []*node
	for _, op := range ops {
		preds := make([]*node, len(op.Preds))
		for i, p := range op.Preds {
			preds[i], _ = d.get(p)
		}
		n, _ := d.prepare(op, preds)
		d.add(n, preds)
		if n.membership() {
			set = append(set, n)
		}
	}
	all := func(*node) bool { return true }
	z := func(n *node) bool { return settled[n.op.Hash()] }
	j := judgeSet(d, set, all, z, judgeView{})
	v := Verdicts{Status: map[protocol.Key]string{}, Suspended: map[protocol.Key]bool{}, Effective: map[protocol.Hash]bool{}}
	for _, n := range d.nodes {
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
// union of what every op's closure settles.
func SettleForTest(ops []*protocol.Op) map[protocol.Hash]bool {
	d := newDAG()
	for _, op := range ops {
		preds := make([]*node, len(op.Preds))
		for i, p := range op.Preds {
			preds[i], _ = d.get(p)
		}
		n, _ := d.prepare(op, preds)
		d.add(n, preds)
	}
	st := newSettler(d)
	out := map[protocol.Hash]bool{}
	for _, n := range d.nodes {
		for id := range st.z(closureOf(n)) {
			out[d.nodes[id].op.Hash()] = true
		}
	}
	return out
}
