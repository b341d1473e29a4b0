package node

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// Below its free-space watermark a node defers other members' advisories
// (gossip and sync) and refuses its own, but takes votes, and the
// advisories they cite; above it again, the deferred advisories come by
// sync.
func TestDiskLowDefersAdvisoriesNotVotes(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	var free atomic.Uint64
	free.Store(10 << 30)
	a := startNode(t, c, "A", func(cfg *Config) {
		cfg.DataDir = t.TempDir()
		cfg.Store.InMemory = false
		cfg.MinFreeDisk = 100 << 20
		cfg.DiskFree = func(string) (uint64, error) { return free.Load(), nil }
		cfg.SyncInterval = time.Hour
	})
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncInterval = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if d := a.Disk(); d.Low || d.Free != 10<<30 || d.Watermark != uint64(a.cfg.MinFreeDisk) || d.Watermark == 0 {
		t.Fatalf("Disk() = %+v at the start, want not low, %d free, watermark %d", d, uint64(10<<30), a.cfg.MinFreeDisk)
	}
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	onTopic(t, ctx, a, b)

	free.Store(50 << 20)
	a.checkDisk()
	if !a.Disk().Low {
		t.Fatal("50 MiB free under a watermark of 100 MiB is not low")
	}
	has := func(op *protocol.Op) bool { ok, _ := a.store.Has(op.Hash()); return ok }
	adv1, err := b.Publish(ctx, &protocol.Advisory{Title: "deferred, then cited", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "A to defer B's advisory", func() bool { return a.Verdicts()["ignore/disk-low"] >= 1 })
	if has(adv1) {
		t.Fatal("A stored an advisory while its disk was low")
	}
	vote, err := b.Vote(ctx, c.Suspend("C", "disk"), protocol.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "A to store B's vote and the advisory it cites", func() bool { return has(vote) && has(adv1) })

	adv2, err := b.Publish(ctx, &protocol.Advisory{Title: "deferred", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "A to defer B's second advisory", func() bool { return a.Verdicts()["ignore/disk-low"] >= 2 })
	if err := a.SyncWith(ctx, b.ID()); err != nil {
		t.Fatal(err)
	}
	if has(adv2) {
		t.Fatal("a sync brought an advisory while A's disk was low")
	}
	if _, err := a.Publish(ctx, &protocol.Advisory{Title: "own", TLP: protocol.TLPGreen}); !errors.Is(err, ErrDiskLow) {
		t.Fatalf("A publishing an advisory on a low disk: %v, want ErrDiskLow", err)
	}
	if _, err := a.Vote(ctx, c.Suspend("C", "disk"), protocol.Hash{}); err != nil {
		t.Fatalf("A voting on a low disk: %v", err)
	}

	free.Store(10 << 30)
	a.checkDisk()
	if a.Disk().Low {
		t.Fatal("10 GiB free is still low")
	}
	if err := a.SyncWith(ctx, b.ID()); err != nil {
		t.Fatal(err)
	}
	if !has(adv2) {
		t.Error("the deferred advisory did not come by sync once the disk had room")
	}
}
