package protocol

import (
	"errors"
	"testing"
)

// VerifyBatch reuses a checked batch's buffers and hashes each op's signed
// message in place, out of the op's own encoding: a batch of 64 ops costs
// a few allocations, not a copy of each op's bytes and a fresh batch.
// (Before, a batch of 64 took 134 allocations: a signed message per op,
// the batch's entries and key map, the combination's scratch.)
func TestVerifyBatchAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	c := newCircle(t)
	ops := make([]*Op, 64)
	for i := range ops {
		priv := c.alpha
		if i%2 == 1 {
			priv = c.bravo
		}
		ops[i] = mustSign(t, c.first(KindAdvisory), advisory(2048+i), priv)
	}
	VerifyBatch(ops) // fill the pool
	allocs := testing.AllocsPerRun(20, func() {
		for _, err := range VerifyBatch(ops) {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Logf("VerifyBatch of %d ops: %.0f allocations", len(ops), allocs)
	if allocs > 16 {
		t.Fatalf("VerifyBatch of %d ops made %.0f allocations, want at most 16", len(ops), allocs)
	}
}

// A batch taken from the pool after a failed batch judges afresh: each
// of three batches in turn, bad, good, bad again, names exactly its own
// bad op.
func TestVerifyBatchReusedJudgesAfresh(t *testing.T) {
	c := newCircle(t)
	good := func(n int) []*Op {
		ops := make([]*Op, n)
		for i := range ops {
			ops[i] = mustSign(t, c.first(KindAdvisory), advisory(4096+i), c.bravo)
		}
		return ops
	}
	for round, bad := range []int{3, -1, 0} {
		ops := good(8)
		if bad >= 0 {
			raw := append([]byte(nil), ops[bad].Bytes()...)
			raw[len(raw)-10] ^= 1 // in the signature, the map's last value
			forged, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			ops[bad] = forged
		}
		for i, err := range VerifyBatch(ops) {
			switch {
			case i == bad && !errors.Is(err, ErrBadSignature):
				t.Fatalf("round %d: op %d forged, verdict %v", round, i, err)
			case i != bad && err != nil:
				t.Fatalf("round %d: op %d good, verdict %v", round, i, err)
			}
		}
	}
}
