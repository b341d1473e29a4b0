package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestFollowersBoundAcknowledgements pins the bound by which a settlement
// round leaves an author's later advisories alone: the keys with an op
// that is the advisory or follows it. M001 signs between M000's two
// advisories and follows only the first; M002 signs after both.
func TestFollowersBoundAcknowledgements(t *testing.T) {
	bc := newBenchCircle(t)
	x1 := bc.must(t, "M000", benchAdvisory(1), 0)
	bc.must(t, "M001", benchAdvisory(2), 0)
	x2 := bc.must(t, "M000", benchAdvisory(3), 0)
	if got := bc.e.FollowersForTest(x2.Hash()); got != 1 {
		t.Fatalf("followers of M000's second advisory before anyone cites it: %d, want 1 (its author)", got)
	}
	bc.must(t, "M002", benchAdvisory(4), 0)
	for _, c := range []struct {
		name string
		h    protocol.Hash
		want int
	}{{"first", x1.Hash(), 3}, {"second", x2.Hash(), 2}} {
		if got := bc.e.FollowersForTest(c.h); got != c.want {
			t.Errorf("followers of M000's %s advisory: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestFollowersBoundEqualsModel runs the comparisons of the engine with
// the reference model with the followers bound applied in every round,
// not only in windows much longer than the circle, as the property
// histories' windows are short.
func TestFollowersBoundEqualsModel(t *testing.T) {
	defer trust.BoundFollowersAlwaysForTest()()
	t.Run("settlement", TestEngineSettlementEqualsModel)
	t.Run("engine", TestRules2EngineEqualsModel)
}
