package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestEndorse endorses applicant D on A: a forged or foreign application
// is refused before anything is signed, a genuine one becomes a vote that
// B counts.
func TestEndorse(t *testing.T) {
	c, a, b, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	evidence := sha256.Sum256([]byte("we met D's CISO"))
	ev := hex.EncodeToString(evidence[:])
	app := c.Application("D").Bytes()
	forged := append([]byte(nil), app...)
	forged[len(forged)-1] ^= 1 // the signature is the last field
	foreign := newCircle(t, "P", "Q", "R").Application("D").Bytes()

	for _, tc := range []struct {
		name   string
		app    []byte
		status int
		code   string
	}{
		{"forged", forged, 400, api.CodeBadSignature},
		{"another circle's", foreign, 400, api.CodeWrongGroup},
		{"truncated", app[:len(app)/2], 400, api.CodeBadRequest},
		{"empty", nil, 400, api.CodeBadRequest},
	} {
		_, err := a.c.Endorse(ctx, api.EndorseRequest{Application: tc.app, Evidence: ev})
		var ae *api.APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code {
			t.Errorf("endorsing a %s application: %v, want %d %s", tc.name, err, tc.status, tc.code)
		}
	}
	op, err := a.c.Endorse(ctx, api.EndorseRequest{Application: app, Evidence: ev})
	if err != nil {
		t.Fatalf("Endorse: %v", err)
	}
	if op.Kind != "vote" || op.MotionID == "" || !strings.Contains(op.Motion, "admit") {
		t.Errorf("Endorse returned %+v", op)
	}
	key := c.Actor("D").Key.String()
	var d api.MemberDetail
	eventually(t, "B to count the endorsement", func() bool {
		d, err = b.c.Member(ctx, key)
		return err == nil && d.Endorsements == 1
	})
	if d.Status != "applicant" || d.Needed != 3 || d.Missing != 2 || !strings.Contains(d.Needs, "2 more") || d.Name != "Org D" || len(d.Events) == 0 {
		t.Errorf("B's view of D: %+v", d)
	}
	members, err := b.c.Members(ctx)
	if err != nil || len(members) != 4 {
		t.Errorf("Members = %d, %v; want 3 founders and the applicant", len(members), err)
	}

	// A second endorsement by A is refused, naming the first; it would
	// count once.
	_, err = a.c.Endorse(ctx, api.EndorseRequest{Application: app, Evidence: ev})
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != api.CodeEndorsed || !strings.Contains(ae.Message, op.ID) {
		t.Errorf("endorsing D a second time: %v, want 409 %s naming vote %s", err, api.CodeEndorsed, op.ID)
	}
}

// TestVotes votes on motions against C through the API.
func TestVotes(t *testing.T) {
	c, a, _, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	target := c.Actor("C").Key.String()
	op, err := a.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: target})
	if err != nil {
		t.Fatalf("Vote(suspend): %v", err)
	}
	if op.Kind != "vote" || !strings.Contains(op.Motion, "suspend") {
		t.Errorf("Vote returned %+v", op)
	}
	_, err = a.c.Vote(ctx, api.VoteRequest{Motion: "unsuspend", Target: target})
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusConflict || ae.Code != api.CodeNotSuspended {
		t.Errorf("Vote(unsuspend) of an unsuspended member: %v, want 409 not-suspended", err)
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "revoke", Target: target, Case: "ab"}); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("Vote(revoke) with a case: %v, want 400", err)
	}
	if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "revoke", Target: target}); err != nil {
		t.Errorf("Vote(revoke): %v", err)
	}
}

// TestBlockRoundTrip blocks C on A, sees it listed and in force, and
// lifts it.
func TestBlockRoundTrip(t *testing.T) {
	c, a, _, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	key := c.Actor("C").Key.String()
	if err := a.c.Block(ctx, key, "leaked a RED advisory"); err != nil {
		t.Fatalf("Block: %v", err)
	}
	bs, err := a.c.Blocks(ctx)
	if err != nil || len(bs) != 1 || bs[0].Key != key || bs[0].Reason != "leaked a RED advisory" || bs[0].Name != "Org C" || bs[0].Since.IsZero() {
		t.Fatalf("Blocks = %+v, %v", bs, err)
	}
	if m, err := a.c.Member(ctx, key); err != nil || !m.Blocked || m.Connected {
		t.Errorf("Member(C) while blocked: blocked %v, connected %v, %v", m.Blocked, m.Connected, err)
	}
	if err := a.c.Unblock(ctx, key); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if bs, err := a.c.Blocks(ctx); err != nil || len(bs) != 0 {
		t.Errorf("Blocks after Unblock = %+v, %v", bs, err)
	}
	var ae *api.APIError
	if err := a.c.Unblock(ctx, key); !errors.As(err, &ae) || ae.Status != 404 || ae.Code != api.CodeNotBlocked {
		t.Errorf("second Unblock: %v, want 404 not-blocked", err)
	}
}

