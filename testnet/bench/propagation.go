package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// propRun is what one circle measured: propagation times (until durable
// at the last node, and until visible there), the ops' bytes, the CPU the
// idle circle used (cores' worth), and, for durable stores, how long n
// stores took to commit one op at once (diskCommits). Two diagnostic
// times split the way to the last node: the publisher's own commit
// (publish call → the op durable at the publisher, which sends it only
// then) and the first other node's visibility.
type propRun struct {
	lat      []time.Duration
	vis      []time.Duration
	pub      []time.Duration
	first    []time.Duration
	payloads [][]byte
	idleCPU  float64
	disk     []time.Duration
}

// propagation measures, at each N, the time from an advisory's publish
// call to the moment the last node has stored it (Kring), beside the same
// bytes published on raw gossipsub over the same kind of hosts, links and
// full-mesh topology (baseline).
func propagation(ctx context.Context, e *env, s *Scenario) error {
	s.Method = fmt.Sprintf("Each run publishes one advisory (%d-byte JSON document) from a rotating node of a full mesh "+
		"(every Kring node dials every member) and times publish call → visible at the last node (judged, counted in the State and "+
		"readable through the API: node.Config.OnVisible) and → durable there (its store write synced: node.Config.OnStored); "+
		"Live is checked afterwards at every node. Every link has %v one-way latency, emulated in user space by a "+
		"TCP proxy in front of each node that holds every chunk for the delay in each direction (the kernel has no netem). "+
		"Baseline: bare libp2p hosts (TCP, Noise, yamux) behind the same proxies, full mesh, go-libp2p-pubsub gossipsub "+
		"with Kring's router settings (StrictNoSign, content IDs, flood publishing, same heartbeat and queues) and no "+
		"validator or store, publishing the very bytes of Kring's ops; timed publish → delivered at the last subscriber. "+
		"A diagnostic row repeats Kring with in-memory stores (no disk writes): all nodes of the process share one disk. "+
		"Another times that disk alone: N durable stores commit the same op at once, and the last commit's return is taken (20 ops). "+
		"Two more split Kring's way to the last node: the publisher's synced commit (publish call → the op durable at the publisher, "+
		"which sends it only then: node.Config.OnStored there) and publish call → visible at the first other node. "+
		"Extra idle_cpu_cores: CPU the idle circle used over %v before the runs",
		advisoryContentSize, e.delay, e.idle)
	ok := true
	var worst float64
	var diag []string
	reached := 0
	for _, n := range e.propN {
		k, m, b, err := propagateAll(ctx, e, n)
		if err != nil {
			if reached == 0 || ctx.Err() != nil {
				return err
			}
			s.note("N = %d not measured: %s", n, oneLine(err))
			break
		}
		reached = n
		c := fmt.Sprintf("N=%d", n)
		size := len(k.payloads[0])
		br := row(c, "gossipsub (baseline)", n, size, "ms", millis(b.lat))
		kr := row(c, "kring, visible", n, size, "ms", millis(k.vis))
		kd := row(c, "kring, durable (diagnostic)", n, size, "ms", millis(k.lat))
		mr := row(c, "kring, in-memory stores (diagnostic)", n, size, "ms", millis(m.vis))
		dr := row(c, "disk: N synced commits at once (diagnostic)", n, size, "ms", millis(k.disk))
		pr := row(c, "kring, the publisher's synced commit (diagnostic)", n, size, "ms", millis(k.pub))
		fr := row(c, "kring, visible at the first other node (diagnostic)", n, size, "ms", millis(k.first))
		for _, x := range []*Row{&kr, &kd, &mr} {
			x.Ratio, x.RatioOf = x.P99/br.P99, "p99"
		}
		kr.Extra = map[string]float64{"idle_cpu_cores": k.idleCPU}
		mr.Extra = map[string]float64{"idle_cpu_cores": m.idleCPU}
		br.Extra = map[string]float64{"idle_cpu_cores": b.idleCPU}
		s.Rows = append(s.Rows, kr, kd, mr, pr, fr, dr, br)
		e.logf("N=%d: kring visible p50 %.1f p99 %.1f ms, durable p50 %.1f p99 %.1f ms (in memory p50 %.1f p99 %.1f); gossipsub p50 %.1f p99 %.1f ms; ratio p99 %.2f (durable %.2f, in memory %.2f); %d synced commits at once: p50 %.1f p99 %.1f ms; idle CPU %.2f / %.2f cores",
			n, kr.Median, kr.P99, kd.Median, kd.P99, mr.Median, mr.P99, br.Median, br.P99, kr.Ratio, kd.Ratio, mr.Ratio, n, dr.Median, dr.P99, k.idleCPU, b.idleCPU)
		ok = ok && kr.Ratio <= 1.3
		worst = max(worst, kr.Ratio)
		diag = append(diag, fmt.Sprintf("N = %d: %.2f× visible, %.2f× durable, %.2f× in memory, %d commits at once %.0f ms p50, the publisher's commit %.1f ms p50 and %.1f ms p99",
			n, kr.Ratio, kd.Ratio, mr.Ratio, n, dr.Median, pr.Median, pr.P99))
	}
	s.judge(ok, "worst Kring visible/gossipsub p99 ratio %.2f×", worst)
	s.short(reached, e.propN[len(e.propN)-1])
	if !ok {
		s.note("Kring does more than raw gossipsub: every node decodes, verifies and judges the op before pubsub forwards it (members see it then; its store write and sync follow), and the publisher commits the op with its seq, synced, before it sends it; the baseline forwards and delivers on receipt and stores nothing. "+
			"The diagnostic rows separate the disk from the rest (%s). All nodes of this process share one disk, where N commits at once take far longer than one: a cost that grows with N here, where each member's own server would have its own disk.", strings.Join(diag, "; "))
	}
	s.Charts = []string{"propagation.png"}
	return nil
}

