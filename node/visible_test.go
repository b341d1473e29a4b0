package node

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// TestOwnOpDurableBeforeSent checks the order of a commit on a durable
// store: members see an op (OnVisible) before its write is synced
// (OnStored), and Publish returns, and so gossips the node's own op, only
// after the sync: no own op leaves a node that a crash could make it sign
// again.
func TestOwnOpDurableBeforeSent(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	var mu sync.Mutex
	var events []string
	record := func(what string) func(*protocol.Op, time.Time) {
		return func(op *protocol.Op, _ time.Time) {
			if op.Kind != protocol.KindAdvisory {
				return
			}
			mu.Lock()
			events = append(events, what)
			mu.Unlock()
		}
	}
	n := startNode(t, c, "A", func(cfg *Config) {
		cfg.Store.InMemory, cfg.Store.SyncWrites = false, true
		cfg.DataDir = t.TempDir()
		cfg.OnVisible = record("visible")
		cfg.OnStored = record("durable")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		if _, err := n.Publish(ctx, &protocol.Advisory{Title: "advisory", TLP: protocol.TLPGreen}); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		mu.Lock()
		events = append(events, "returned")
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"visible", "durable", "returned", "visible", "durable", "returned", "visible", "durable", "returned"}
	if len(events) != len(want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("events %v, want %v", events, want)
		}
	}
}
