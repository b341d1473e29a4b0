package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/testnet"
)

// revocation measures, for revocations and suspensions, the time from the
// enactment's publication to the moment the last honest node denies the
// target and holds no connection to it, while the target keeps
// publishing; and how many of the target's later ops honest nodes took.
func revocation(ctx context.Context, e *env, s *Scenario) error {
	s.Method = fmt.Sprintf("N honest nodes run (full mesh, %v one-way per link through proxies). Each target is a member whose key "+
		"sits in a bare libp2p host (like testnet.Rogue) connected to every honest node and publishing a valid advisory chain "+
		"every 50 ms. r (revoke) or s (suspend) honest members vote; once the enactor counts the votes it publishes the enactment. "+
		"Timed: enactment publish call → the last honest node has Standing Denied for the target and no connection to it "+
		"(polled every 2 ms). Then the target publishes 0.5 s more; counted: its ops published after the enactment call "+
		"that some honest node stored, and that some honest node still counts (Node.Live) at the end", e.delay)
	ok := true
	var findings []string
	last := 0
	for _, n := range e.revokeN {
		rev, sus, err := revokeAt(ctx, e, n)
		if err != nil {
			if last == 0 || ctx.Err() != nil {
				return fmt.Errorf("at N=%d: %w", n, err)
			}
			s.note("N = %d not measured: %s", n, oneLine(err))
			break
		}
		last = n
		findings = nil
		for _, r := range []struct {
			kind string
			res  cutResults
		}{{"revoke", rev}, {"suspend", sus}} {
			x := row(fmt.Sprintf("%s N=%d", r.kind, n), "kring", n, 0, "ms", millis(r.res.cut))
			x.Extra = map[string]float64{"stored_after": float64(r.res.stored), "live_after": float64(r.res.live),
				"published_after": float64(r.res.published), "runs_never_cut_off": float64(len(r.res.failed))}
			for _, f := range r.res.failed {
				s.note("N = %d: not every node cut the target off within 30 s: %s", n, f)
			}
			s.Rows = append(s.Rows, x)
			e.logf("%s N=%d: cut-off p50 %.0f p99 %.0f ms; target ops after the enactment: %d published, %d stored, %d live",
				r.kind, n, x.Median, x.P99, r.res.published, r.res.stored, r.res.live)
			f := fmt.Sprintf("%s p99 %.0f ms, %d live after", r.kind, x.P99, r.res.live)
			if len(r.res.failed) > 0 {
				f += fmt.Sprintf(", %d runs never complete", len(r.res.failed))
			}
			findings = append(findings, f)
			ok = ok && x.P99 <= 1000 && r.res.live == 0 && len(r.res.failed) == 0
		}
	}
	s.judge(ok, "at N=%d: %s; %s", last, findings[0], findings[1])
	s.short(last, 50)
	s.note("\"stored after\" counts the target's ops that reached an honest node's store after the enactment was published, before that node had applied it; the log then voids them (they are concurrent with the enactment), which \"live after\" checks.")
	return nil
}

// cutResults are the figures of one kind of removal at one N.
type cutResults struct {
	cut                     []time.Duration
	published, stored, live int
	// failed describes the runs in which some node never cut the
	// target off.
	failed []string
}

// revokeAt runs revokeRuns revocations and as many suspensions among n
// honest nodes.
func revokeAt(ctx context.Context, e *env, n int) (rev, sus cutResults, err error) {
	dir, err := e.dir(fmt.Sprintf("revoke%d", n))
	if err != nil {
		return rev, sus, err
	}
	honest := names(n)
	var targets []string
	for i := range 2 * e.revokeRuns {
		targets = append(targets, fmt.Sprintf("T%02d", i))
	}
	c, err := newCircle(circleOpts{dir: dir, founders: append(append([]string{}, honest...), targets...), proxied: true, delay: e.delay})
	if err != nil {
		return rev, sus, err
	}
	defer c.close()
	if err := c.start(ctx, honest...); err != nil {
		return rev, sus, err
	}
	for _, name := range honest {
		if err := c.M(name).Node().WaitReady(ctx); err != nil {
			return rev, sus, err
		}
	}
	for i, t := range targets {
		res := &rev
		motion := c.M(t).Revoke()
		if i%2 == 1 {
			res, motion = &sus, c.M(t).Suspend(fmt.Sprintf("bench case %d", i))
		}
		d, pub, stored, live, err := cutOff(ctx, c, honest, c.M(t), motion)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			res.failed = append(res.failed, fmt.Sprintf("%s of %s: %s", motion.Kind, t, oneLine(err)))
			continue
		}
		if err != nil {
			return rev, sus, fmt.Errorf("%s of %s: %w", motion.Kind, t, err)
		}
		res.cut = append(res.cut, d)
		res.published += pub
		res.stored += stored
		res.live += live
	}
	return rev, sus, nil
}

