package node

import (
	"context"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// TestBatchVerdictsAgainstTheCommittedState submits, in one batch, an
// advisory by E and, after it, the revocation of E that was enacted
// without it in its past. Each op is judged in order, so the advisory is
// applied; whether it counts is asked of the State the batch commits, in
// which E's revocation makes it void: it is stored, counted void, and
// never accepted (so a push of the batch does not forward it).
func TestBatchVerdictsAgainstTheCommittedState(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	op := must(t)
	concurrent := op(c.Advise("E", "before the revocation reaches E", protocol.TLPGreen))
	for _, who := range []string{"A", "B", "C"} {
		op(c.Vote(who, c.Revoke("E")))
	}
	syncActor(t, c, "A", "B", "C")
	op(c.Enact("A", c.Revoke("E")))
	after := op(c.Advise("A", "after the revocation", protocol.TLPGreen))
	if c.Ops[1] != concurrent {
		t.Fatalf("the batch does not start with E's advisory")
	}

	n := startNode(t, c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vs, err := n.submit(ctx, c.Ops[1:])
	if err != nil {
		t.Fatal(err)
	}
	if vs[0] != ignore(ReasonVoid) {
		t.Errorf("E's concurrent advisory: %+v, want ignore/void", vs[0])
	}
	for i, v := range vs[1:] {
		if v != accept() {
			t.Errorf("%s: %+v, want accept", c.Ops[2+i], v)
		}
	}
	if ok, _ := n.store.Has(concurrent.Hash()); !ok {
		t.Error("the void advisory is not stored (ops citing it could not be applied)")
	}
	if ok, _ := n.store.Has(after.Hash()); !ok {
		t.Error("the batch's last op is not stored")
	}
	if got := n.Verdicts()["ignore/void"]; got != 1 {
		t.Errorf("ignore/void counted %d times, want 1", got)
	}
}
