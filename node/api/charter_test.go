package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestCharterChange proposes a charter on A through the API; B and C see
// the open motion with its votes as "n of c′" and vote for it, and the
// daemons enact it: every node then runs the new charter.
func TestCharterChange(t *testing.T) {
	c, a, b, cc := trio(t)
	ctx := ctxFor(t, 90*time.Second)
	v, err := b.c.Charter(ctx)
	if err != nil {
		t.Fatalf("Charter: %v", err)
	}
	// Three founders under k=3, s=2, r=3 and the default c (4).
	want := api.ThresholdsInfo{Members: 3, Admit: 3, Suspend: 2, Revoke: 2, Change: 3, Hostile: 2, Settle: 3, CanSuspend: true, CanRevoke: true}
	if v.Thresholds != want {
		t.Errorf("thresholds %+v, want %+v", v.Thresholds, want)
	}
	if v.Charter.Version != 1 || v.Charter.Name != "api test" || v.Charter.AckIntervalSeconds != protocol.DefaultAckInterval ||
		v.Epoch != c.Genesis.Hash().String() || v.EpochAuthor != c.Actor("A").Key.String() || v.InForceSince.IsZero() ||
		v.Charter.Requirements == nil || v.Charter.Topics == nil || len(v.Motions) != 0 {
		t.Errorf("charter view %+v", v)
	}
	if !containsPart(v.Limits, "a charter change needs all 3") || !containsPart(v.Limits, "revoke = 3 is more than the 2 other members") {
		t.Errorf("limits %q", v.Limits)
	}

	next := v.Charter
	next.Version = 0 // filled in
	next.Admit, next.AckIntervalSeconds = 2, 2*24*60*60
	next.Topics = []string{"ransomware"}
	var ae *api.APIError
	stale := next
	stale.Version = 7
	if _, err := a.c.ProposeCharter(ctx, stale); !errors.As(err, &ae) || ae.Status != 422 || ae.Code != "charter-version" {
		t.Errorf("proposing v7 after v1: %v, want 422 charter-version", err)
	}
	bad := next
	bad.Admit = 0
	if _, err := a.c.ProposeCharter(ctx, bad); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("proposing k = 0: %v, want 400", err)
	}
	bad = next
	bad.AckIntervalSeconds = 60
	if _, err := a.c.ProposeCharter(ctx, bad); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("proposing an ack interval of a minute: %v, want 400", err)
	}
	op, err := a.c.ProposeCharter(ctx, next)
	if err != nil {
		t.Fatalf("ProposeCharter: %v", err)
	}
	if op.Kind != "vote" || op.Motion != "charter v2" || len(op.MotionID) != 64 {
		t.Errorf("ProposeCharter returned %+v", op)
	}
	var m api.CharterMotion
	eventually(t, "B to list the open motion", func() bool {
		v, err = b.c.Charter(ctx)
		if err != nil || len(v.Motions) != 1 {
			return false
		}
		m = v.Motions[0]
		return true
	})
	if m.ID != op.MotionID || m.Votes != 1 || m.Needed != 3 || m.Voted || len(m.Voters) != 1 || m.Voters[0].Name != "Org A" ||
		m.Charter.Version != 2 || m.Charter.Admit != 2 || m.Charter.AckIntervalSeconds != 2*24*60*60 || !slices.Equal(m.Charter.Topics, []string{"ransomware"}) {
		t.Errorf("open motion on B: %+v", m)
	}
	if _, err := b.c.VoteCharter(ctx, "abc"); !errors.As(err, &ae) || ae.Status != 400 || ae.Code != api.CodeBadRequest {
		t.Errorf("voting for motion abc: %v, want 400 bad-request", err)
	}
	if _, err := b.c.VoteCharter(ctx, strings.Repeat("ab", 32)); !errors.As(err, &ae) || ae.Status != 404 || ae.Code != api.CodeUnknownMotion {
		t.Errorf("voting for an unknown motion: %v, want 404 unknown-motion", err)
	}
	if op, err := b.c.VoteCharter(ctx, strings.ToUpper(m.ID)); err != nil || op.MotionID != m.ID {
		t.Fatalf("B's VoteCharter: %+v, %v", op, err)
	}
	eventually(t, "C to count two votes", func() bool {
		v, err := cc.c.Charter(ctx)
		return err == nil && len(v.Motions) == 1 && v.Motions[0].Votes == 2
	})
	if _, err := cc.c.VoteCharter(ctx, m.ID); err != nil {
		t.Fatalf("C's VoteCharter: %v", err)
	}
	// Enacted, the change waits for the members' acknowledgements: version
	// 1 stays in force and the view names version 2 as pending.
	eventually(t, "the enacted change to show as pending", func() bool {
		v, err := a.c.Charter(ctx)
		return err == nil && v.Pending != nil && v.Pending.ID == m.ID && v.Pending.Charter.Version == 2 && v.Charter.Version == 1 && len(v.Motions) == 0
	})
	// The change takes effect once settled (docs/membership.md §4.7): the
	// members acknowledge what they hold until some op observes all three
	// acknowledgements of the enactment.
	settle(t, ctx, func() bool {
		v, err := a.c.Charter(ctx)
		return err == nil && v.Charter.Version == 2
	}, a, b, cc)
	for _, d := range []*daemon{a, b, cc} {
		eventually(t, "charter v2 in force on every node", func() bool {
			v, err := d.c.Charter(ctx)
			return err == nil && v.Charter.Version == 2
		})
		v, err := d.c.Charter(ctx)
		if err != nil || v.Charter.Admit != 2 || v.Thresholds.Admit != 2 || len(v.Motions) != 0 || v.Pending != nil || v.Epoch == c.Genesis.Hash().String() {
			t.Errorf("after the change: %+v, %v", v, err)
		}
		if st, err := d.c.Status(ctx); err != nil || st.Charter.Version != 2 || st.Charter.Admit != 2 || st.Charter.Change != 3 {
			t.Errorf("status after the change: %+v, %v", st.Charter, err)
		}
	}
	if _, err := a.c.VoteCharter(ctx, m.ID); !errors.As(err, &ae) || ae.Code != api.CodeUnknownMotion {
		t.Errorf("voting for the enacted motion: %v, want 404 unknown-motion", err)
	}
	if status, eb := raw(t, a, "GET", "/v1/charter", "", ""); status != http.StatusUnauthorized || eb.Code != api.CodeUnauthorized {
		t.Errorf("GET /v1/charter without a token: %d %q", status, eb.Code)
	}
	for _, tc := range []struct{ path, body string }{
		{"/v1/charter/proposals", `{"charter":{"name":"x","admit":1,"suspend":1,"revoke":1,"bogus":1}}`},
		{"/v1/charter/votes", `{"motion":"` + m.ID + `","extra":true}`},
	} {
		if status, eb := raw(t, a, "POST", tc.path, tc.body, token); status != 400 || eb.Code != api.CodeBadJSON {
			t.Errorf("POST %s with an unknown field: %d %q", tc.path, status, eb.Code)
		}
	}
}

