package api_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestMotionsInProgress: a suspend vote on A shows on B as an open motion
// "1 of 2" with its voter, its opening and its effect, in GET /v1/motions,
// in C's member entry and in the metrics; once C is suspended and a revoke
// vote is open, C's needs describe the lift it needs and the open revoke,
// and the metrics follow.
func TestMotionsInProgress(t *testing.T) {
	c, a, b, _ := trio(t)
	ctx := ctxFor(t, 90*time.Second)
	cKey := c.Actor("C").Key
	aKey := c.Actor("A").Key
	if ms, err := b.c.Motions(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("Motions before any vote = %+v, %v", ms, err)
	}
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "green one", TLP: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "amber one", TLP: "AMBER"}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	vote, err := a.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: cKey.String()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: cKey.String()})
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != api.CodeVoted || !strings.Contains(ae.Message, vote.ID) {
		t.Errorf("A's second suspend vote: %v, want 409 %s naming vote %s", err, api.CodeVoted, vote.ID)
	}
	var ms []api.MotionInfo
	eventually(t, "B to see A's suspend vote", func() bool {
		ms, err = b.c.Motions(ctx)
		return err == nil && len(ms) == 1
	})
	m := ms[0]
	if m.Kind != "suspend" || m.Subject != cKey.String() || m.SubjectName != "Org C" || m.Votes != 1 || m.Needed != 2 ||
		m.State != api.MotionOpen || m.Voted || m.ID != vote.MotionID || m.Case == "" || m.OpenedAt.Before(before) {
		t.Errorf("B's open motion: %+v", m)
	}
	if len(m.Voters) != 1 || m.Voters[0].Key != aKey.String() || m.Voters[0].Name != "Org A" || m.Voters[0].Vote != vote.ID {
		t.Errorf("voters: %+v", m.Voters)
	}
	if !strings.Contains(m.Effect, "suspends Org C ("+cKey.Short()+") network-wide") || m.Next != "needs 1 more vote" {
		t.Errorf("effect %q, next %q", m.Effect, m.Next)
	}
	if ms, err := a.c.Motions(ctx); err != nil || len(ms) != 1 || !ms[0].Voted {
		t.Errorf("A's motions = %+v, %v; want its own vote marked", ms, err)
	}
	d, err := b.c.Member(ctx, cKey.String())
	if err != nil || len(d.Motions) != 1 || d.Motions[0].Votes != 1 || d.Motions[0].Needed != 2 || d.Needs != "" {
		t.Errorf("B's view of C: motions %+v, needs %q, %v", d.Motions, d.Needs, err)
	}
	body := scrape(t, b)
	for series, want := range map[string]float64{
		`kring_open_motions{kind="suspend",state="open"}`:                                  1,
		`kring_open_motions{kind="revoke",state="open"}`:                                   0,
		`kring_self_status{status="member"}`:                                               1,
		`kring_self_status{status="stranger"}`:                                             0,
		`kring_self_sharing`:                                                               1,
		`kring_self_suspended`:                                                             0,
		`kring_advisories{author="` + aKey.Short() + `",name="Org A",tlp="GREEN"}`:         1,
		`kring_advisories{author="` + aKey.Short() + `",name="Org A",tlp="AMBER"}`:         1,
		`kring_peer_last_sync_timestamp_seconds{name="Org A",peer="` + aKey.Short() + `"}`: -1,
	} {
		got := metric(t, body, series)
		if want == -1 {
			if got < float64(before.Unix()) {
				t.Errorf("%s = %v, want a time after %v", series, got, before)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	// B's vote suspends C; A's revoke vote then stands open.
	if _, err := b.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: cKey.String()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "C suspended on B", func() bool {
		d, err = b.c.Member(ctx, cKey.String())
		return err == nil && d.Suspended
	})
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "revoke", Target: cKey.String()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B to see A's revoke vote", func() bool {
		ms, err = b.c.Motions(ctx)
		return err == nil && len(ms) == 1 && ms[0].Kind == "revoke"
	})
	if ms[0].Votes != 1 || ms[0].Needed != 2 || !strings.Contains(ms[0].Effect, "revokes Org C") {
		t.Errorf("the open revoke: %+v", ms[0])
	}
	members, err := b.c.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, mi := range members {
		if mi.Key != cKey.String() {
			continue
		}
		want := "to rejoin, an unsuspend with 2 members' votes: none cast yet; a revoke motion against it has 1 of 2 votes"
		if mi.Needs != want || len(mi.Motions) != 1 || mi.Motions[0].Kind != "revoke" {
			t.Errorf("C in B's members: needs %q, motions %+v; want %q and the revoke", mi.Needs, mi.Motions, want)
		}
	}
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "green two", TLP: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B's metrics to follow", func() bool {
		body = scrape(t, b)
		return strings.Contains(body, `kring_advisories{author="`+aKey.Short()+`",name="Org A",tlp="GREEN"} 2`)
	})
	for series, want := range map[string]float64{
		`kring_open_motions{kind="suspend",state="open"}`:                          0,
		`kring_open_motions{kind="revoke",state="open"}`:                           1,
		`kring_advisories{author="` + aKey.Short() + `",name="Org A",tlp="AMBER"}`: 1,
	} {
		if got := metric(t, body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}
