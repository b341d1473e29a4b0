package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// A disavowal through the API: its preview before anyone votes, the vote
// with from, and the refusals of bad requests. In a circle of three, c′ is
// 3 and the target never votes on its own disavowal, so the preview says
// it cannot be enacted; once C has left (its Leave settled by the three),
// c′ is 2 and A's and B's votes enact it.
func TestDisavowPreviewAndVote(t *testing.T) {
	c, a, b, cn := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	target := c.Actor("C").Key.String()
	if _, err := cn.c.Publish(ctx, api.PublishRequest{Title: "signed by a thief", TLP: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A holds C's advisory", func() bool { return advisories(t, a) == 1 })
	p, err := a.c.PreviewDisavow(ctx, target, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Applies || p.Needed != 3 || !strings.Contains(p.Why, "needs 3 counting votes") || p.TargetOps != 1 || p.TargetCounting != 1 {
		t.Fatalf("preview in a circle of three: %+v", p)
	}
	var ae *api.APIError
	for path, code := range map[string]string{
		"/v1/disavowals/preview?key=" + target:                               api.CodeBadRequest,
		"/v1/disavowals/preview?key=" + target + "&from=0":                   api.CodeBadRequest,
		"/v1/disavowals/preview?key=zz&from=1":                               api.CodeBadKey,
		"/v1/disavowals/preview?key=" + strings.Repeat("ab", 32) + "&from=1": api.CodeUnknownMember,
	} {
		if status, body := raw(t, a, http.MethodGet, path, "", token); body.Code != code || status >= 500 {
			t.Errorf("GET %s: %d %+v, want code %s", path, status, body, code)
		}
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "disavow", Target: target}); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("a disavow vote without from: %v, want 400", err)
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "revoke", Target: target, From: 2}); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("a revoke vote with from: %v, want 400", err)
	}
	// C gives up its key; the three acknowledge the Leave so that it
	// settles and n is 2.
	if _, err := cn.c.Leave(ctx, "key stolen"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A and B see C's Leave", func() bool {
		return a.n.State().Key(c.Actor("C").Key).Status.String() == "left" && b.n.State().Key(c.Actor("C").Key).Status.String() == "left"
	})
	for _, d := range []*daemon{a, b, a} {
		if _, err := d.c.Acknowledge(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	eventually(t, "C's Leave settles on A", func() bool {
		p, err := a.c.PreviewDisavow(ctx, target, 1)
		return err == nil && p.Applies
	})
	p, err = a.c.PreviewDisavow(ctx, target, 1)
	if err != nil || p.Needed != 2 || len(p.Lapses) != 0 {
		t.Fatalf("preview once C left: %+v, %v", p, err)
	}
	op, err := a.c.Vote(ctx, api.VoteRequest{Motion: "disavow", Target: target, From: 1})
	if err != nil || op.MotionID != p.Motion {
		t.Fatalf("A's disavow vote: %+v, %v; want motion %s", op, err, p.Motion)
	}
	if _, err := b.c.Vote(ctx, api.VoteRequest{Motion: "disavow", Target: target, From: 1}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the disavowal enacted on A", func() bool {
		return advisories(t, a) == 0
	})
}

// advisories counts the live advisories d lists.
func advisories(t *testing.T, d *daemon) int {
	t.Helper()
	ads, err := d.c.Advisories(ctxFor(t, 10*time.Second), api.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ads)
}
