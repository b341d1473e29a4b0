package node

import (
	"context"
	"sync"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// BenchmarkGossipIngest runs a member's chain of advisories through a
// node's gossip validator as pubsub does, one goroutine per message, on
// a node with a durable store: the receiving side of ingest by gossip
// without the network. The feeder keeps at most gossipWindow ops ahead
// of what the node has stored, as scenario 2 of testnet/bench does
// (feedGossip). cpu-µs/op is the process's CPU time per op, which a
// loaded machine changes less than the wall time.
func BenchmarkGossipIngest(b *testing.B) {
	const ops = 4096
	c, raw, from := benchAdvisories(b, ops)
	var cpu, wall time.Duration
	b.StopTimer()
	for range b.N {
		n, base := benchNode(b, c)
		t0, c0 := time.Now(), processCPU()
		b.StartTimer()
		feedGossip(b, n, from, raw, base)
		b.StopTimer()
		wall += time.Since(t0)
		cpu += processCPU() - c0
		if err := n.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*ops), "cpu-µs/op")
	b.ReportMetric(float64(wall.Microseconds())/float64(b.N*ops), "wall-µs/op")
}

// benchNode starts member D of c on a store on disk, unpaced, and
// returns it with the number of ops it stores already (the genesis).
func benchNode(b *testing.B, c *trusttest.Circle) (*Node, int) {
	cfg := testConfig(c, "D")
	cfg.Store.InMemory, cfg.DataDir = false, b.TempDir()
	unpaced(&cfg)
	n, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	base, err := n.StoredOps()
	if err != nil {
		n.Close()
		b.Fatal(err)
	}
	return n, base
}

// unpaced lifts cfg's pace far above what a benchmark feeds.
func unpaced(cfg *Config) {
	p := Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1 << 40, BurstBytes: 1 << 36}
	cfg.PaceAdvisories, cfg.PaceMembership = p, p
}

// gossipWindow is how many ops feedGossip keeps in flight ahead of what
// the node has stored: scenario 2's window (testnet/bench, ingest.go).
// Without it, one op that comes late has the ops after it parked for
// their preds, past the forwarder's quota (PendingPeerOps), which evicts
// the oldest, and the benchmark has no peer to sync them from: it would
// stall, measuring eviction rather than ingest.
const gossipWindow = 256

// feedGossip runs raw, a chain of ops forwarded by from, through n's
// validator as pubsub does, one goroutine per message, at most
// gossipWindow of them ahead of what n has stored (base before the
// first), and waits until n stores them all.
func feedGossip(b *testing.B, n *Node, from peer.ID, raw [][]byte, base int) {
	b.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	wait := func(want int, what string) {
		for deadline := time.Now().Add(time.Minute); ; {
			l, _ := n.StoredOps()
			if l >= want {
				return
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: %d of %d ops stored after a minute; verdicts %v", what, l-base, len(raw), n.Verdicts())
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	for i, r := range raw {
		if i%128 == 0 {
			wait(base+i-gossipWindow+1, "keeping up")
		}
		wg.Go(func() { n.validate(ctx, from, msg(r)) })
	}
	wg.Wait()
	wait(base+len(raw), "all fed")
}

// benchAdvisories returns a circle of A to D and a chain of ops
// advisories by B, encoded, with B's peer ID, the forwarder they come
// from.
func benchAdvisories(b *testing.B, ops int) (*trusttest.Circle, [][]byte, peer.ID) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("bench"), "A", "B", "C", "D")
	if err != nil {
		b.Fatal(err)
	}
	raw := make([][]byte, ops)
	for i := range raw {
		op, err := c.Advise("B", "benchmark advisory", protocol.TLPGreen)
		if err != nil {
			b.Fatal(err)
		}
		raw[i] = op.Bytes()
	}
	from, err := PeerID(c.Actor("B").Key)
	if err != nil {
		b.Fatal(err)
	}
	return c, raw, from
}

// BenchmarkGossipLoneOp times the validator's answer for one op at a time
// (no burst to gather): what gossip's batching must not slow.
func BenchmarkGossipLoneOp(b *testing.B) {
	const ops = 512
	c, raw, from := benchAdvisories(b, ops)
	cfg := testConfig(c, "D") // in memory: no wait on the disk
	n, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if i == ops {
			b.Fatal("out of ops: run with -benchtime of at most 512x")
		}
		if got := n.validate(ctx, from, msg(raw[i])); got != pubsub.ValidationAccept {
			b.Fatalf("op %d: %s", i, resultName(got))
		}
		i++
	}
}

// BenchmarkGossipReplay times the validator's answer to ops the node
// holds already, gossiped again (as after pubsub's seen cache, 120 s,
// has expired): a member's chain of advisories is fed and stored first,
// then replayed, one goroutine per message and at most gossipWindow in
// flight. cpu-µs/op is the process's CPU time per replayed op.
func BenchmarkGossipReplay(b *testing.B) {
	const ops = 4096
	c, raw, from := benchAdvisories(b, ops)
	n, base := benchNode(b, c)
	defer n.Close()
	feedGossip(b, n, from, raw, base)
	ctx := context.Background()
	slots := make(chan struct{}, gossipWindow)
	var cpu, wall time.Duration
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		t0, c0 := time.Now(), processCPU()
		for _, r := range raw {
			slots <- struct{}{}
			wg.Go(func() {
				if got := n.validate(ctx, from, msg(r)); got != pubsub.ValidationIgnore {
					b.Errorf("a replayed op: %s, want ignore", resultName(got))
				}
				<-slots
			})
		}
		wg.Wait()
		wall += time.Since(t0)
		cpu += processCPU() - c0
	}
	b.StopTimer()
	if got := n.Verdicts()["ignore/duplicate"]; got < uint64(b.N*ops) {
		b.Fatalf("%d ops answered as duplicates, want %d; verdicts %v", got, b.N*ops, n.Verdicts())
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*ops), "cpu-µs/op")
	b.ReportMetric(float64(wall.Microseconds())/float64(b.N*ops), "wall-µs/op")
}
