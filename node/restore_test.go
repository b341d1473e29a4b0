package node

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// TestRestoredNodeWaitsForEveryMember: C's node publishes three
// advisories and is lost; its keys are restored over an empty store
// (store.Restore with no backup). With SyncBeforePublish 1 an ordinary
// node would sign once it synced with A; the restored one waits until it
// has synced with every member (A and B), learns its own chain back, and
// then signs seq 4, not a twin of seq 1, and clears the restore mark.
func TestRestoredNodeWaitsForEveryMember(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := startNode(t, c, "A", nil)
	bdir := filepath.Join(t.TempDir(), "b")
	onDisk := func(cfg *Config, dir string) {
		cfg.DataDir, cfg.Store = dir, store.DefaultOptions()
		cfg.Store.SyncWrites = false
	}
	b := startNode(t, c, "B", func(cfg *Config) { cfg.Peers = a.P2PAddrs(); onDisk(cfg, bdir) })
	lost := startNode(t, c, "C", func(cfg *Config) { cfg.Peers = a.P2PAddrs() })
	var last *protocol.Op
	for _, title := range []string{"one", "two", "three"} {
		op, err := lost.Publish(ctx, &protocol.Advisory{Title: title, TLP: protocol.TLPGreen})
		if err != nil {
			t.Fatal(err)
		}
		last = op
	}
	for _, n := range []*Node{a, b} {
		untilChanged(t, ctx, n, "A and B store C's third advisory", func() bool { has, _ := n.Has(last.Hash()); return has })
	}
	// C's node is lost, and B is offline for a while.
	for _, n := range []*Node{lost, b} {
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}

	dir := filepath.Join(t.TempDir(), "store")
	if err := store.Restore(dir, nil, store.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	restored := startNode(t, c, "C", func(cfg *Config) {
		onDisk(cfg, dir)
		cfg.SyncBeforePublish, cfg.PublishWait, cfg.SyncInterval = 1, 0, time.Hour
	})
	if err := restored.Ready(); !errors.Is(err, ErrNotSynced) || !strings.Contains(err.Error(), "restored from a backup") {
		t.Fatalf("a restored node before any sync: Ready = %v, want ErrNotSynced naming the restore", err)
	}
	// Only A connected: an ordinary node would sign now; this one waits.
	if err := restored.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, 2*time.Second)
	err := restored.WaitReady(waitCtx)
	waitCancel()
	if !errors.Is(err, ErrNotSynced) || !strings.Contains(err.Error(), "1 of 2 so far; 1 member is unreachable") {
		t.Fatalf("restored node synced with A only: WaitReady = %v, want ErrNotSynced, 1 of 2, B unreachable", err)
	}
	// B comes back.
	b = startNode(t, c, "B", func(cfg *Config) { onDisk(cfg, bdir) })
	if err := restored.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	if err := restored.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady with A and B: %v", err)
	}
	next, err := restored.Publish(ctx, &protocol.Advisory{Title: "after the restore", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	if next.Seq != last.Seq+1 {
		t.Errorf("the restored node signed seq %d, want %d", next.Seq, last.Seq+1)
	}
	if ok, err := restored.store.Restored(); err != nil || ok {
		t.Errorf("the restore mark stays after the node synced with everyone: %v %v", ok, err)
	}
}
