package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// heartbeat is how often a follow stream sends a comment line when no
// advisory comes, so that proxies and clients see it alive.
const heartbeat = 15 * time.Second

// followBatch is how many advisories a follow stream reads at a time.
const followBatch = 100

// follow streams advisories as Server-Sent Events: every live advisory
// stored after the cursor (after=, or the Last-Event-ID of a reconnecting
// EventSource), then each new one as it is stored, until the client goes
// away. Each event is "event: advisory", its id the advisory's position,
// its data an AdvisoryInfo. A failure ends the stream with an "error"
// event carrying an ErrorBody.
func (s *Server) follow(w http.ResponseWriter, r *http.Request) {
	after := r.URL.Query().Get("after")
	if after == "" {
		after = r.Header.Get("Last-Event-ID")
	}
	from, err := s.cursor(after)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives any write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	ctx := r.Context()
	for {
		changed := s.n.Changed()
		ads, next, err := s.n.Advisories(ctx, from, followBatch)
		if err != nil {
			if ctx.Err() == nil {
				ae := classify(err)
				s.logFailure(r, ae, err)
				writeEvent(w, "error", "", streamError{ErrorBody{Error: ae.msg, Code: ae.code}, ae.status})
				_ = rc.Flush()
			}
			return
		}
		from = next
		st := s.n.State()
		for _, ad := range ads {
			writeEvent(w, "advisory", strconv.FormatUint(ad.Pos, 10), advisoryInfo(st, ad))
		}
		if len(ads) > 0 && rc.Flush() != nil {
			return
		}
		if len(ads) == followBatch {
			continue // more are stored already
		}
		select {
		case <-changed:
		case <-tick.C:
			fmt.Fprint(w, ": heartbeat\n\n")
			if rc.Flush() != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// writeEvent writes one SSE event. JSON has no raw newlines, so the data
// is one line.
func writeEvent(w http.ResponseWriter, event, id string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return
	}
	if id != "" {
		fmt.Fprintf(w, "id: %s\n", id)
	}
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, bytes.TrimRight(buf.Bytes(), "\n"))
}

// streamError is the data of a follow stream's "error" event: an
// ErrorBody with the status the error would have had as a response.
type streamError struct {
	ErrorBody
	Status int `json:"status"`
}
