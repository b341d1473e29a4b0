package node

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// value returns the resolved value of attribute key of the last record
// with message msg.
func (h *logRecords) value(msg, key string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	val, found := "", false
	for _, r := range h.recs {
		if r.Message != msg {
			continue
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				val, found = a.Value.Resolve().String(), true
			}
			return true
		})
	}
	return val, found
}

// The logs name a peer as the CLI does, by organisation name and short
// key: a member that disconnects a suspended member says which
// organisation it cut off.
func TestLogsNamePeers(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	logs := &logRecords{}
	a := startNode(t, c, "A", func(cfg *Config) { cfg.Logger = slog.New(logs) })
	b := startNode(t, c, "B", nil)
	e := startNode(t, c, "E", func(cfg *Config) { cfg.Peers = append(a.P2PAddrs()[:1], b.P2PAddrs()[:1]...) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitUntil(t, ctx, "E connected to A", func() bool { return connectedTo(e, a.ID()) })
	suspendE(t, ctx, c, a, b)
	want := "Org E (" + e.key.Short() + ")"
	waitUntil(t, ctx, "A logged that it disconnected E", func() bool {
		v, ok := logs.value("refused peer disconnected", "peer")
		return ok && v == want
	})
	if got := a.Label(protocol.KeyOf(trusttest.KeyFor("Z"))); got != protocol.KeyOf(trusttest.KeyFor("Z")).Short() {
		t.Errorf("a key the log does not know is labelled %q, want its short key", got)
	}
	if got := protocol.Label(trusttest.Profile("E").Name, e.key); got != want {
		t.Errorf("protocol.Label = %q, want %q", got, want)
	}
}