// TestNotSharing checks the 409s of a node whose organisation is not in
// the sharing set: a stranger's, and a member's after it left.
func TestNotSharing(t *testing.T) {
	c, a, _, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	d := start(t, c, "D", a)
	var ae *api.APIError
	if _, err := d.c.Publish(ctx, api.PublishRequest{Title: "x", TLP: "GREEN"}); !errors.As(err, &ae) || ae.Status != 409 || ae.Code != api.CodeNotSharing {
		t.Errorf("a stranger's Publish: %v, want 409 not-sharing", err)
	}
	if st, err := d.c.Status(ctx); err != nil || st.Status != "stranger" || st.Sharing || st.Ready || st.NotReady == "" {
		t.Errorf("a stranger's Status = %+v, %v", st, err)
	}
	op, err := a.c.Leave(ctx, "merging with another team")
	if err != nil || op.Kind != "leave" {
		t.Fatalf("Leave = %+v, %v", op, err)
	}
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "x", TLP: "GREEN"}); !errors.As(err, &ae) || ae.Code != api.CodeNotSharing {
		t.Errorf("Publish after leaving: %v, want 409 not-sharing", err)
	}
	if st, err := a.c.Status(ctx); err != nil || st.Status != "left" {
		t.Errorf("Status after leaving = %q, %v", st.Status, err)
	}
	if _, err := d.c.Acknowledge(ctx); !errors.As(err, &ae) || ae.Status != 409 || ae.Code != api.CodeNotMember {
		t.Errorf("a stranger's Acknowledge: %v, want 409 not-a-member", err)
	}
}

// TestAcknowledge: a member's node signs an acknowledgement on request,
// citing what it holds, and refuses a second one with nothing new.
func TestAcknowledge(t *testing.T) {
	_, a, b, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	adv, err := a.c.Publish(ctx, api.PublishRequest{Title: "to acknowledge", TLP: "GREEN"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, "B to store the advisory", func() bool {
		_, err := b.c.Advisory(ctx, adv.ID)
		return err == nil
	})
	op, err := b.c.Acknowledge(ctx)
	if err != nil || op.Kind != "ack" {
		t.Fatalf("Acknowledge = %+v, %v; want an ack", op, err)
	}
	var ae *api.APIError
	if _, err := b.c.Acknowledge(ctx); !errors.As(err, &ae) || ae.Status != 409 || ae.Code != api.CodeNothingNew {
		t.Errorf("a second Acknowledge: %v, want 409 nothing-to-acknowledge", err)
	}
}

// TestMetrics scrapes B after A published: the verdict, member, peer and
// delay series are there with the right values.
func TestMetrics(t *testing.T) {
	_, a, b, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	op, err := a.c.Publish(ctx, api.PublishRequest{Title: "measured", TLP: "GREEN"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	eventually(t, "B to store the advisory", func() bool {
		_, err := b.c.Advisory(ctx, op.ID)
		return err == nil
	})
	body := scrape(t, b)
	for _, want := range []string{
		`kring_members{status="member"} 3`,
		`kring_members{status="revoked"} 0`,
		`kring_sharing_set_members 3`,
		`kring_sync_backlog_ops `,
		`kring_pending_ops 0`,
		`kring_disk_low 0`,
		`kring_disk_free_bytes `,
		`kring_info{group="` + b.n.Group().String(),
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("B's metrics lack %q", want)
		}
	}
	if n := metric(t, body, `kring_ops_total{reason="accepted",result="accept"}`); n < 1 {
		t.Errorf("B counted %v accepted ops, want at least 1", n)
	}
	if n := metric(t, body, `kring_ready`); n != 1 {
		t.Errorf("B's kring_ready = %v, want 1 (synced, it may publish)", n)
	}
	if n := metric(t, body, `kring_forks_seen`); n != 0 {
		t.Errorf("B's kring_forks_seen = %v, want 0", n)
	}
	if n, want := metric(t, body, `kring_disk_min_free_bytes`), float64(b.n.Disk().Watermark); n != want || n == 0 {
		t.Errorf("B's kring_disk_min_free_bytes = %v, want the watermark %v", n, want)
	}
	if n := metric(t, body, `kring_publish_to_store_seconds_count`); n < 1 {
		t.Errorf("B observed %v publish-to-store delays, want at least 1", n)
	}
	if n := metric(t, body, `kring_peers{standing="sharing"}`); n < 1 {
		t.Errorf("B has %v sharing peers, want at least 1", n)
	}
	if n := metric(t, scrape(t, a), `kring_ops_total{reason="published",result="accept"}`); n != 1 {
		t.Errorf("A counted %v own ops, want 1", n)
	}
}

// scrape returns d's /metrics.
func scrape(t *testing.T, d *daemon) string {
	t.Helper()
	req, _ := http.NewRequest("GET", d.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// metric returns the value of the series named exactly series.
func metric(t *testing.T, body, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Errorf("no series %s", series)
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Errorf("series %s: %v", series, err)
	}
	return v
}
