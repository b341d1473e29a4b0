package node

import (
	"context"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// An op that arrives by gossip before its pred is completed by asking the
// forwarder for the pred, with no periodic sync to fall back on: the pred
// was never gossiped, and the sync on connect was over before either op
// existed.
func TestGossipOpBeforeItsPredIsFetched(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	noPeriodicSync := func(cfg *Config) { cfg.SyncInterval = time.Hour }
	a := startNode(t, c, "A", noPeriodicSync)
	b := startNode(t, c, "B", noPeriodicSync)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "A to see B on the topic and B's sync with A to end", func() bool {
		b.sync.turns.mu.Lock()
		syncing := b.sync.turns.running[a.ID()]
		b.sync.turns.mu.Unlock()
		for _, p := range a.topic.ListPeers() {
			if p == b.ID() {
				return !syncing
			}
		}
		return false
	})
	p := must(t)(c.Advise("C", "P", protocol.TLPGreen))
	q := must(t)(c.Advise("C", "Q, citing P", protocol.TLPGreen))
	if _, err := a.submit(ctx, []*protocol.Op{p, q}); err != nil {
		t.Fatal(err)
	}
	if err := a.topic.Publish(ctx, q.Bytes()); err != nil { // Q alone
		t.Fatal(err)
	}
	waitUntil(t, ctx, "B to store P and Q", func() bool {
		hasP, _ := b.store.Has(p.Hash())
		hasQ, _ := b.store.Has(q.Hash())
		return hasP && hasQ
	})
	if got := b.Verdicts()["ignore/missing-preds"]; got == 0 {
		t.Fatal("Q did not arrive before P: the test did not test the fetch")
	}
}

// waitUntil polls cond until it holds, failing the test when ctx ends.
func waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