// cutOff removes target by motion while it publishes, and returns the
// time until every honest node cut it off, and how many of its ops
// published after the enactment some honest node stored and still counts.
func cutOff(ctx context.Context, c *circle, honest []string, target *testnet.Member, motion protocol.Motion) (time.Duration, int, int, int, error) {
	ops, err := chainFrom(c.Genesis, target.Priv, 0, nil, 1200, 0)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	f, err := newFeeder(ctx, target.Priv, c.Genesis.Hash())
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer f.close()
	var wg sync.WaitGroup
	for _, name := range honest {
		wg.Add(1)
		go func() { defer wg.Done(); _ = f.connect(ctx, c.M(name).Node()) }()
	}
	wg.Wait()
	// The target publishes every 50 ms from now on.
	fctx, stop := context.WithCancel(ctx)
	sent := make([]time.Time, len(ops))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for i, op := range ops {
			sent[i] = time.Now()
			_ = f.publish(fctx, op.Bytes())
			select {
			case <-fctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	defer func() { stop(); <-done }()
	time.Sleep(300 * time.Millisecond)

	st := c.M(honest[0]).Node().State()
	need := int(st.Charter.Revoke)
	if motion.Kind == protocol.MotionSuspend {
		need = int(st.Charter.Suspend)
	}
	enactor := c.M(honest[0])
	for _, v := range honest[:need] {
		if _, err := c.M(v).Vote(ctx, motion); err != nil {
			return 0, 0, 0, 0, err
		}
	}
	if err := waitUntil(ctx, 20*time.Second, "the enactor to count the votes", func() bool {
		t, ok := enactor.Node().State().Tally(motion.Hash())
		return ok && len(t.Votes) >= need
	}); err != nil {
		return 0, 0, 0, 0, err
	}
	t0 := time.Now()
	enact, err := enactor.Enact(ctx, motion)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	var last time.Time
	cut := map[string]bool{}
	if err := waitUntil(ctx, 30*time.Second, "every honest node to cut the target off", func() bool {
		for _, name := range honest {
			nd := c.M(name).Node()
			if !cut[name] && nd.Standing(target.ID) == node.Denied && !nd.Connected(target.ID) {
				cut[name], last = true, time.Now()
			}
		}
		return len(cut) == len(honest)
	}); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("%w: %s", err, laggards(c, honest, cut, target, enact.Hash()))
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	<-done
	published, stored, live := 0, 0, 0
	for i, op := range ops {
		if sent[i].IsZero() || sent[i].Before(t0) {
			continue
		}
		published++
		s, l := false, false
		for _, name := range honest {
			nd := c.M(name).Node()
			if has, _ := nd.Has(op.Hash()); has {
				s = true
				if ok, _ := nd.Live(ctx, op.Hash()); ok {
					l = true
				}
			}
		}
		if s {
			stored++
		}
		if l {
			live++
		}
	}
	return last.Sub(t0), published, stored, live, nil
}

// laggards describes the honest nodes that have not cut the target off.
func laggards(c *circle, honest []string, cut map[string]bool, target *testnet.Member, enact protocol.Hash) string {
	var out []string
	for _, name := range honest {
		if cut[name] || len(out) == 3 {
			continue
		}
		nd := c.M(name).Node()
		has, _ := nd.Has(enact)
		out = append(out, fmt.Sprintf("%s: standing %s, connected %v, enactment stored %v",
			name, nd.Standing(target.ID), nd.Connected(target.ID), has))
	}
	return fmt.Sprintf("%d of %d nodes lag; %s", len(honest)-len(cut), len(honest), strings.Join(out, "; "))
}
