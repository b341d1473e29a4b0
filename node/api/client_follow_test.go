package api_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestFollowLostStream: a stream that breaks off mid-way (the daemon was
// killed) ends Follow with ErrStreamCut and the cause, one the daemon
// ends cleanly with ErrStreamEnded; Opened is called once the daemon
// accepted the stream, and not when nothing answers.
func TestFollowLostStream(t *testing.T) {
	ctx := ctxFor(t, 20*time.Second)
	event := `id: 7` + "\nevent: advisory\ndata: {\"id\":\"ab\",\"position\":7,\"title\":\"x\",\"tlp\":\"GREEN\"}\n\n"
	for _, tc := range []struct {
		name string
		cut  bool
		want error
	}{
		{"killed", true, api.ErrStreamCut},
		{"stopped", false, api.ErrStreamEnded},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("after") != "6" {
				http.Error(w, `{"error":"wrong cursor","code":"bad-cursor"}`, http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, "retry: 3000\n\n"+event)
			w.(http.Flusher).Flush()
			if tc.cut {
				fmt.Fprint(w, "id: 8\nevent: adv")
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // drops the connection mid-chunk
			}
		}))
		c := api.NewClient(srv.URL, token)
		opened := 0
		var seen []uint64
		err := c.FollowWith(ctx, api.FollowOptions{After: "6", Opened: func() { opened++ }}, func(ai api.AdvisoryInfo) error {
			seen = append(seen, ai.Position)
			return nil
		})
		if !errors.Is(err, tc.want) || opened != 1 || len(seen) != 1 || seen[0] != 7 {
			t.Errorf("%s: Follow = %v, opened %d, saw %v; want %v after position 7, opened once", tc.name, err, opened, seen, tc.want)
		}
		if tc.cut && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: Follow = %v, want the cause (unexpected EOF) too", tc.name, err)
		}
		srv.Close()
		opened = 0
		err = c.FollowWith(ctx, api.FollowOptions{After: "6", Opened: func() { opened++ }}, func(api.AdvisoryInfo) error { return nil })
		if !errors.Is(err, api.ErrDaemonDown) || opened != 0 {
			t.Errorf("%s: Follow with no daemon = %v, opened %d; want ErrDaemonDown, not opened", tc.name, err, opened)
		}
	}
}
