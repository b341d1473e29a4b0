package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/testnet"
)

// attacker is the founder whose key a rogue floods with.
const attacker = "Z"

// orphansPerSecond is how many orphans (ops citing preds nobody has) the
// attacker sends a second beside its valid ops.
const orphansPerSecond = 100

// attack measures what one hostile member costs the honest nodes: their
// propagation p99, heap and CPU while the member floods valid ops at its
// pace and orphans, beside the same circle just before, without the
// flood.
func attack(ctx context.Context, e *env, s *Scenario) error {
	n := e.attackN
	pace := node.DefaultConfig().PaceAdvisories
	s.Method = fmt.Sprintf("A circle of N = %d honest nodes (full mesh, %v one-way per link through proxies, durable stores) and a hostile founder whose key a rogue libp2p host holds, connected to every honest node, answering every sync request with nothing. "+
		"Quiet phase: %d advisories from rotating honest nodes, each timed publish call → stored at the last honest node. "+
		"Attack phase: the same while the rogue gossips valid advisories of its own at the circle's pace (%.0f ops/s, the daemon default) and %d orphans a second (signed ops citing preds nobody has). "+
		"Heap: the process's Go heap in use (all honest nodes share it), sampled every 100 ms; growth = the attack phase's peak over the quiet phase's peak. CPU: the process's cores' worth over each phase.",
		n, e.delay, e.attackRuns, pace.OpsPerSecond, orphansPerSecond)
	dir, err := e.dir("attack")
	if err != nil {
		return err
	}
	honest := names(n)
	c, err := newCircle(circleOpts{dir: dir, founders: append(append([]string{}, honest...), attacker), proxied: true, delay: e.delay})
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.start(ctx, honest...); err != nil {
		return err
	}
	for _, name := range honest {
		if err := c.M(name).Node().WaitReady(ctx); err != nil {
			return fmt.Errorf("%s ready: %w", name, err)
		}
	}
	if _, err := publishAndWait(ctx, c, honest[0], honest, -1); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	quiet, err := attackPhase(ctx, e, c, honest, nil)
	if err != nil {
		return fmt.Errorf("quiet phase: %w", err)
	}
	rogue, err := c.NewRogue(ctx, c.M(attacker))
	if err != nil {
		return err
	}
	defer rogue.Close()
	rogue.ServeSync(testnet.SyncEmpty) // it holds none of its orphans' preds
	for _, name := range honest {
		if err := rogue.Connect(ctx, c.M(name)); err != nil {
			return fmt.Errorf("the rogue connecting to %s: %w", name, err)
		}
	}
	f := &flooder{c: c, rogue: rogue, rate: pace.OpsPerSecond}
	loud, err := attackPhase(ctx, e, c, honest, f)
	if err != nil {
		return fmt.Errorf("attack phase: %w", err)
	}
	qr := row(fmt.Sprintf("N=%d", n), "kring, quiet circle", n, advisoryContentSize, "ms", millis(quiet.lat))
	ar := row(fmt.Sprintf("N=%d", n), "kring, one member flooding", n, advisoryContentSize, "ms", millis(loud.lat))
	ar.Ratio, ar.RatioOf = ar.P99/qr.P99, "p99"
	growth := float64(max(0, int64(loud.heapPeak)-int64(quiet.heapPeak))) / (1 << 20)
	qr.Extra = map[string]float64{"heap_peak_mib": float64(quiet.heapPeak) / (1 << 20), "cpu_cores": quiet.cpu}
	perNode := growth / float64(n)
	ar.Extra = map[string]float64{"heap_peak_mib": float64(loud.heapPeak) / (1 << 20), "heap_growth_mib": growth, "heap_growth_mib_per_node": perNode, "cpu_cores": loud.cpu,
		"valid_ops_sent": float64(f.valid.Load()), "orphans_sent": float64(f.orphans.Load()), "paced_at_first": float64(c.M(honest[0]).Node().Verdicts()["ignore/paced"])}
	s.Rows = append(s.Rows, ar, qr)
	score, _ := c.M(honest[0]).Node().PeerScore(c.M(attacker).ID)
	ar.Extra["attacker_score_at_first"] = score
	e.logf("N=%d: flooded runs (ms) %v; the attacker's score at %s %.0f; its verdicts there %v", n, millis(loud.lat), honest[0], score, c.M(honest[0]).Node().Verdicts())
	e.logf("N=%d: quiet p99 %.0f ms, flooded p99 %.0f ms (%.2f×); heap growth %.1f MiB (%.1f per honest node); CPU %.2f → %.2f cores; sent %d valid ops, %d orphans",
		n, qr.P99, ar.P99, ar.Ratio, growth, perNode, quiet.cpu, loud.cpu, f.valid.Load(), f.orphans.Load())
	s.judge(ar.Ratio <= 1.5 && perNode < 64, "honest p99 %.2f× the quiet circle's (%.0f vs %.0f ms, medians %.0f vs %.0f); heap growth %.1f MiB per honest node (%.0f MiB for %d)",
		ar.Ratio, ar.P99, qr.P99, ar.Median, qr.Median, perNode, growth, n)
	if ar.Ratio > 1.5 {
		s.note("The flooded runs in order (ms): %v. The slowest come in the first seconds of the flood, before the honest nodes have scored the flooder below pubsub's thresholds: each orphan it sends costs it 100 points once a fetch finds it cannot serve the orphan's preds, and below the graylist threshold (−2500) pubsub takes nothing more from it (its score at %s at the end: %.0f).", millis(loud.lat), honest[0], score)
	}
	return nil
}

