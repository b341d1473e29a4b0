package node

import (
	"context"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// Motions lists what can still be enacted, oldest first, with the count
// against today's threshold: a ripe suspension leaves the list once
// enacted, a revocation once its target left; the lift of the suspension,
// an endorsement and a charter motion stay.
func TestMotionsListsWhatCanStillBeEnacted(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	n := startNode(t, c, "A", nil) // no AutoEnact: a ripe motion stays open
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	submit := func(ops ...*protocol.Op) {
		t.Helper()
		vs, err := n.submit(ctx, ops)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			if v.Reason != ReasonAccepted {
				t.Fatalf("op %d: %v", i, v)
			}
		}
	}
	kinds := func() []string {
		t.Helper()
		_, ms, err := n.Motions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Motion.String())
		}
		return out
	}
	suspend := c.Suspend("D", "c1")
	endorse := must(t)(c.Endorse("B", "X", "met their CISO"))
	s1 := must(t)(c.Vote("B", suspend))
	s2 := must(t)(c.Vote("C", suspend))
	revoke := must(t)(c.Vote("B", c.Revoke("E")))
	v2 := protocol.DefaultCharter("test")
	v2.Version, v2.Admit = 2, 2
	charter := must(t)(c.Vote("C", protocol.Motion{Kind: protocol.MotionCharter, Charter: &v2}))
	submit(endorse, s1, s2, revoke, charter)

	st, ms, err := n.Motions(ctx)
	if err != nil || len(ms) != 4 {
		t.Fatalf("Motions = %v, %v; want 4", ms, err)
	}
	th := st.Thresholds()
	admit, susp, rev, ch := ms[0], ms[1], ms[2], ms[3]
	if admit.Motion.Kind != protocol.MotionAdmit || len(admit.Votes) != 1 || admit.Needed != th.Admit || admit.Ripe() ||
		!admit.Opened.Equal(time.UnixMilli(endorse.TS).UTC()) || !admit.Votes[0].AwaitsSettlement {
		t.Errorf("the endorsement: %+v", admit)
	}
	if susp.Motion.Kind != protocol.MotionSuspend || len(susp.Votes) != 2 || susp.Needed != 2 || !susp.Ripe() ||
		susp.Votes[0].Voter != c.Actor("B").Key || susp.Votes[1].Voter != c.Actor("C").Key || susp.Votes[0].AwaitsSettlement {
		t.Errorf("the suspension: %+v", susp)
	}
	if rev.Motion.Kind != protocol.MotionRevoke || len(rev.Votes) != 1 || rev.Needed != th.Revoke || rev.Ripe() {
		t.Errorf("the revocation: %+v", rev)
	}
	if ch.Motion.Kind != protocol.MotionCharter || len(ch.Votes) != 1 || ch.Needed != th.Change || ch.Settling {
		t.Errorf("the charter change: %+v", ch)
	}

	// B enacts the suspension; C votes to lift it; E leaves.
	syncActor(t, c, "B", "C")
	enact := must(t)(c.Enact("B", suspend))
	syncActor(t, c, "C", "B")
	lift := must(t)(c.Vote("C", c.Unsuspend("D", suspend)))
	leave := must(t)(c.Leave("E"))
	submit(enact, lift, leave)
	got := kinds()
	admitX, liftD := c.Admit("X"), c.Unsuspend("D", suspend)
	want := []string{admitX.String(), "charter v2", liftD.String()}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Motions after the enactment, the lift vote and the leave = %v, want %v", got, want)
	}
}
