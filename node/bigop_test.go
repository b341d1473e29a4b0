package node

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// An advisory too large for gossip reaches a connected member at once by
// a sync push from its author's node, with no periodic sync to fall back
// on; pubsub never carries it.
func TestLargeOpGoesByPush(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	noPeriodicSync := func(cfg *Config) { cfg.SyncInterval = time.Hour }
	a := startNode(t, c, "A", noPeriodicSync)
	b := startNode(t, c, "B", noPeriodicSync)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	onTopic(t, ctx, a, b)
	big := &protocol.Advisory{Title: "a long CSAF document", Content: []byte(strings.Repeat("x", 2*MaxGossipOp)), TLP: protocol.TLPGreen}
	op, err := a.Publish(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	if len(op.Bytes()) <= MaxGossipOp {
		t.Fatalf("the op is %d bytes, not over MaxGossipOp (%d): the test does not test the push", len(op.Bytes()), MaxGossipOp)
	}
	waitUntil(t, ctx, "B to store the large advisory", func() bool {
		has, _ := b.store.Has(op.Hash())
		return has
	})
}

// The bytes pubsub may hold queued for one slow peer stay within 80 MiB
// with the defaults.
func TestGossipQueueBytesAreBounded(t *testing.T) {
	cfg := DefaultConfig()
	if got := cfg.OutboundQueue * MaxGossipMessage; got > 80<<20 {
		t.Errorf("a slow peer may hold %d MiB queued (%d RPCs of up to %d bytes), want at most 80 MiB", got>>20, cfg.OutboundQueue, MaxGossipMessage)
	}
}
