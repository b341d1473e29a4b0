package trust_test

// The dag's causal answers (inPast, branch heads, lowest forked seqs,
// chainAt) checked against a brute-force walk over preds, on random
// histories full of forks: twins at seq 1, branches from any earlier op,
// and "merge" ops that cite another branch of their own author.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// rawWorld applies ops straight to the dag (no admissibility), so that
// any shape of history can be built.
type rawWorld struct {
	c      *trusttest.Circle
	e      *trust.Engine
	ops    []*protocol.Op
	byHash map[protocol.Hash]*protocol.Op
	chain  map[string][]*protocol.Op // every op by author
	ts     int64
}

func newRawWorld(t testing.TB, names ...string) *rawWorld {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("raw"), names...)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := trust.New(c.Genesis)
	w := &rawWorld{c: c, e: e, byHash: map[protocol.Hash]*protocol.Op{}, chain: map[string][]*protocol.Op{}}
	w.ops = append(w.ops, c.Genesis)
	w.byHash[c.Genesis.Hash()] = c.Genesis
	w.chain[names[0]] = append(w.chain[names[0]], c.Genesis)
	return w
}

// sign makes name's op after prev (nil: seq 1) citing extra preds.
func (w *rawWorld) sign(t testing.TB, name string, prev *protocol.Op, extra []*protocol.Op) *protocol.Op {
	w.ts++
	op := &protocol.Op{Group: w.c.Genesis.Hash(), Seq: 1, Epoch: w.c.Genesis.Hash(), Kind: protocol.KindAdvisory, TS: w.ts}
	var preds []protocol.Hash
	if prev != nil {
		h := prev.Hash()
		op.Prev, op.Seq = &h, prev.Seq+1
		preds = append(preds, h)
	}
	for _, x := range extra {
		preds = append(preds, x.Hash())
	}
	if len(preds) == 0 {
		preds = append(preds, w.c.Genesis.Hash())
	}
	op.Preds = protocol.SortPreds(preds)
	body := &protocol.Advisory{Title: fmt.Sprintf("t%d", w.ts), Summary: "s", TLP: protocol.TLPGreen}
	if err := protocol.Sign(op, body, w.c.Actor(name).Priv); err != nil {
		t.Fatal(err)
	}
	return op
}

func (w *rawWorld) add(op *protocol.Op, name string) {
	w.e.RawAdd(op)
	w.ops = append(w.ops, op)
	w.byHash[op.Hash()] = op
	w.chain[name] = append(w.chain[name], op)
}

func (w *rawWorld) past(o *protocol.Op) map[protocol.Hash]bool {
	seen := map[protocol.Hash]bool{}
	stack := slices.Clone(o.Preds)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		stack = append(stack, w.byHash[h].Preds...)
	}
	return seen
}

// expected forkLow and branch heads of the author ops in set.
func (w *rawWorld) expect(set map[protocol.Hash]bool) (map[protocol.Key]uint32, map[protocol.Key][]protocol.Hash) {
	low := map[protocol.Key]uint32{}
	heads := map[protocol.Key][]protocol.Hash{}
	bySeq := map[protocol.Key]map[uint64]int{}
	isPrev := map[protocol.Hash]bool{}
	for h := range set {
		op := w.byHash[h]
		if bySeq[op.Author] == nil {
			bySeq[op.Author] = map[uint64]int{}
		}
		bySeq[op.Author][op.Seq]++
		if op.Prev != nil {
			isPrev[*op.Prev] = true
		}
	}
	for k, m := range bySeq {
		for s, c := range m {
			if c > 1 && (low[k] == 0 || uint32(s) < low[k]) {
				low[k] = uint32(s)
			}
		}
	}
	for h := range set {
		op := w.byHash[h]
		if low[op.Author] != 0 && !isPrev[h] {
			heads[op.Author] = append(heads[op.Author], h)
		}
	}
	return low, heads
}

func sameSet(a, b []protocol.Hash) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	protocol.SortPreds(a)
	protocol.SortPreds(b)
	return slices.Equal(a, b)
}

