package trust_test

import (
	"slices"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// Suspensions lists what an Unsuspend must lift, and nothing once lifted.
func TestSuspensionsListsStandingSuspensionMotions(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("susp"), "A", "B", "C", "D")
	if err != nil {
		t.Fatal(err)
	}
	step := func(_ *protocol.Op, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		c.SyncAll()
	}
	d := c.Actor("D").Key
	first, second := c.Suspend("D", "one"), c.Suspend("D", "two")
	for _, m := range []protocol.Motion{first, second} {
		step(c.Vote("A", m))
		step(c.Vote("B", m))
		step(c.Enact("C", m))
	}
	got := c.Actor("A").Engine.State().Suspensions(d)
	want := protocol.SortPreds([]protocol.Hash{first.Hash(), second.Hash()})
	if !slices.Equal(got, want) {
		t.Fatalf("Suspensions(D) = %v, want %v", got, want)
	}
	if others := c.Actor("A").Engine.State().Suspensions(c.Actor("B").Key); len(others) != 0 {
		t.Fatalf("Suspensions(B) = %v, want none", others)
	}
	lift := c.Unsuspend("D", first, second)
	step(c.Vote("A", lift))
	step(c.Vote("B", lift))
	step(c.Vote("C", lift))
	step(c.Enact("A", lift))
	if left := c.Actor("B").Engine.State().Suspensions(d); len(left) != 0 {
		t.Fatalf("after the unsuspension Suspensions(D) = %v, want none", left)
	}
	if !c.Actor("B").Engine.State().InSharingSet(d) {
		t.Fatal("D is not back in the sharing set")
	}
}