// settle has the daemons acknowledge, in turn, what their nodes hold,
// until done holds: decisions settle once a quorum of members has
// acknowledged them and an op observes it.
func settle(t *testing.T, ctx context.Context, done func() bool, ds ...*daemon) {
	t.Helper()
	eventually(t, "the decision to settle", func() bool {
		for _, d := range ds {
			if _, err := d.c.Acknowledge(ctx); err != nil && !isNothingNew(err) {
				t.Fatalf("Acknowledge: %v", err)
			}
			time.Sleep(50 * time.Millisecond) // let the Ack reach the next daemon
		}
		return done()
	})
}

func isNothingNew(err error) bool {
	var ae *api.APIError
	return errors.As(err, &ae) && ae.Code == api.CodeNothingNew
}

// TestLimits checks what the charter view says a small circle cannot do.
func TestLimits(t *testing.T) {
	ch := protocol.DefaultCharter("x")
	for _, tc := range []struct {
		n    int
		c    protocol.Charter
		want []string
	}{
		{2, ch, []string{"with 2 members, neither can suspend or revoke the other", "admit = 3 is more than the 2 members", "a charter change needs all 2"}},
		{1, ch, []string{"with 1 member, nobody can suspend or revoke anyone"}},
		{7, ch, nil},
		{9, protocol.Charter{Admit: 3, Suspend: 1, Revoke: 1, Change: 2}, []string{"suspend = 1 is raised to 2", "revoke = 1 is raised to 2", "change = 2 is raised to 5, a majority of the 9 members"}},
	} {
		got := api.Limits(tc.c, trust.ThresholdsFor(&tc.c, tc.n))
		if len(tc.want) == 0 && len(got) != 0 {
			t.Errorf("n=%d: limits %q, want none", tc.n, got)
		}
		for _, w := range tc.want {
			if !containsPart(got, w) {
				t.Errorf("n=%d: limits %q lack %q", tc.n, got, w)
			}
		}
	}
}

func containsPart(ss []string, part string) bool {
	for _, s := range ss {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}
