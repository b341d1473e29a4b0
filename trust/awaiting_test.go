package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/refmodel"
	"github.com/kring-circle/kring/trust/trusttest"
)

// What waits to settle leaves out a member's advisory that its revocation
// or suspension voids, even though its author's advisories are kept as one
// run (docs/membership.md §8): the run is counted op by op once a removal
// or a suspension names its author. The advisory the voters saw counts and
// waits. The Engine agrees with the reference model on every op.
func TestAwaitingLeavesOutCutAdvisories(t *testing.T) {
	for _, kind := range []string{"revoke", "suspend"} {
		t.Run(kind, func(t *testing.T) { awaitingAfter(t, kind) })
	}
}

func awaitingAfter(t *testing.T, kind string) {
	c, err := trusttest.NewCircle(protocol.Charter{Name: "t", Version: 1, Admit: 2, Suspend: 2, Revoke: 2}, "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatal(err)
	}
	must := mustOps(t)
	sync := func(to, from string) {
		t.Helper()
		for h, err := range c.Sync(to, from) {
			t.Fatalf("sync %s <- %s: %s: %v", to, from, h.Short(), err)
		}
	}
	seen := must(c.Advise("A", "seen before the votes", protocol.TLPGreen))
	for _, n := range []string{"B", "C", "D", "E"} {
		sync(n, "A")
	}
	cut := must(c.Advise("A", "signed while the circle removed A", protocol.TLPGreen))
	motion := c.Revoke("A")
	if kind == "suspend" {
		motion = c.Suspend("A", "case 1")
	}
	must(c.Vote("B", motion))
	sync("C", "B")
	must(c.Vote("C", motion))
	sync("B", "C")
	must(c.Enact("B", motion))
	sync("B", "A")
	e := c.Actor("B").Engine
	if e.Live(cut.Hash()) {
		t.Fatalf("A's advisory concurrent with its %s counts", kind)
	}
	if e.AwaitsSettlement(cut.Hash()) {
		t.Errorf("a cut advisory waits to settle")
	}
	if !e.AwaitsSettlement(seen.Hash()) {
		t.Errorf("the advisory the voters saw does not wait to settle")
	}
	var ops []*protocol.Op
	for _, op := range c.Ops {
		if e.Has(op.Hash()) {
			ops = append(ops, op)
		}
	}
	res, err := refmodel.Eval(ops)
	if err != nil {
		t.Fatal(err)
	}
	if diff := engineStateDiff(e, ops, res); diff != "" {
		t.Fatalf("the Engine and the reference model differ:\n%s", diff)
	}
}

// mustOps returns a function that passes on an op, failing t if making
// it failed: must(c.Vote(...)).
func mustOps(t testing.TB) func(*protocol.Op, error) *protocol.Op {
	return func(op *protocol.Op, err error) *protocol.Op {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
}
