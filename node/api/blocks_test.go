package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// TestBlockHidesAdvisories: A blocks B. B's advisory still reaches A's
// log, relayed by C, but A's API hides it from the list (both orders),
// from show (404 author-blocked, naming B) and from a follow; C's
// advisory, which cites it, shows. The block's answer says that the
// others still relay to B and that a suspension stops it. Unblock shows
// B's advisory again, at its stored position, and in the metrics.
func TestBlockHidesAdvisories(t *testing.T) {
	c, a, b, cc := trio(t)
	ctx := ctxFor(t, 90*time.Second)
	bKey := c.Actor("B").Key.String()

	info := postBlock(t, a, bKey, "leaked a RED advisory")
	for _, want := range []string{"still relay", "suspend", "hidden", "show again on unblock"} {
		if !strings.Contains(info.Note, want) {
			t.Errorf("POST /v1/blocks note %q does not say %q", info.Note, want)
		}
	}
	if bs, err := a.c.Blocks(ctx); err != nil || len(bs) != 1 || bs[0].Note != api.BlockScope {
		t.Errorf("Blocks = %+v, %v; want B with the note", bs, err)
	}

	fromB, err := b.c.Publish(ctx, api.PublishRequest{Title: "from B", TLP: "GREEN"})
	if err != nil {
		t.Fatalf("B's Publish: %v", err)
	}
	eventually(t, "C to list B's advisory", func() bool {
		_, err := cc.c.Advisory(ctx, fromB.ID)
		return err == nil
	})
	fromC, err := cc.c.Publish(ctx, api.PublishRequest{Title: "from C", TLP: "GREEN"})
	if err != nil {
		t.Fatalf("C's Publish: %v", err)
	}
	eventually(t, "A to list C's advisory", func() bool {
		_, err := a.c.Advisory(ctx, fromC.ID)
		return err == nil
	})
	h, err := protocol.ParseHash(fromB.ID)
	if err != nil {
		t.Fatal(err)
	}
	pos, ok, err := a.n.AdvisoryPosition(h)
	if err != nil || !ok {
		t.Fatalf("A's log lacks B's advisory (%v): a block hides, it does not drop", err)
	}

	for _, order := range []string{api.OrderOldest, api.OrderNewest} {
		list, err := a.c.Advisories(ctx, api.ListOptions{Order: order})
		if err != nil || len(list) != 1 || list[0].ID != fromC.ID {
			t.Errorf("A lists (%s) %+v, %v; want C's advisory alone", order, list, err)
		}
	}
	_, err = a.c.Advisory(ctx, fromB.ID)
	var ae *api.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != api.CodeAuthorBlocked ||
		!strings.Contains(ae.Message, "Org B") || !strings.Contains(ae.Message, "unblock") {
		t.Errorf("A shows B's advisory: %v; want 404 %s naming Org B and unblock", err, api.CodeAuthorBlocked)
	}
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	var first api.AdvisoryInfo
	stopped := errors.New("first event")
	err = a.c.Follow(fctx, "", func(ai api.AdvisoryInfo) error { first = ai; return stopped })
	if !errors.Is(err, stopped) || first.ID != fromC.ID {
		t.Errorf("A's follow from the start: first %q (%v); want C's advisory %s", first.Title, err, fromC.ID)
	}

	bSeries := `kring_advisories{author="` + c.Actor("B").Key.Short() + `",name="Org B",tlp="GREEN"}`
	if body := scrape(t, a); strings.Contains(body, bSeries) {
		t.Errorf("A's metrics count B's hidden advisory: %s", bSeries)
	}

	if err := a.c.Unblock(ctx, bKey); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if got := metric(t, scrape(t, a), bSeries); got != 1 {
		t.Errorf("A's metrics after unblock: %s = %v, want 1", bSeries, got)
	}
	list, err := a.c.Advisories(ctx, api.ListOptions{Order: api.OrderOldest})
	if err != nil || len(list) != 2 || list[0].ID != fromB.ID || list[0].Position != pos || list[1].ID != fromC.ID {
		t.Errorf("A lists after unblock %+v, %v; want B's advisory (at %d), then C's", list, err, pos)
	}
	if ai, err := a.c.Advisory(ctx, fromB.ID); err != nil || ai.Title != "from B" {
		t.Errorf("A shows B's advisory after unblock: %+v, %v", ai, err)
	}
}

// postBlock blocks key on d with POST /v1/blocks and returns the answer.
func postBlock(t *testing.T, d *daemon, key, reason string) api.BlockInfo {
	t.Helper()
	body, _ := json.Marshal(api.BlockRequest{Key: key, Reason: reason})
	req, err := http.NewRequest(http.MethodPost, d.url+"/v1/blocks", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /v1/blocks: %v", err)
	}
	defer resp.Body.Close()
	var info api.BlockInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/blocks: %d, %v", resp.StatusCode, err)
	}
	return info
}
