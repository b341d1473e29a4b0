package node

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// BenchmarkSyncIngest has a fresh node with a durable store sync a stream
// of syncBenchOps advisories by three authors from a node that holds them,
// as the benchmark harness's ingest by sync does (scenario 2). Both nodes
// run in this process, so cpu-µs/op counts the server's work too.
// KRING_SYNCBENCH_OPS replaces the stream's length (the full bench syncs
// 100,000); with KRING_SYNCBENCH_PROFILE set, each tenth of the stream
// gets a CPU profile of its own and its CPU and wall time per op are
// logged, so that a cost growing with the store shows.
func BenchmarkSyncIngest(b *testing.B) {
	syncBenchOps := 10000
	if v := os.Getenv("KRING_SYNCBENCH_OPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3 {
			b.Fatalf("KRING_SYNCBENCH_OPS=%q: want a number of ops of at least 3 (one per author)", v)
		}
		syncBenchOps = n
	}
	c, err := trusttest.NewCircle(protocol.DefaultCharter("test"), "A", "B", "C", "D", "E")
	if err != nil {
		b.Fatal(err)
	}
	var ops []*protocol.Op
	for _, name := range []string{"A", "B", "C"} {
		ops = append(ops, benchChain(b, c.Genesis, trusttest.KeyFor(name), syncBenchOps/3)...)
	}
	unpaced := Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1 << 40, BurstBytes: 64 << 30}
	durable := func(dir string) func(*Config) {
		return func(cfg *Config) {
			cfg.Store = store.DefaultOptions()
			cfg.DataDir = dir
			cfg.SyncInterval = time.Hour
			cfg.PaceAdvisories, cfg.PaceMembership = unpaced, unpaced
		}
	}
	holderDir := b.TempDir()
	st, err := store.Open(holderDir, store.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Put(c.Genesis); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(ops); i += 1000 {
		if err := st.Put(ops[i:min(i+1000, len(ops))]...); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	holder := startBenchNode(b, c, "A", durable(holderDir))
	want, err := holder.StoredOps()
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		d := startBenchNode(b, c, "D", durable(b.TempDir()))
		wait := time.Duration(max(1, syncBenchOps/10000)) * time.Minute
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		stopProfile := profileWindow(b)
		c0 := processCPU()
		tenth := tenths(b, want)
		b.StartTimer()
		if err := d.Connect(ctx, holder.AddrInfo()); err != nil {
			b.Fatal(err)
		}
		for {
			n, _ := d.StoredOps()
			if tenth != nil {
				stopProfile = tenth(n, stopProfile)
			}
			if n >= want {
				break
			}
			if ctx.Err() != nil {
				b.Fatalf("the sync did not end in %v", wait)
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		cpu += processCPU() - c0
		stopProfile()
		cancel()
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*len(ops)), "cpu-µs/op")
	b.ReportMetric(float64(len(ops)*b.N)/b.Elapsed().Seconds(), "ops/s")
}

// startBenchNode starts the member called name of c; adjust edits its
// configuration. The node is closed at cleanup.
func startBenchNode(b *testing.B, c *trusttest.Circle, name string, adjust func(*Config)) *Node {
	b.Helper()
	cfg := testConfig(c, name)
	adjust(&cfg)
	n, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatalf("New(%s): %v", name, err)
	}
	b.Cleanup(func() { _ = n.Close() })
	return n
}

// benchChain signs n small advisories by priv, each citing its author's
// previous op (the first the genesis, or the author's genesis op).
func benchChain(b testing.TB, genesis *protocol.Op, priv ed25519.PrivateKey, n int) []*protocol.Op {
	b.Helper()
	g := genesis.Hash()
	seq, prev := uint64(0), (*protocol.Hash)(nil)
	if genesis.Author == protocol.KeyOf(priv) {
		seq, prev = 1, &g
	}
	out := make([]*protocol.Op, 0, n)
	for i := range n {
		op := &protocol.Op{Group: g, Seq: seq + uint64(i) + 1, Preds: []protocol.Hash{g}, Epoch: g, Kind: protocol.KindAdvisory, TS: 1}
		switch {
		case i > 0:
			p := out[i-1].Hash()
			op.Prev, op.Preds = &p, []protocol.Hash{p}
		case prev != nil:
			op.Prev = prev
		}
		body := &protocol.Advisory{Title: fmt.Sprintf("bench advisory %d", i), TLP: protocol.TLPGreen, Summary: "Indicator update: new C2 addresses seen in the sector."}
		if err := protocol.Sign(op, body, priv); err != nil {
			b.Fatal(err)
		}
		out = append(out, op)
	}
	return out
}

// profileWindow starts a CPU profile of the timed window alone when
// KRING_SYNCBENCH_PROFILE names a file prefix (the benchmark's own
// -cpuprofile would count the nodes' starts too); it returns the function
// that stops it. Each window goes to its own file, PREFIX.N.
func profileWindow(b *testing.B) func() {
	prefix := os.Getenv("KRING_SYNCBENCH_PROFILE")
	if prefix == "" {
		return func() {}
	}
	profileWindows++
	f, err := os.Create(fmt.Sprintf("%s.%d", prefix, profileWindows))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

var profileWindows int

// tenths returns, when KRING_SYNCBENCH_PROFILE is set, a function the
// benchmark's loop calls with the ops stored so far: each time the count
// crosses a tenth of want, it stops the window's profile, logs the tenth's
// CPU and wall time per op, and starts the next window's profile.
func tenths(b *testing.B, want int) func(n int, stop func()) func() {
	if os.Getenv("KRING_SYNCBENCH_PROFILE") == "" {
		return nil
	}
	next, from, t0, c0 := 1, 0, time.Now(), processCPU()
	return func(n int, stop func()) func() {
		if n < want*next/10 || next > 10 {
			return stop
		}
		stop()
		c, t := processCPU(), time.Now()
		ops := max(1, n-from)
		b.Logf("tenth %2d: ops %6d–%6d, cpu %.1f µs/op, wall %.1f µs/op", next, from, n, float64((c-c0).Nanoseconds())/1e3/float64(ops), float64(t.Sub(t0).Nanoseconds())/1e3/float64(ops))
		next, from, t0, c0 = next+1, n, t, c
		for next <= 10 && n >= want*next/10 {
			next++
		}
		return profileWindow(b)
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
