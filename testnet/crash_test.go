package testnet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The child process of the crash loop: founder A's node on the directory
// and genesis the parent names, dialling the peers it names (B, which
// publishes throughout), publishing advisories and printing
// "ack <hash> <seq>" once Publish has returned, and "stored <hash>" once
// an op of another author is committed, until it is killed.
func TestCrashChild(t *testing.T) {
	dir, genesisFile := os.Getenv("KRING_CRASH_DIR"), os.Getenv("KRING_CRASH_GENESIS")
	if dir == "" {
		t.Skip("runs only as the child process of TestKilledNodeKeepsAcknowledgedOps")
	}
	genesis, err := os.ReadFile(genesisFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := node.DefaultLocalConfig()
	cfg.Key, cfg.Genesis, cfg.DataDir = KeyFor("A"), genesis, dir
	crashConfig("A", &cfg)
	cfg.Logger = crashLogger("child", os.Getpid())
	self := protocol.KeyOf(cfg.Key)
	cfg.OnStored = func(op *protocol.Op, _ time.Time) {
		if op.Author != self {
			fmt.Printf("stored %s\n", op.Hash())
		}
	}
	for _, p := range strings.Split(os.Getenv("KRING_CRASH_PEERS"), ",") {
		if p != "" {
			cfg.Peers = append(cfg.Peers, p)
		}
	}
	nd, err := node.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		op, err := nd.Publish(context.Background(), &protocol.Advisory{Title: fmt.Sprintf("sighting %d", i), TLP: protocol.TLPAmber})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %s %d\n", op.Hash(), op.Seq)
	}
}

// Scenario 5: founder A's node runs in a child process that publishes
// advisories and receives B's, which B publishes throughout. The child is
// killed with SIGKILL at a random point (after a random number of
// acknowledged ops, or a random delay after its start, start-up included;
// the first kill comes once it has stored some of B's ops) and started
// again on the same directory, kill after kill. After each kill A's store
// opens and loads, holds every op A ever acknowledged and every op of B's
// the child reported committed, and holds one op per seq of A's chain; no
// two acknowledged ops share a seq, and B never holds an op of A's that
// A's store lacks or contradicts. Finally A restarts in-process, signs the
// next seq and converges with B.
//
// In a long loop the child stops receiving once Config.MaxConnsPerPeer (8)
// lives have died within QUIC's idle timeout (30 s): B keeps each killed
// life's QUIC connection open until it idles out, and while 8 are open
// the next lives get no ops from B (an open issue of node/). The test logs
// in how many lives the child stored B's ops.
//
// KRING_CRASH_KILLS sets the number of kills (make soak runs many), and
// KRING_CRASH_SEED the seed of the kill points, which the test logs: a
// seed replays the points, not the processes' timing.
func TestKilledNodeKeepsAcknowledgedOps(t *testing.T) {
	kills := envInt(t, "KRING_CRASH_KILLS", 8)
	seed := crashSeed(t)
	t.Logf("%d kills, seed %d (KRING_CRASH_SEED=%d replays the kill points)", kills, seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout+time.Duration(kills)*20*time.Second)
	t.Cleanup(cancel)
	opts := Options{Dir: t.TempDir(), Founders: []string{"A", "B", "C"}, Config: crashConfig, Logger: crashLogger()}
	net := must[*Net](t)(New(opts))
	t.Cleanup(func() {
		if err := net.Close(); err != nil {
			t.Errorf("closing the circle: %v", err)
		}
	})
	a, b := net.M("A"), net.M("B")
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	genesisFile := a.Dir + ".genesis"
	if err := os.WriteFile(genesisFile, net.Genesis.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(a.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	stopB := keepAdvising(ctx, b, 50*time.Millisecond)

	acked, received := ackLog{}, map[protocol.Hash]bool{}
	var startupKills, receivingLives int
	var chain []protocol.Hash
	began := time.Now()
	for i := range kills {
		kp := drawKillPoint(rng)
		if i == 0 {
			kp = firstKillPoint(rng)
		}
		run, err := startCrashChild(ctx, a.Dir, genesisFile, b.Node().P2PAddrs())
		if err != nil {
			t.Fatal(err)
		}
		life, err := run.killAt(kp)
		if err != nil {
			t.Fatalf("kill %d (%s): %v", i+1, kp, err)
		}
		t.Logf("kill %d %s: %d acks, %d of B's ops stored", i+1, kp, len(life.acks), len(life.stored))
		for _, ack := range life.acks {
			if err := acked.add(ack); err != nil {
				t.Fatalf("kill %d (%s): %v", i+1, kp, err)
			}
		}
		for _, h := range life.stored {
			received[h] = true
		}
		if len(life.acks) == 0 {
			startupKills++
		}
		if len(life.stored) > 0 {
			receivingLives++
		}
		chain = checkKilledStore(t, a.Dir, a.Key, acked, received)
		if err := checkPeerChain(b.Node(), a.Key, chain); err != nil {
			t.Fatalf("kill %d (%s): %v", i+1, kp, err)
		}
		t.Logf("kill %d: A's store opened with its chain at seq %d", i+1, len(chain))
	}
	published, err := stopB()
	if err != nil {
		t.Fatalf("B publishing: %v", err)
	}
	t.Logf("%d kills in %s, %d before the child's first ack: %d ops acknowledged, A's chain at seq %d; B published %d, of which the child stored %d, in %d lives",
		kills, time.Since(began).Round(time.Millisecond), startupKills, len(acked), len(chain), published, len(received), receivingLives)

	// B still holds the killed lives' QUIC connections (see above); it
	// drops them, as it would at their idle timeout, so that the
	// convergence below waits for sync and gossip rather than for that.
	if err := b.Node().Disconnect(a.ID); err != nil {
		t.Fatal(err)
	}
	a.SetPeers(b)
	if err := a.Start(ctx); err != nil {
		t.Fatalf("restarting in-process after the last SIGKILL: %v", err)
	}
	st := a.Node()
	for _, h := range acked {
		if ok, err := st.Has(h); err != nil || !ok {
			t.Fatalf("acknowledged op %s is gone after the restart (err %v)", h.Short(), err)
		}
	}
	before := must[map[protocol.Key]trust.Tip](t)(st.Tips())[a.Key]
	next := must[*protocol.Op](t)(a.Advise(ctx, "first advisory after the crashes"))
	after := must[map[protocol.Key]trust.Tip](t)(st.Tips())[a.Key]
	if next.Seq != before.Seq+1 || after.Seq != next.Seq || len(after.Hashes) != 1 || after.Hashes[0] != next.Hash() {
		t.Errorf("after the restart A signed seq %d on a chain whose tip was seq %d; the tip is now seq %d with %d ops; want one op at seq %d",
			next.Seq, before.Seq, after.Seq, len(after.Hashes), before.Seq+1)
	}
	if err := net.ConnectAll(ctx); err != nil {
		t.Fatal(err)
	}
	converging := time.Now()
	if err := net.WaitConverged(ctx, "A", "B"); err != nil {
		t.Fatal(err)
	}
	t.Logf("A and B converged in %s after the restart", time.Since(converging).Round(time.Millisecond))
}
