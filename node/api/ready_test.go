package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestPublishWaitAndSync: POST /v1/advisories takes a wait of 0s to 45s
// (400 bad-request otherwise), and its answer, like the status, says which
// members the node had synced with, of how many, and how many it cannot
// reach.
func TestPublishWaitAndSync(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A") // alone; SyncBeforePublish = 0: ready at once
	ctx := ctxFor(t, 30*time.Second)
	for _, wait := range []string{"46s", "-1s", "soon"} {
		if status, eb := raw(t, a, http.MethodPost, "/v1/advisories?wait="+wait, `{"title":"x","tlp":"green"}`, token); status != http.StatusBadRequest || eb.Code != api.CodeBadRequest {
			t.Errorf("wait=%s: %d %+v, want 400 bad-request", wait, status, eb)
		}
	}
	op, err := a.c.PublishWithin(ctx, api.PublishRequest{Title: "alone, by choice", TLP: "green"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if op.Sync == nil || op.Sync.Members != 2 || op.Sync.Unreachable != 2 || op.Sync.SyncedWith == nil || len(op.Sync.SyncedWith) != 0 {
		t.Errorf("publish answered sync %+v, want none of 2 members synced with, 2 unreachable", op.Sync)
	}
	st, err := a.c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Ready || st.Sync == nil || st.Sync.Members != 2 || st.Sync.Unreachable != 2 {
		t.Errorf("status: ready %v, sync %+v", st.Ready, st.Sync)
	}
}
