package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

func TestSmokeAdmitRevoke(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("smoke"), "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ *protocol.Op, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Endorse("A", "X", "met"))
	c.SyncAll()
	must(c.Endorse("B", "X", "met"))
	c.SyncAll()
	c.Sync("X", "A")
	if st := c.Actor("X").Engine.State().Key(c.Actor("X").Key); st.Status != trust.StatusApplicant || st.Missing() != 1 {
		t.Fatalf("X: %v", st)
	}
	must(c.Endorse("C", "X", "met"))
	c.SyncAll()
	must(c.Enact("X", c.Admit("X")))
	c.SyncAll()
	for _, n := range c.Names() {
		if !c.Actor(n).Engine.State().IsMember(c.Actor("X").Key) {
			t.Fatalf("%s does not see X as member:\n%s", n, c.Actor(n).Engine.State())
		}
	}
	must(c.Advise("X", "hello", protocol.TLPGreen))
	// X's admission settles: a member endorses once its admission is
	// settled in its view (docs/membership.md §5).
	for _, n := range []string{"A", "B", "C", "D", "E"} {
		must(c.Do(n, &protocol.Ack{}))
	}
	c.SyncAll()
	must(c.Do("A", &protocol.Ack{}))
	c.SyncAll()
	// A revokes X with B and C, while X endorses Y concurrently.
	must(c.Vote("A", c.Revoke("X")))
	must(c.Endorse("X", "Y", "ok"))
	c.SyncAll("A", "B", "C", "D", "E")
	must(c.Vote("B", c.Revoke("X")))
	c.SyncAll("A", "B", "C", "D", "E")
	must(c.Vote("C", c.Revoke("X")))
	c.SyncAll("A", "B", "C", "D", "E")
	must(c.Enact("D", c.Revoke("X")))
	errs := c.SyncAll()
	t.Logf("sync errs: %v", errs)
	for _, n := range c.Names() {
		st := c.Actor(n).Engine.State()
		t.Logf("%s:\n%s", n, st)
	}
	for _, ev := range c.Actor("A").Engine.Explain(c.Actor("Y").Key) {
		t.Log(ev)
	}
	for _, ev := range c.Actor("A").Engine.Explain(c.Actor("X").Key) {
		t.Log(ev)
	}
}
