package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
)

// idleCPUScenario measures the CPU an idle Kring circle of idleN nodes
// uses, beside bare gossipsub hosts of the same number with the same
// heartbeat, and beside the same number of idle stores alone.
func idleCPUScenario(ctx context.Context, e *env, s *Scenario) error {
	s.Method = fmt.Sprintf("Kring: a circle of N founders in this process, durable stores with a daemon's options and timers "+
		"(node.DefaultConfig: 1 s gossipsub heartbeat, 30 s periodic sync), TCP only on loopback, full mesh, no proxies; "+
		"one warm-up advisory, then every other member acknowledges it (Node.Acknowledge, so that no acknowledgement "+
		"falls due in the window), each op waited for at every node, then %v to settle. Baseline: bare libp2p hosts "+
		"(TCP, Noise, yamux), full mesh, go-libp2p-pubsub gossipsub with Kring's router settings and the same heartbeat, "+
		"one warm-up message, the same settling time. Diagnostic: N stores with the node's options (node.DefaultConfig's "+
		"store.Options), opened and left alone: what the storage engine costs by itself. Each is measured over %d windows "+
		"of %v after a garbage collection: the process's CPU time (getrusage, user + system) over the window's wall time, "+
		"in cores; the figure is the median window, the ratio Kring's median over the baseline's. They run one after "+
		"the other in the one process, never at once", idleSettle, e.idleWindows, e.idleWindow)
	n := e.idleN
	c := fmt.Sprintf("N=%d", n)
	k, err := idleKring(ctx, e, n)
	if err != nil {
		return fmt.Errorf("kring: %w", err)
	}
	b, err := idleGossipsub(ctx, e, n)
	if err != nil {
		return fmt.Errorf("gossipsub: %w", err)
	}
	st, err := idleStores(ctx, e, n)
	if err != nil {
		return fmt.Errorf("stores: %w", err)
	}
	kr := row(c, "kring", n, 0, "cores", k)
	br := row(c, "gossipsub (baseline)", n, 0, "cores", b)
	sr := row(c, "stores alone (diagnostic)", n, 0, "cores", st)
	kr.Ratio, kr.RatioOf = kr.Median/br.Median, "median"
	sr.Ratio, sr.RatioOf = sr.Median/br.Median, "median"
	s.Rows = append(s.Rows, kr, br, sr)
	e.logf("N=%d: idle CPU kring %.3f cores, gossipsub %.3f cores (%.2f×); %d idle stores alone %.3f cores",
		n, kr.Median, br.Median, kr.Ratio, n, sr.Median)
	s.judge(kr.Ratio <= 2, "an idle circle of %d uses %.3f cores, bare gossipsub %.3f: %.2f×; its %d stores alone %.3f cores",
		n, kr.Median, br.Median, kr.Ratio, n, sr.Median)
	s.short(n, 50)
	s.note("Every node of the circle runs in this one process, as do the baseline's hosts, so each figure is the whole circle's, not one node's. The stores' figure is part of Kring's: badger wakes each compactor every 50 ms whatever the load.")
	return nil
}

// idleSettle is how long a circle rests after its warm-up before the
// windows: late gossip and the syncs that connections kicked end.
const idleSettle = 3 * time.Second

// idleKring founds and settles a circle of n and measures its idle CPU.
func idleKring(ctx context.Context, e *env, n int) ([]float64, error) {
	dir, err := e.dir(fmt.Sprintf("idle%d", n))
	if err != nil {
		return nil, err
	}
	all := names(n)
	c, err := newCircle(circleOpts{dir: dir, founders: all, tcpOnly: true})
	if err != nil {
		return nil, err
	}
	defer c.close()
	if err := c.start(ctx, all...); err != nil {
		return nil, err
	}
	for _, name := range all {
		if err := c.M(name).Node().WaitReady(ctx); err != nil {
			return nil, fmt.Errorf("%s ready: %w", name, err)
		}
	}
	if _, err := publishAndWait(ctx, c, all[0], all, -1); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	for _, name := range all[1:] {
		op, err := c.M(name).Node().Acknowledge(ctx)
		if errors.Is(err, node.ErrNothingToAcknowledge) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s acknowledging: %w", name, err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err = c.rec.waitAll(wctx, op.Hash(), all)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s's acknowledgement: %w", name, err)
		}
	}
	return idleWindows(ctx, e)
}

// idleGossipsub starts n bare gossipsub hosts and measures their idle CPU.
func idleGossipsub(ctx context.Context, e *env, n int) ([]float64, error) {
	p, err := newPSNet(ctx, n, gossipsubRouter, false, 0)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if _, err := p.publishAndWait(ctx, 0, []byte("warm-up")); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	return idleWindows(ctx, e)
}

// idleStores opens n stores with a daemon node's options and measures
// their idle CPU.
func idleStores(ctx context.Context, e *env, n int) ([]float64, error) {
	dir, err := e.dir(fmt.Sprintf("idlestores%d", n))
	if err != nil {
		return nil, err
	}
	opts := node.DefaultConfig().Store
	var sts []*store.Store
	defer func() {
		for _, st := range sts {
			st.Close()
		}
	}()
	for i := range n {
		st, err := store.Open(filepath.Join(dir, fmt.Sprint(i)), opts)
		if err != nil {
			return nil, err
		}
		sts = append(sts, st)
	}
	return idleWindows(ctx, e)
}

// idleWindows waits idleSettle, then returns the process's CPU use in
// cores over each of e.idleWindows windows of e.idleWindow.
func idleWindows(ctx context.Context, e *env) ([]float64, error) {
	if err := sleepCtx(ctx, idleSettle); err != nil {
		return nil, err
	}
	out := make([]float64, 0, e.idleWindows)
	for range e.idleWindows {
		runtime.GC()
		c0, t0 := cpuTime(), time.Now()
		if err := sleepCtx(ctx, e.idleWindow); err != nil {
			return nil, err
		}
		out = append(out, float64(cpuTime()-c0)/float64(time.Since(t0)))
	}
	return out, nil
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("bench: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}
