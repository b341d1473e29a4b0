package node

import (
	"testing"
)

// Counting a verdict, which the node does for every op it receives,
// allocates nothing; the counts are named "result/reason" in a snapshot.
func TestCountingAVerdictAllocatesNothing(t *testing.T) {
	var c counters
	c.add(accept())
	allocs := testing.AllocsPerRun(100, func() {
		c.add(accept())
		c.add(reject(ReasonBadSignature))
		c.addN(ignore(ReasonDuplicate), 3)
	})
	if allocs != 0 {
		t.Fatalf("counting three verdicts made %.1f allocations, want 0", allocs)
	}
	got := c.snapshot()
	// AllocsPerRun runs the function once more than it measures.
	want := map[string]uint64{
		"accept/" + ReasonAccepted.String():     102,
		"reject/" + ReasonBadSignature.String(): 101,
		"ignore/" + ReasonDuplicate.String():    303,
	}
	if len(got) != len(want) {
		t.Fatalf("snapshot %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("snapshot %v, want %v", got, want)
		}
	}
	if (&counters{}).snapshot() != nil {
		t.Fatal("an empty counter's snapshot is not nil")
	}
}