// propFromEnv lets the environment choose the circle sizes of the
// propagation scenario (KRING_BENCH_PROP_N, e.g. "25" or "25,50") and
// its runs at each (KRING_BENCH_PROP_RUNS), so that one size can be
// measured alone, in --quick or not.
func (p *plan) propFromEnv() error {
	if v := os.Getenv("KRING_BENCH_PROP_N"); v != "" {
		var ns []int
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 2 {
				return fmt.Errorf("bench: KRING_BENCH_PROP_N=%q: want circle sizes of at least 2, comma-separated", v)
			}
			ns = append(ns, n)
		}
		p.propN = ns
	}
	if v := os.Getenv("KRING_BENCH_PROP_RUNS"); v != "" {
		runs, err := strconv.Atoi(v)
		if err != nil || runs < 1 {
			return fmt.Errorf("bench: KRING_BENCH_PROP_RUNS=%q: want a number of runs of at least 1", v)
		}
		p.propRuns = runs
	}
	return nil
}

// propagateAll measures Kring (durable, then in-memory stores) and the
// baseline at n.
func propagateAll(ctx context.Context, e *env, n int) (kring, mem, base propRun, err error) {
	if kring, err = propagateKring(ctx, e, n, false); err != nil {
		return kring, mem, base, fmt.Errorf("kring at N=%d: %w", n, err)
	}
	if mem, err = propagateKring(ctx, e, n, true); err != nil {
		return kring, mem, base, fmt.Errorf("kring in memory at N=%d: %w", n, err)
	}
	if base, err = propagateBaseline(ctx, e, n, kring.payloads); err != nil {
		return kring, mem, base, fmt.Errorf("gossipsub at N=%d: %w", n, err)
	}
	return kring, mem, base, nil
}

// idleCPU returns the cores' worth of CPU this process uses over d.
func idleCPU(d time.Duration) float64 {
	c0, t0 := cpuTime(), time.Now()
	time.Sleep(d)
	return float64(cpuTime()-c0) / float64(time.Since(t0))
}

