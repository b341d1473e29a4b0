package trust_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestMemoEvictionChangesNothing applies the random histories of the
// model properties to two Engines, one with the settler's memos at their
// sizes and one that keeps a single entry per memo generation and so
// computes nearly everything again: they must refuse the same ops, with
// the same errors, and end with the same verdicts and key states. It is
// what lets a node drop what it computed for old closures.
func TestMemoEvictionChangesNothing(t *testing.T) {
	modelCheck(t, func(t *rapid.T) {
		h := genModelHist(t, rapid.Bool().Draw(t, "byzantine"))
		ops := h.subset(h.all())
		full, err := trust.New(ops[0])
		if err != nil {
			t.Fatal(err)
		}
		tiny, err := trust.NewWithMemoLimit(ops[0], 1)
		if err != nil {
			t.Fatal(err)
		}
		applied := []*protocol.Op{ops[0]}
		for i, op := range ops[1:] {
			ef, et := full.Apply(op), tiny.Apply(op)
			if (ef == nil) != (et == nil) || (ef != nil && ef.Error() != et.Error()) {
				t.Fatalf("op %d (%s): with full memos %v, with evicted memos %v", i+1, op, ef, et)
			}
			if ef == nil {
				applied = append(applied, op)
			}
		}
		sf, st := full.State(), tiny.State()
		for _, op := range applied {
			if full.Live(op.Hash()) != tiny.Live(op.Hash()) {
				t.Fatalf("%s: live %v with full memos, %v with evicted memos", op, full.Live(op.Hash()), tiny.Live(op.Hash()))
			}
		}
		for _, k := range sf.Keys() {
			if a, b := sf.Key(k), st.Key(k); a.Status != b.Status || a.Suspended != b.Suspended {
				t.Fatalf("key %s: %+v with full memos, %+v with evicted memos", k.Short(), a, b)
			}
		}
	})
}
