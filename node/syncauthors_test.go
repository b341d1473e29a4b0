package node

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// TestSyncPullsTwoAuthorsAtOnce has a fresh node sync from a member that
// holds long chains of two authors: the sync pulls both ranges at once,
// on two streams, and stores every op. A member with nothing to pull
// from is asked on one stream only.
func TestSyncPullsTwoAuthorsAtOnce(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("test"), "A", "B", "C", "D")
	if err != nil {
		t.Fatal(err)
	}
	var ops []*protocol.Op
	for _, name := range []string{"B", "C"} {
		ops = append(ops, benchChain(t, c.Genesis, trusttest.KeyFor(name), 2*protocol.MaxSyncOps)...)
	}
	noPeriodicSync := func(cfg *Config) { cfg.SyncInterval = time.Hour }
	holder := startNode(t, c, "A", noPeriodicSync)
	submitAll(t, holder, ops)
	var mu sync.Mutex
	streams, most := 0, 0
	holder.host.SetStreamHandler(protocol.SyncProtocol, func(st network.Stream) {
		mu.Lock()
		streams++
		most = max(most, streams)
		mu.Unlock()
		holder.sync.serve(st)
		mu.Lock()
		streams--
		mu.Unlock()
	})
	d := startNode(t, c, "D", noPeriodicSync)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Connect(ctx, holder.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	want, _ := holder.StoredOps()
	waitUntil(t, ctx, "D to store every op", func() bool {
		n, _ := d.StoredOps()
		return n == want
	})
	waitUntil(t, ctx, "the sync to end", func() bool { return d.sync.attempts.Load() > 0 && !d.sync.turns.busy(holder.ID()) })
	waitUntil(t, ctx, "the holder to close the sync's streams", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return streams == 0
	})
	mu.Lock()
	if most != 2 {
		t.Errorf("the holder served at most %d sync streams at once; want 2", most)
	}
	most = 0
	mu.Unlock()
	if err := d.SyncWith(ctx, holder.ID()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if most != 1 {
		t.Errorf("a sync with nothing to pull used %d streams at once; want 1", most)
	}
}
