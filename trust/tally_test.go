package trust_test

import (
	"slices"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// A member that endorses an application twice counts once: the tally
// cites one vote per voter, so an applicant that enacts its admission
// with the tally's votes, as a node does, cites no voter twice and is
// admitted; the key's count and Explain agree with the tally.
func TestTallyCitesEachVoterOnce(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.Charter{Name: "t", Version: 1, Admit: 2, Suspend: 2, Revoke: 2}, "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	must := mustOps(t)
	a1 := must(c.Endorse("A", "X", "met their CISO"))
	a2 := must(c.Endorse("A", "X", "met their CISO again"))
	b := must(c.Endorse("B", "X", "checked references"))
	for h, err := range c.SyncAll() {
		t.Fatalf("sync: %s: %v", h.Short(), err)
	}
	m := c.Admit("X")
	st := c.Actor("X").Engine.State()
	tally, ok := st.Tally(m.Hash())
	if !ok {
		t.Fatal("no tally of X's admission")
	}
	first := a1.Hash()
	if a2.Hash().Less(first) {
		first = a2.Hash()
	}
	want := protocol.SortPreds([]protocol.Hash{first, b.Hash()})
	if !slices.Equal(tally.Votes, want) {
		t.Errorf("tally votes = %v, want A's first by hash and B's: %v", tally.Votes, want)
	}
	if len(tally.Voters) != 2 {
		t.Errorf("tally voters = %d, want 2", len(tally.Voters))
	}
	if ks := st.Key(c.Actor("X").Key); ks.Endorsements != 2 || ks.Missing() != 0 {
		t.Errorf("X: %s, want 2 endorsements and none missing", ks)
	}
	counting := 0
	for _, ev := range c.Actor("A").Engine.Explain(c.Actor("X").Key) {
		if ev.Counts {
			counting++
		}
	}
	if counting != 2 {
		t.Errorf("Explain marks %d endorsements as counting, want 2", counting)
	}
	must(c.Do("X", &protocol.Enact{Motion: m, Votes: tally.Votes}))
	if ks := c.Actor("X").Engine.State().Key(c.Actor("X").Key); ks.Status != trust.StatusMember {
		t.Errorf("X after enacting with the tally's votes: %s, want member", ks)
	}
}