// propagateKring measures propRuns advisories in a circle of n.
func propagateKring(ctx context.Context, e *env, n int, inMemory bool) (propRun, error) {
	var r propRun
	dir, err := e.dir(fmt.Sprintf("prop%d", n))
	if err != nil {
		return r, err
	}
	all := names(n)
	c, err := newCircle(circleOpts{dir: dir, founders: all, proxied: true, delay: e.delay, inMemory: inMemory})
	if err != nil {
		return r, err
	}
	defer c.close()
	if err := c.start(ctx, all...); err != nil {
		return r, err
	}
	for _, name := range all {
		if err := c.M(name).Node().WaitReady(ctx); err != nil {
			return r, fmt.Errorf("%s ready: %w", name, err)
		}
	}
	// Warm up: one advisory everywhere, then let meshes settle.
	if _, err := publishAndWait(ctx, c, all[0], all, -1); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	r.idleCPU = idleCPU(e.idle)
	for i := range e.propRuns {
		t0 := time.Now()
		d, op, err := publishAndWaitOp(ctx, c, all[i%n], all, i)
		if err != nil {
			return r, fmt.Errorf("run %d: %w", i, err)
		}
		seen, ok := c.vis.last(op.Hash(), all)
		if !ok {
			return r, fmt.Errorf("run %d: advisory durable but never visible at some node", i)
		}
		r.vis = append(r.vis, seen.Sub(t0))
		// Every node stored the op and saw it (waitAll, last above).
		stored, _ := c.rec.at(op.Hash(), all[i%n])
		r.pub = append(r.pub, stored.Sub(t0))
		first, _ := c.vis.first(op.Hash(), slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == all[i%n] }))
		r.first = append(r.first, first.Sub(t0))
		for _, name := range all {
			if live, err := c.M(name).Node().Live(ctx, op.Hash()); err != nil || !live {
				return r, fmt.Errorf("run %d: advisory not live at %s (%v)", i, name, err)
			}
		}
		r.lat = append(r.lat, d)
		r.payloads = append(r.payloads, op.Bytes())
		time.Sleep(20 * time.Millisecond)
	}
	if !inMemory {
		if r.disk, err = diskCommits(ctx, e, n, c.Genesis, c.M(all[0]).Priv); err != nil {
			return r, fmt.Errorf("disk: %w", err)
		}
	}
	return r, nil
}

// publishAndWait publishes advisory i from publisher and returns the time
// until every named node stored it.
func publishAndWait(ctx context.Context, c *circle, publisher string, all []string, i int) (time.Duration, error) {
	d, _, err := publishAndWaitOp(ctx, c, publisher, all, i)
	return d, err
}

func publishAndWaitOp(ctx context.Context, c *circle, publisher string, all []string, i int) (time.Duration, *protocol.Op, error) {
	nd := c.M(publisher).Node()
	t0 := time.Now()
	op, err := nd.Publish(ctx, advisory(i))
	if err != nil {
		return 0, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	last, err := c.rec.waitAll(wctx, op.Hash(), all)
	if err != nil {
		return 0, nil, err
	}
	return last.Sub(t0), op, nil
}

// propagateBaseline publishes payloads on raw gossipsub among n hosts and
// returns the time until every host delivered each.
func propagateBaseline(ctx context.Context, e *env, n int, payloads [][]byte) (propRun, error) {
	r := propRun{payloads: payloads}
	p, err := newPSNet(ctx, n, gossipsubRouter, true, e.delay)
	if err != nil {
		return r, err
	}
	defer p.close()
	warm := append([]byte("warm-up "), payloads[0]...)
	if _, err := p.publishAndWait(ctx, 0, warm); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	r.idleCPU = idleCPU(e.idle)
	for i, b := range payloads {
		d, err := p.publishAndWait(ctx, i%n, b)
		if err != nil {
			return r, fmt.Errorf("run %d: %w", i, err)
		}
		r.lat = append(r.lat, d)
		time.Sleep(20 * time.Millisecond)
	}
	return r, nil
}

// publishAndWait publishes b from host i and returns the time until every
// host delivered it.
func (p *psNet) publishAndWait(ctx context.Context, i int, b []byte) (time.Duration, error) {
	t0 := time.Now()
	if err := p.publish(ctx, i, b); err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	last, err := p.rec.waitAll(wctx, hashOf(b), p.names)
	if err != nil {
		return 0, err
	}
	return last.Sub(t0), nil
}