// phaseRun is what one phase of the attack scenario measured.
type phaseRun struct {
	lat      []time.Duration
	heapPeak uint64
	cpu      float64
}

// attackPhase times e.attackRuns honest advisories, with f flooding
// meanwhile if it is set.
func attackPhase(ctx context.Context, e *env, c *circle, honest []string, f *flooder) (phaseRun, error) {
	var r phaseRun
	pctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var peak atomic.Uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for pctx.Err() == nil {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-pctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	if f != nil {
		wg.Add(1)
		go func() { defer wg.Done(); f.run(pctx) }()
		time.Sleep(2 * time.Second) // the flood under way
	}
	c0, t0 := cpuTime(), time.Now()
	var err error
	for i := range e.attackRuns {
		var d time.Duration
		if d, err = publishAndWait(ctx, c, honest[i%len(honest)], honest, 2_000_000+i); err != nil {
			err = fmt.Errorf("run %d: %w", i, err)
			for _, name := range honest {
				nd := c.M(name).Node()
				e.logf("%s: pending %d, backlog %d, verdicts %v", name, nd.PendingOps(), nd.Backlog(), nd.Verdicts())
			}
			break
		}
		r.lat = append(r.lat, d)
		time.Sleep(50 * time.Millisecond)
	}
	r.cpu = float64(cpuTime()-c0) / float64(time.Since(t0))
	stop()
	wg.Wait()
	r.heapPeak = peak.Load()
	return r, err
}

// flooder gossips, through a rogue holding the attacker's key, valid
// advisories at rate a second (a chain from the attacker's seq 1) and
// orphansPerSecond orphans.
type flooder struct {
	c              *circle
	rogue          *testnet.Rogue
	rate           float64
	valid, orphans atomic.Int64
	seq            uint64
	prev           *protocol.Hash
}

func (f *flooder) run(ctx context.Context) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		el := time.Since(start).Seconds()
		for float64(f.valid.Load()) < el*f.rate {
			op, err := f.next()
			if err != nil {
				return
			}
			_ = f.rogue.Publish(ctx, op.Bytes())
			f.valid.Add(1)
		}
		for float64(f.orphans.Load()) < el*orphansPerSecond {
			op, err := f.orphan(int(f.orphans.Load()))
			if err != nil {
				return
			}
			_ = f.rogue.Publish(ctx, op.Bytes())
			f.orphans.Add(1)
		}
	}
}

// next signs the attacker's next valid advisory.
func (f *flooder) next() (*protocol.Op, error) {
	m := f.c.M(attacker)
	g := f.c.Genesis.Hash()
	f.seq++
	preds := []protocol.Hash{g}
	if f.prev != nil {
		preds = []protocol.Hash{*f.prev}
	}
	op := &protocol.Op{Group: g, Seq: f.seq, Prev: f.prev, Preds: preds, Epoch: g, Kind: protocol.KindAdvisory, TS: time.Now().UnixMilli()}
	if err := protocol.Sign(op, advisory(3_000_000+int(f.seq)), m.Priv); err != nil {
		return nil, err
	}
	h := op.Hash()
	f.prev = &h
	return op, nil
}

// orphan signs an advisory of the attacker citing preds nobody has.
func (f *flooder) orphan(i int) (*protocol.Op, error) {
	m := f.c.M(attacker)
	g := f.c.Genesis.Hash()
	var prev protocol.Hash
	preds := make([]protocol.Hash, 4)
	for j := range preds {
		_, _ = rand.Read(preds[j][:])
	}
	copy(prev[:], preds[0][:])
	op := &protocol.Op{Group: g, Seq: 1_000_000 + uint64(i), Prev: &prev, Preds: protocol.SortPreds(preds), Epoch: g, Kind: protocol.KindAdvisory, TS: time.Now().UnixMilli()}
	if err := protocol.Sign(op, advisory(4_000_000+i), m.Priv); err != nil {
		return nil, err
	}
	return op, nil
}
