package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// TestPublishListShow publishes on A through the API and reads the
// advisory on B: listed in stored order with its TLP label and content,
// shown by ID, and paged with both kinds of cursor.
func TestPublishListShow(t *testing.T) {
	_, a, b, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	content := json.RawMessage(`{"cve":"CVE-2026-0001","cvss":9.8}`)
	op, err := a.c.Publish(ctx, api.PublishRequest{Title: "Exploited VPN bug", Summary: "patch now", TLP: "tlp:amber+strict", Content: content})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if op.Kind != "advisory" || op.Author != a.n.Key().String() || op.ID == "" {
		t.Errorf("Publish returned %+v", op)
	}
	second, err := a.c.Publish(ctx, api.PublishRequest{Title: "Second", TLP: "CLEAR"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}

	var list []api.AdvisoryInfo
	eventually(t, "B to list both advisories", func() bool {
		list, err = b.c.Advisories(ctx, api.ListOptions{})
		return err == nil && len(list) == 2
	})
	got := list[0]
	if got.ID != op.ID || got.Title != "Exploited VPN bug" || got.Summary != "patch now" || got.TLP != "AMBER+STRICT" ||
		got.Author != a.n.Key().String() || got.AuthorName != "Org A" || got.Seq != op.Seq {
		t.Errorf("B lists %+v", got)
	}
	var doc map[string]any
	if err := json.Unmarshal(got.Content, &doc); err != nil || doc["cve"] != "CVE-2026-0001" {
		t.Errorf("content = %s (%v), want the published document", got.Content, err)
	}
	if list[1].ID != second.ID || list[1].TLP != "CLEAR" || list[1].Content != nil || list[0].Position >= list[1].Position {
		t.Errorf("second advisory listed as %+v", list[1])
	}
	shown, err := b.c.Advisory(ctx, op.ID)
	if err != nil || shown.ID != op.ID || shown.TLP != "AMBER+STRICT" || shown.Position != got.Position {
		t.Errorf("B shows %+v, %v", shown, err)
	}
	for _, after := range []string{op.ID, strconv.FormatUint(got.Position, 10)} {
		page, err := b.c.Advisories(ctx, api.ListOptions{After: after, Limit: 5})
		if err != nil || len(page) != 1 || page[0].ID != second.ID {
			t.Errorf("Advisories(after %s) = %v, %v; want the second only", after, page, err)
		}
	}
	if page, err := b.c.Advisories(ctx, api.ListOptions{Limit: 1}); err != nil || len(page) != 1 || page[0].ID != op.ID {
		t.Errorf("Advisories(limit 1) = %v, %v; want the first", page, err)
	}
	_, err = b.c.Advisory(ctx, "00"+op.ID[2:])
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != api.CodeNoAdvisory {
		t.Errorf("Advisory(unknown) = %v, want a 404 APIError", err)
	}
}

// TestPublishRedRefused: POST /v1/advisories refuses a TLP:RED advisory
// with 422 plaintext-red, saying why and what to do, and stores nothing;
// with "plaintext_red": true it publishes it, and the field changes
// nothing for other labels.
func TestPublishRedRefused(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	ctx := ctxFor(t, 60*time.Second)
	before, err := a.n.StoredOps()
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"title":"x","tlp":"RED"}`, `{"title":"x","tlp":"tlp:red","plaintext_red":false}`} {
		status, eb := raw(t, a, "POST", "/v1/advisories", body, token)
		if status != 422 || eb.Code != api.CodePlaintextRed {
			t.Errorf("POST %s: %d %q, want 422 %q", body, status, eb.Code, api.CodePlaintextRed)
		}
		for _, want := range []string{"every future member in plaintext", "named recipients", "AMBER+STRICT", "out of band", `"plaintext_red": true`} {
			if !strings.Contains(eb.Error, want) {
				t.Errorf("POST %s: the error %q does not say %q", body, eb.Error, want)
			}
		}
	}
	_, err = a.c.Publish(ctx, api.PublishRequest{Title: "x", TLP: "RED"})
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != 422 || ae.Code != api.CodePlaintextRed {
		t.Fatalf("Client.Publish(RED) = %v, want a 422 %s APIError", err, api.CodePlaintextRed)
	}
	if after, err := a.n.StoredOps(); err != nil || after != before {
		t.Fatalf("after refused RED advisories the store holds %d ops (%v), want %d", after, err, before)
	}
	if list, err := a.c.Advisories(ctx, api.ListOptions{}); err != nil || len(list) != 0 {
		t.Fatalf("after refused RED advisories the list is %v, %v", list, err)
	}

	op, err := a.c.Publish(ctx, api.PublishRequest{Title: "acknowledged", TLP: "RED", PlaintextRed: true})
	if err != nil {
		t.Fatalf("Publish(RED, plaintext_red) = %v", err)
	}
	green, err := a.c.Publish(ctx, api.PublishRequest{Title: "green", TLP: "GREEN", PlaintextRed: true})
	if err != nil {
		t.Fatalf("Publish(GREEN, plaintext_red) = %v", err)
	}
	list, err := a.c.Advisories(ctx, api.ListOptions{})
	if err != nil || len(list) != 2 || list[0].ID != op.ID || list[0].TLP != "RED" || list[1].ID != green.ID {
		t.Fatalf("listed %+v, %v; want the acknowledged RED advisory, then the GREEN one", list, err)
	}
}

// TestFollow follows B's advisories from the start: it gets the one
// stored before it started, then one A publishes while it runs, and ends
// with its context.
func TestFollow(t *testing.T) {
	_, a, b, _ := trio(t)
	ctx := ctxFor(t, 60*time.Second)
	first, err := a.c.Publish(ctx, api.PublishRequest{Title: "before", TLP: "GREEN"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	fctx, stop := context.WithCancel(ctx)
	got := make(chan api.AdvisoryInfo, 10)
	done := make(chan error, 1)
	go func() {
		done <- b.c.Follow(fctx, "", func(ai api.AdvisoryInfo) error { got <- ai; return nil })
	}()
	next := func(what string) api.AdvisoryInfo {
		t.Helper()
		select {
		case ai := <-got:
			return ai
		case err := <-done:
			t.Fatalf("Follow ended waiting for %s: %v", what, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("Follow sent no %s", what)
		}
		return api.AdvisoryInfo{}
	}
	if ai := next("first advisory"); ai.ID != first.ID || ai.TLP != "GREEN" {
		t.Errorf("first event: %+v", ai)
	}
	second, err := a.c.Publish(ctx, api.PublishRequest{Title: "while following", TLP: "RED", PlaintextRed: true})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if ai := next("new advisory"); ai.ID != second.ID || ai.TLP != "RED" || ai.Title != "while following" {
		t.Errorf("second event: %+v", ai)
	}
	stop()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not end with its context")
	}

	// fn's error ends Follow; a cursor skips what came before.
	stopErr := errors.New("enough")
	var seen []string
	err = b.c.Follow(ctx, first.ID, func(ai api.AdvisoryInfo) error { seen = append(seen, ai.ID); return stopErr })
	if !errors.Is(err, stopErr) || len(seen) != 1 || seen[0] != second.ID {
		t.Errorf("Follow(after first) = %v, saw %v; want the second, then fn's error", err, seen)
	}
}

// TestListNewest pages through one node's advisories newest first with
// before=, and oldest first with after=, between both cursors, with the
// default windows of the backward scan and with the narrowest ones.
func TestListNewest(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	ctx := ctxFor(t, 60*time.Second)
	var ids []string
	for i := range 7 {
		op, err := a.c.Publish(ctx, api.PublishRequest{Title: fmt.Sprint("advisory ", i), TLP: "GREEN"})
		if err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
		ids = append(ids, op.ID)
		if i == 2 { // an op that is no advisory: a gap in the positions
			if _, err := a.c.Vote(ctx, api.VoteRequest{Motion: "suspend", Target: protocol.KeyOf(trusttest.KeyFor("B")).String()}); err != nil {
				t.Fatalf("Vote: %v", err)
			}
		}
	}
	pos := map[string]string{}
	all, err := a.c.Advisories(ctx, api.ListOptions{})
	if err != nil || len(all) != 7 {
		t.Fatalf("Advisories = %d, %v", len(all), err)
	}
	for _, ad := range all {
		pos[ad.ID] = strconv.FormatUint(ad.Position, 10)
	}
	want := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, ids[i])
		}
		return out
	}
	cases := []struct {
		opts api.ListOptions
		want []string
	}{
		{api.ListOptions{Order: api.OrderNewest, Limit: 3}, want(6, 5, 4)},
		{api.ListOptions{Order: api.OrderNewest, Limit: 3, Before: pos[ids[4]]}, want(3, 2, 1)},
		{api.ListOptions{Order: api.OrderNewest, Limit: 3, Before: ids[1]}, want(0)},
		{api.ListOptions{Order: api.OrderNewest, Before: ids[0]}, nil},
		{api.ListOptions{Order: api.OrderNewest}, want(6, 5, 4, 3, 2, 1, 0)},
		{api.ListOptions{Order: api.OrderNewest, After: ids[1], Before: ids[5]}, want(4, 3, 2)},
		{api.ListOptions{Order: api.OrderNewest, After: ids[1], Before: ids[5], Limit: 2}, want(4, 3)},
		{api.ListOptions{After: ids[1], Before: ids[5]}, want(2, 3, 4)},
		{api.ListOptions{Order: api.OrderOldest, Limit: 2}, want(0, 1)},
		{api.ListOptions{Before: pos[ids[2]]}, want(0, 1)},
		{api.ListOptions{After: ids[4], Before: ids[2]}, nil},
	}
	check := func(label string) {
		t.Helper()
		for _, tc := range cases {
			page, err := a.c.Advisories(ctx, tc.opts)
			var got []string
			for _, ad := range page {
				got = append(got, ad.ID)
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("%s: Advisories(%+v) = %d advisories %v, %v; want %d", label, tc.opts, len(got), got, err, len(tc.want))
			}
		}
	}
	check("newest and oldest pages")

	for q, code := range map[string]string{
		"order=latest":                 api.CodeBadRequest,
		"before=x":                     api.CodeBadCursor,
		"before=" + "00" + ids[0][2:]:  api.CodeNoAdvisory,
		"order=newest&before=-1":       api.CodeBadCursor,
		"order=newest&after=" + ids[6]: "",
	} {
		status, eb := raw(t, a, "GET", "/v1/advisories?"+q, "", token)
		if code == "" && status != 200 || code != "" && eb.Code != code {
			t.Errorf("GET /v1/advisories?%s: %d %+v, want code %q", q, status, eb, code)
		}
	}
}
