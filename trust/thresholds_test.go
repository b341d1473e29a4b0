package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/refmodel"
)

// TestThresholdsSmallCircles pins what circles of one to five, seven and
// fifty members can do under the default charter (k=3, s=2, r=3, c left
// out), as docs/membership.md §2 states it.
func TestThresholdsSmallCircles(t *testing.T) {
	ch := protocol.DefaultCharter("small")
	for _, tc := range []struct {
		n                                 int
		admit, suspend, revoke, change, q int
		canSuspend, canRevoke             bool
	}{
		// A State without members, which validation can compute for a
		// closure whose real State has some (review round 30), admits no
		// one and settles nothing: k′ and q keep a floor of 1.
		{0, 1, 2, 2, 0, 1, false, false},
		{1, 1, 2, 2, 1, 1, false, false},
		{2, 2, 2, 2, 2, 2, false, false},
		{3, 3, 2, 2, 3, 3, true, true},
		{4, 3, 2, 3, 4, 3, true, true},
		{5, 3, 2, 3, 4, 4, true, true},
		{7, 3, 2, 3, 5, 5, true, true},
		{50, 3, 2, 3, 34, 26, true, true},
	} {
		got := trust.ThresholdsFor(&ch, tc.n)
		want := trust.Thresholds{N: tc.n, Admit: tc.admit, Suspend: tc.suspend, Revoke: tc.revoke, Change: tc.change,
			Hostile: max(1, min(tc.admit, tc.suspend, tc.revoke, (tc.n+1)/2)), Settle: tc.q}
		if got != want {
			t.Errorf("n=%d: got %v, want %v", tc.n, got, want)
		}
		if got.CanSuspend() != tc.canSuspend || got.CanRevoke() != tc.canRevoke {
			t.Errorf("n=%d: can suspend %v, revoke %v; want %v, %v", tc.n, got.CanSuspend(), got.CanRevoke(), tc.canSuspend, tc.canRevoke)
		}
	}
}

// TestThresholdsMatchReference checks the engine's thresholds against the
// reference model's own, for every circle size up to 80 and a range of
// charters.
func TestThresholdsMatchReference(t *testing.T) {
	for k := uint32(1); k <= 6; k++ {
		for s := uint32(1); s <= 5; s++ {
			for r := uint32(1); r <= 6; r++ {
				for _, c := range []uint32{0, 1, 3, 10} {
					ch := protocol.Charter{Name: "x", Version: 1, Admit: k, Suspend: s, Revoke: r, Change: c}
					for n := 0; n <= 80; n++ {
						got := trust.ThresholdsFor(&ch, n)
						want := refmodel.Thresholds(ch, n)
						if [5]int{got.Admit, got.Suspend, got.Revoke, got.Change, got.Settle} != want {
							t.Fatalf("k=%d s=%d r=%d c=%d n=%d: engine %v, reference %v", k, s, r, c, n, got, want)
						}
					}
				}
			}
		}
	}
}

// With k, s and r at least half the circle, f is large and the settle
// quorum is at least 2f-1, so that a quorum with fewer than f discounted
// keys still holds f anchored ones (review round 12): five members with
// k=s=r=3 have f=3 and q=5, not ceil((5+3)/2) = 4.
func TestThresholdsSettleQuorumHoldsFAnchored(t *testing.T) {
	ch := protocol.DefaultCharter("strict")
	ch.Admit, ch.Suspend, ch.Revoke = 3, 3, 3
	got := trust.ThresholdsFor(&ch, 5)
	if got.Hostile != 3 || got.Settle != 5 {
		t.Fatalf("n=5 k=s=r=3: f=%d q=%d, want f=3 q=5", got.Hostile, got.Settle)
	}
	if want := refmodel.Thresholds(ch, 5); want[4] != got.Settle {
		t.Fatalf("the reference model's q = %d, the engine's %d", want[4], got.Settle)
	}
}
