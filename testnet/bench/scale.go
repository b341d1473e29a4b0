package bench

import (
	"context"
	"fmt"
	"time"
)

// scale measures the gossip traffic per node per advisory as the circle
// grows, beside floodsub and gossipsub baselines on the same hosts.
func scale(ctx context.Context, e *env, s *Scenario) error {
	useSS := ssWorks()
	meter := "the kernel's per-socket TCP counters (iproute2 ss, bytes_received of every socket of the circle's connections)"
	if !useSS {
		meter = "a proxy in front of every node that adds no delay and counts every byte both ways"
	}
	s.Method = fmt.Sprintf("At each N, a full mesh (every Kring node dials every member; beyond %d founders, the rest are admitted "+
		"by endorsement and enrolment first), metered by %s: TCP payload, so Noise and yamux framing included. After a warm-up "+
		"advisory, the idle traffic is measured for %v; then %d advisories (%d-byte documents) are published from rotating nodes, "+
		"each waited for at every node. Bytes per node per advisory = (bytes during publishing − idle rate × that time) / N / "+
		"advisories. Baselines on bare hosts metered the same way: go-libp2p-pubsub floodsub, and gossipsub with Kring's router "+
		"settings. Message copies per node per advisory are counted the same way for all three, with a pubsub RawTracer on "+
		"every node (SendRPC, publish messages in each RPC; Kring's through node.Config.GossipTracer), after the same idle "+
		"period. Below N = 50 each figure is the median of %d circles, since a circle's copies depend on the meshes it formed. "+
		"Kring's stores are in memory here (the figure is about the wire)", maxFounders, meter, e.idle, e.scaleAdv, advisoryContentSize, max(1, e.scaleRepeats))
	if !useSS {
		if lim := raiseFileLimit(1 << 16); lim < 1<<15 {
			s.note("ss is not available, so proxies meter the traffic; the open-file limit is %d and N = 100 through proxies needs about 20,000 descriptors.", lim)
		}
	}
	var first, last map[string]float64
	for _, n := range e.scaleN {
		got, err := scaleAt(ctx, e, n, useSS)
		if err != nil {
			if first != nil && ctx.Err() == nil {
				s.note("N = %d not measured: %v", n, oneLine(err))
				break
			}
			return fmt.Errorf("at N=%d: %w", n, err)
		}
		s.Rows = append(s.Rows, got...)
		vals := map[string]float64{}
		for _, r := range got {
			vals[r.System+" "+r.Unit] = r.Median
		}
		if first == nil {
			first = vals
		}
		last = vals
		e.logf("N=%d: bytes/node/advisory kring %.0f, gossipsub %.0f, floodsub %.0f; messages/node/advisory kring %.1f, gossipsub %.1f, floodsub %.1f",
			n, vals["kring bytes"], vals["gossipsub (baseline) bytes"], vals["floodsub (baseline) bytes"],
			vals["kring msgs"], vals["gossipsub (baseline) msgs"], vals["floodsub (baseline) msgs"])
	}
	growth := func(k string) float64 { return last[k] / first[k] }
	from, to := e.scaleN[0], s.Rows[len(s.Rows)-1].N
	km := growth("kring msgs")
	s.judge(km <= 1.5, "from N=%d to N=%d, messages per node per advisory grow %.2f× for Kring, %.2f× for gossipsub, %.2f× for floodsub; bytes per node per advisory %.2f×, %.2f× and %.2f×",
		from, to, km, growth("gossipsub (baseline) msgs"), growth("floodsub (baseline) msgs"),
		growth("kring bytes"), growth("gossipsub (baseline) bytes"), growth("floodsub (baseline) bytes"))
	s.note("Messages are the copies of published messages the routers send (gossip control not included); bytes include them, IHAVE/IWANT gossip and, for Kring, its sync traffic.")
	s.short(to, 100)
	s.Charts = []string{"scale.png"}
	return nil
}

