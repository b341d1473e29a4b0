package trust_test

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// Admissible, called directly against a State, refuses what the Engine
// refuses before it asks: a second genesis, an op of another circle, and
// an op whose body this version does not judge. Each check is its own:
// the Engine's earlier checks do not stand in for them here.
func TestAdmissibleRefusesForeignOps(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("admissible"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do("A", &protocol.Advisory{Title: "first", TLP: protocol.TLPClear}); err != nil {
		t.Fatal(err)
	}
	st := c.Actor("A").Engine.State()
	if err := trust.Admissible(c.Genesis, st, nil); !errors.Is(err, trust.ErrGenesis) {
		t.Errorf("the genesis: err = %v, want %v", err, trust.ErrGenesis)
	}

	other, err := trusttest.NewCircle(protocol.DefaultCharter("other"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Do("A", &protocol.Advisory{Title: "elsewhere", TLP: protocol.TLPClear})
	if err != nil {
		t.Fatal(err)
	}
	if err := trust.Admissible(foreign, st, nil); !errors.Is(err, trust.ErrWrongGroup) {
		t.Errorf("an op of another circle: err = %v, want %v", err, trust.ErrWrongGroup)
	}

	bodiless := &protocol.Op{Group: c.Genesis.Hash(), Epoch: st.Epoch, Author: c.Actor("A").Key, Seq: 3, Kind: 99}
	if err := trust.Admissible(bodiless, st, nil); !errors.Is(err, trust.ErrUnknownBody) {
		t.Errorf("an op without a known body: err = %v, want %v", err, trust.ErrUnknownBody)
	}
}

// votePast answers Admissible's questions about the votes among ops.
type votePast map[protocol.Hash]*protocol.Op

func (p votePast) Vote(h protocol.Hash) (protocol.Key, protocol.Hash, bool) {
	op, ok := p[h]
	if !ok {
		return protocol.Key{}, protocol.Hash{}, false
	}
	v, ok := op.Content().(*protocol.Vote)
	if !ok {
		return protocol.Key{}, protocol.Hash{}, false
	}
	return op.Author, v.Motion.Hash(), true
}

// Admissible, called directly against a State, counts an endorsement that
// the State holds void as no vote: X's Admit citing A's and B's
// endorsements and C's, signed concurrently with C's revocation, has two
// counting votes of the three it needs.
func TestAdmissibleCountsOnlyLiveEndorsements(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("admissible"), "A", "B", "C", "D", "E", "F")
	if err != nil {
		t.Fatal(err)
	}
	must := mustOps(t)
	a := must(c.Endorse("A", "X", "met"))
	b := must(c.Endorse("B", "X", "met"))
	revoke := c.Revoke("C")
	for _, v := range []string{"A", "B", "D"} {
		must(c.Vote(v, revoke))
		c.SyncAll("A", "B", "D")
	}
	must(c.Enact("A", revoke))
	cv := must(c.Endorse("C", "X", "met"))
	c.SyncAll("A", "B", "C", "D")
	st := c.Actor("A").Engine.State()
	if st.Key(c.Actor("C").Key).Status != trust.StatusRevoked || st.IsLiveGrant(cv.Hash()) || !st.IsLiveGrant(a.Hash()) {
		t.Fatalf("C %s, C's endorsement live %v, A's %v", st.Key(c.Actor("C").Key).Status, st.IsLiveGrant(cv.Hash()), st.IsLiveGrant(a.Hash()))
	}
	past := votePast{a.Hash(): a, b.Hash(): b, cv.Hash(): cv}
	enact := &protocol.Op{Group: c.Genesis.Hash(), Epoch: st.Epoch, Author: c.Actor("X").Key, Seq: 1, Kind: protocol.KindEnact,
		Preds: protocol.SortPreds([]protocol.Hash{a.Hash(), b.Hash(), cv.Hash()})}
	if err := protocol.Sign(enact, &protocol.Enact{Motion: c.Admit("X"), Votes: protocol.SortPreds([]protocol.Hash{a.Hash(), b.Hash(), cv.Hash()})}, c.Actor("X").Priv); err != nil {
		t.Fatal(err)
	}
	if err := trust.Admissible(enact, st, past); !errors.Is(err, trust.ErrTooFewVotes) {
		t.Errorf("an Admit citing a void endorsement: err = %v, want %v", err, trust.ErrTooFewVotes)
	}
}

// An endorsement of an application signed for another circle is refused:
// the candidate asked to join that circle, not this one.
func TestEndorsementOfForeignApplicationRefused(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("admissible"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	other, err := trusttest.NewCircle(protocol.DefaultCharter("other"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	vote := &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionAdmit, Application: other.Application("X")}, Evidence: sha256.Sum256([]byte("met"))}
	if _, err := c.Do("A", vote); !errors.Is(err, trust.ErrCandidate) {
		t.Errorf("an endorsement of an application to another circle: err = %v, want %v", err, trust.ErrCandidate)
	}
	vote = &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionAdmit, Application: c.Application("X")}, Evidence: sha256.Sum256([]byte("met"))}
	if _, err := c.Do("A", vote); err != nil {
		t.Errorf("the same candidate's application to this circle: %v", err)
	}
}

// An Unsuspend of F that names D's standing suspension is refused: a lift
// lifts only suspensions of its own target.
func TestLiftOfAnotherTargetsSuspensionRefused(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("admissible"), "A", "B", "C", "D", "F")
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
	suspendD := c.Suspend("D", "case")
	must(c.Vote("A", suspendD))
	must(c.Vote("B", suspendD))
	must(c.Enact("A", suspendD))
	if _, err := c.Vote("C", c.Unsuspend("F", suspendD)); !errors.Is(err, trust.ErrNotSuspended) {
		t.Errorf("a lift of F naming D's suspension: err = %v, want %v", err, trust.ErrNotSuspended)
	}
	if _, err := c.Vote("C", c.Unsuspend("D", suspendD)); err != nil {
		t.Errorf("the lift of D's suspension: %v", err)
	}
}
