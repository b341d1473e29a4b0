package trust_test

import (
	"errors"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// An Ack is admissible from a member, suspended or not, and refused from
// a revoked key and from a stranger; it changes no standing.
func TestAckAdmissibility(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("acks"), "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ *protocol.Op, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		c.SyncAll()
	}
	must(c.Do("A", &protocol.Ack{}))
	if st := c.Actor("B").Engine.State(); st.MemberCount() != 5 || !st.InSharingSet(c.Actor("A").Key) {
		t.Fatalf("after A's Ack: %d members, A sharing %v", st.MemberCount(), st.InSharingSet(c.Actor("A").Key))
	}

	suspend := c.Suspend("D", "case")
	must(c.Vote("A", suspend))
	must(c.Vote("B", suspend))
	must(c.Enact("C", suspend))
	if st := c.Actor("A").Engine.State(); st.InSharingSet(c.Actor("D").Key) {
		t.Fatal("D is still sharing after its suspension")
	}
	must(c.Do("D", &protocol.Ack{}))

	revoke := c.Revoke("E")
	for _, v := range []string{"A", "B", "C"} {
		must(c.Vote(v, revoke))
	}
	must(c.Enact("A", revoke))
	if _, err := c.Do("E", &protocol.Ack{}); !errors.Is(err, trust.ErrAuthorRemoved) {
		t.Fatalf("a revoked key's Ack: err = %v, want %v", err, trust.ErrAuthorRemoved)
	}

	stranger, err := trusttest.NewCircle(protocol.DefaultCharter("other"), "X", "Y", "Z")
	if err != nil {
		t.Fatal(err)
	}
	op := &protocol.Op{Group: c.Genesis.Hash(), Seq: 1, Epoch: c.Actor("A").Engine.Epoch(), Kind: protocol.KindAck, Preds: []protocol.Hash{c.Genesis.Hash()}}
	if err := protocol.Sign(op, &protocol.Ack{}, stranger.Actor("X").Priv); err != nil {
		t.Fatal(err)
	}
	if err := c.Actor("A").Engine.Apply(op); !errors.Is(err, trust.ErrNotMember) {
		t.Fatalf("a stranger's Ack: err = %v, want %v", err, trust.ErrNotMember)
	}
}
