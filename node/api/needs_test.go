package api

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// TestNeedsOfASuspendedMember: a suspended member needs an unsuspend with
// r′ votes (the floored threshold, not the charter's r); the needs say how
// many an open unsuspend has, and name an open revoke, instead of reading
// as if an unsuspend were enacted.
func TestNeedsOfASuspendedMember(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("needs"), "A", "B", "C") // r = 3, r′ = 2
	if err != nil {
		t.Fatal(err)
	}
	m := c.Suspend("C", "leak")
	for _, voter := range []string{"A", "B"} {
		if _, err := c.Vote(voter, m); err != nil {
			t.Fatal(err)
		}
	}
	if errs := c.SyncAll("A", "B"); len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := c.Enact("A", m); err != nil {
		t.Fatal(err)
	}
	st := c.Actor("A").Engine.State()
	ks := st.Key(c.Actor("C").Key)
	if !ks.Suspended {
		t.Fatalf("C is not suspended: %s", ks)
	}
	unsuspend := MotionInfo{Kind: "unsuspend", Votes: 1, Needed: 2}
	revoke := MotionInfo{Kind: "revoke", Votes: 1, Needed: 2}
	for _, tc := range []struct {
		open []MotionInfo
		want string
	}{
		{nil, "to rejoin, an unsuspend with 2 members' votes: none cast yet"},
		{[]MotionInfo{unsuspend}, "to rejoin, an unsuspend with 2 members' votes: 1 of 2 cast"},
		{[]MotionInfo{revoke}, "to rejoin, an unsuspend with 2 members' votes: none cast yet; a revoke motion against it has 1 of 2 votes"},
		{[]MotionInfo{revoke, unsuspend}, "to rejoin, an unsuspend with 2 members' votes: 1 of 2 cast; a revoke motion against it has 1 of 2 votes"},
	} {
		if got := needs(st, ks, tc.open); got != tc.want {
			t.Errorf("needs with %d open motions = %q, want %q", len(tc.open), got, tc.want)
		}
	}
}