func TestDAGInPastAgainstWalk(t *testing.T) {
	names := []string{"A", "B", "C", "D"}
	selfAhead, forkedEnd := 0, 0
	defer func() {
		t.Logf("ops citing own op at >= seq: %d; histories whose last op sees a fork: %d", selfAhead, forkedEnd)
	}()
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		w := newRawWorld(t, names...)
		steps := 20 + rng.IntN(60)
		for i := 0; i < steps; i++ {
			name := names[rng.IntN(len(names))]
			var prev *protocol.Op
			mine := w.chain[name]
			if len(mine) > 0 {
				switch r := rng.IntN(10); {
				case r < 7: // extend newest
					prev = mine[len(mine)-1]
				case r < 9: // fork from any of own ops (twins / branch)
					prev = mine[rng.IntN(len(mine))]
				default: // twin at seq 1 (unless genesis author)
					if name != names[0] {
						prev = nil
					} else {
						prev = mine[rng.IntN(len(mine))]
					}
				}
			}
			var extra []*protocol.Op
			for k := rng.IntN(4); k > 0; k-- {
				extra = append(extra, w.ops[rng.IntN(len(w.ops))])
			}
			// sometimes a "merge": cite another own op (other branch)
			if len(mine) > 0 && rng.IntN(4) == 0 {
				extra = append(extra, mine[rng.IntN(len(mine))])
			}
			op := w.sign(t, name, prev, extra)
			// check on the prepared vertex before add
			xs := make([]protocol.Hash, len(w.ops))
			for j, x := range w.ops {
				xs[j] = x.Hash()
			}
			past := w.past(op)
			got, pf := w.e.RawPrepared(op, xs)
			for j, x := range w.ops {
				if got[j] != past[x.Hash()] {
					t.Fatalf("seed %d step %d prepared: inPast(%s seq %d by %x, new seq %d by %x) = %v, want %v", seed, i, x.Hash().Short(), x.Seq, x.Author[:2], op.Seq, op.Author[:2], got[j], past[x.Hash()])
				}
			}
			wantLow, _ := w.expect(past)
			if len(wantLow) != len(pf) {
				t.Fatalf("seed %d step %d pastForks %v want %v", seed, i, pf, wantLow)
			}
			for k, s := range wantLow {
				if pf[k] != s {
					t.Fatalf("seed %d step %d pastForks %v want %v", seed, i, pf, wantLow)
				}
			}
			for _, x := range extra {
				if x.Author == op.Author && x.Seq >= op.Seq {
					selfAhead++
				}
			}
			w.add(op, name)
		}
		if low, _ := w.e.RawVertex(w.ops[len(w.ops)-1].Hash()); len(low) > 0 {
			forkedEnd++
		}
		// all pairs after everything is added
		for _, o := range w.ops {
			past := w.past(o)
			for _, x := range w.ops {
				if got := w.e.RawInPast(x.Hash(), o.Hash()); got != past[x.Hash()] {
					t.Fatalf("seed %d: inPast(%s seq %d, %s seq %d) = %v want %v", seed, x.Hash().Short(), x.Seq, o.Hash().Short(), o.Seq, got, past[x.Hash()])
				}
			}
			self := past
			self[o.Hash()] = true
			wantLow, wantHeads := w.expect(self)
			low, br := w.e.RawVertex(o.Hash())
			if len(low) != len(wantLow) {
				t.Fatalf("seed %d: forkLow %v want %v", seed, low, wantLow)
			}
			for k, s := range wantLow {
				if low[k] != s {
					t.Fatalf("seed %d: forkLow %v want %v", seed, low, wantLow)
				}
				if !sameSet(br[k], wantHeads[k]) {
					t.Fatalf("seed %d: branches %d want %d", seed, len(br[k]), len(wantHeads[k]))
				}
			}
		}
	}
}

func TestDAGChainAtLong(t *testing.T) {
	w := newRawWorld(t, "A", "B", "C", "D")
	var prev *protocol.Op
	var chain []*protocol.Op
	for i := 0; i < 1500; i++ {
		op := w.sign(t, "B", prev, nil)
		w.add(op, "B")
		chain = append(chain, op)
		prev = op
	}
	for _, i := range []int{1, 2, 3, 7, 100, 511, 512, 513, 999, 1000, 1023, 1024, 1025, 1499} {
		top := chain[i]
		for _, j := range []int{0, 1, 2, 5, i / 3, i - 1, i} {
			if j > i {
				continue
			}
			h, ok := w.e.RawChainAt(top.Hash(), uint32(j+1))
			if !ok || h != chain[j].Hash() {
				t.Fatalf("chainAt(seq %d, %d) wrong", i+1, j+1)
			}
		}
	}
	// exhaustively for one top
	top := chain[1499]
	for j := 0; j <= 1499; j++ {
		if h, ok := w.e.RawChainAt(top.Hash(), uint32(j+1)); !ok || h != chain[j].Hash() {
			t.Fatalf("chainAt(1500,%d)", j+1)
		}
	}
	// forks off the long chain at various seqs: divergence
	for _, at := range []int{0, 1, 2, 600, 1023, 1024, 1400} {
		var p *protocol.Op
		if at > 0 {
			p = chain[at-1]
		}
		b := w.sign(t, "B", p, nil)
		w.add(b, "B")
		for k := 0; k < 37; k++ {
			nb := w.sign(t, "B", b, nil)
			w.add(nb, "B")
			b = nb
		}
		if d := w.e.RawDivergence(chain[1499].Hash(), b.Hash()); d != uint32(at+1) {
			t.Fatalf("divergence fork at seq %d = %d", at+1, d)
		}
		if d := w.e.RawDivergence(b.Hash(), chain[1499].Hash()); d != uint32(at+1) {
			t.Fatalf("divergence rev fork at seq %d = %d", at+1, d)
		}
	}
	// prefix: divergence(chain[1499], chain[700]) = 702
	if d := w.e.RawDivergence(chain[1499].Hash(), chain[700].Hash()); d != 702 {
		t.Fatalf("prefix divergence %d", d)
	}
}
