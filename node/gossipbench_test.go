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
// node's gossip validator as pubsub does, one goroutine per message and
// at most 256 in flight, on a node with a durable store: the receiving
// side of ingest by gossip without the network. cpu-µs/op is the
// process's CPU time per op, which a loaded machine changes less than the
// wall time.
func BenchmarkGossipIngest(b *testing.B) {
	const ops = 4096
	c, raw, from := benchAdvisories(b, ops)
	var cpu, wall time.Duration
	b.StopTimer()
	for range b.N {
		cfg := testConfig(c, "D")
		cfg.Store.InMemory, cfg.DataDir = false, b.TempDir()
		cfg.PaceAdvisories, cfg.PaceMembership = Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1 << 40, BurstBytes: 1 << 36}, Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1 << 40, BurstBytes: 1 << 36}
		n, err := New(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		base, err := n.StoredOps()
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		slots := make(chan struct{}, 256)
		var wg sync.WaitGroup
		t0, c0 := time.Now(), processCPU()
		b.StartTimer()
		for _, r := range raw {
			slots <- struct{}{}
			wg.Go(func() {
				n.validate(ctx, from, msg(r))
				<-slots
			})
		}
		wg.Wait()
		for deadline := time.Now().Add(time.Minute); ; {
			l, _ := n.StoredOps()
			if l >= base+ops {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d ops stored after a minute; verdicts %v", l-base, ops, n.Verdicts())
			}
			time.Sleep(time.Millisecond)
		}
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