// scaleAt measures Kring, gossipsub and floodsub at N = n, on
// e.scaleRepeats circles of each below N = 50 and on one above: the copies
// a circle's routers send depend on the meshes it happened to form, and
// the goal divides by the figure at the smallest N.
func scaleAt(ctx context.Context, e *env, n int, useSS bool) ([]Row, error) {
	c := fmt.Sprintf("N=%d", n)
	runs := 1
	if n < 50 {
		runs = max(1, e.scaleRepeats)
	}
	var kb, km []float64
	for range runs {
		b, m, err := scaleKring(ctx, e, n, useSS)
		if err != nil {
			return nil, fmt.Errorf("kring: %w", err)
		}
		kb, km = append(kb, b), append(km, m)
	}
	rows := []Row{row(c, "kring", n, 0, "bytes", kb), row(c, "kring", n, 0, "msgs", km)}
	for _, router := range []string{gossipsubRouter, floodsubRouter} {
		var bs, ms []float64
		for range runs {
			b, m, err := scaleBaseline(ctx, e, n, router, useSS)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", router, err)
			}
			bs, ms = append(bs, b), append(ms, m)
		}
		rows = append(rows, row(c, router+" (baseline)", n, 0, "bytes", bs), row(c, router+" (baseline)", n, 0, "msgs", ms))
	}
	return rows, nil
}

// measureTraffic returns the bytes counted by total while publish runs
// for each of count advisories, minus the idle traffic of as long.
func measureTraffic(idle time.Duration, count int, total func() int64, publish func(i int) error) (float64, error) {
	b0, t0 := total(), time.Now()
	time.Sleep(idle)
	rate := float64(total()-b0) / time.Since(t0).Seconds()
	b1, t1 := total(), time.Now()
	for i := range count {
		if err := publish(i); err != nil {
			return 0, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // late gossip (IHAVE) of the last one
	b2 := total()
	if b0 < 0 || b2 < 0 {
		return 0, fmt.Errorf("bench: metering failed")
	}
	return float64(b2-b1) - rate*time.Since(t1).Seconds(), nil
}

func scaleKring(ctx context.Context, e *env, n int, useSS bool) (bytes, msgs float64, err error) {
	dir, err := e.dir(fmt.Sprintf("scale%d", n))
	if err != nil {
		return 0, 0, err
	}
	count := &counter{}
	c, all, err := growCircle(ctx, circleOpts{dir: dir, proxied: !useSS, inMemory: true, tcpOnly: true, tracer: count}, n)
	if err != nil {
		return 0, 0, err
	}
	defer c.close()
	for _, name := range all {
		if err := c.M(name).Node().WaitReady(ctx); err != nil {
			return 0, 0, err
		}
	}
	if _, err := publishAndWait(ctx, c, all[0], all, -1); err != nil {
		return 0, 0, fmt.Errorf("warm-up: %w", err)
	}
	total := c.bytes
	if useSS {
		ports, err := c.ports(all)
		if err != nil {
			return 0, 0, err
		}
		total = newSSMeter(ports).bytes
	}
	time.Sleep(time.Second)
	c0 := count.snapshot()
	b, err := measureTraffic(e.idle, e.scaleAdv, total, func(i int) error {
		_, err := publishAndWait(ctx, c, all[i%n], all, i)
		return err
	})
	m := count.snapshot().minus(c0)
	per := float64(n) * float64(e.scaleAdv)
	return b / per, float64(m.msgs) / per, err
}

func scaleBaseline(ctx context.Context, e *env, n int, router string, useSS bool) (bytes, msgs float64, err error) {
	p, err := newPSNet(ctx, n, router, !useSS, 0)
	if err != nil {
		return 0, 0, err
	}
	defer p.close()
	payload := func(i int) []byte { return []byte(fmt.Sprintf("%s %d %s", router, i, advisory(i).Content)) }
	if _, err := p.publishAndWait(ctx, 0, payload(-1)); err != nil {
		return 0, 0, fmt.Errorf("warm-up: %w", err)
	}
	total := p.bytes
	if useSS {
		ports, err := p.ports()
		if err != nil {
			return 0, 0, err
		}
		total = newSSMeter(ports).bytes
	}
	time.Sleep(time.Second)
	c0 := p.count.snapshot()
	b, err := measureTraffic(e.idle, e.scaleAdv, total, func(i int) error {
		_, err := p.publishAndWait(ctx, i%n, payload(i))
		return err
	})
	m := p.count.snapshot().minus(c0)
	per := float64(n) * float64(e.scaleAdv)
	return b / per, float64(m.msgs) / per, err
}
