package bench

import (
	"context"
	"fmt"
	"time"
)

// catchup measures how fast a node that was offline while many ops were
// published reaches the identical op set after it restarts.
// catchupGoal is the catch-up rate, in ops a second, the largest log of
// the plan must reach (issue 19).
const catchupGoal = 25_000

func catchup(ctx context.Context, e *env, s *Scenario) error {
	s.Method = "Five founders run on loopback without proxies, durable badger stores. D stops. While it is down, the circle's " +
		"log grows by the pre-signed stream of the ingest scenario (written into A's, B's and C's stores while they are " +
		"stopped, then they restart: the same op set as if they had published it). Timed: D's restart (node start, redial from " +
		"its address book, sync from every member it reaches) → D holds the identical op set and State as A (testnet.Converged)"
	ok := true
	var parts []string
	worstDup := 0.0
	for _, count := range e.catchupOps {
		d, avg, dups, err := catchupOnce(ctx, e, count)
		if err != nil {
			return fmt.Errorf("%d ops: %w", count, err)
		}
		rate := float64(count) / d.Seconds()
		x := row(fmt.Sprintf("%d ops", count), "kring", 5, avg, "ops/s", []float64{rate})
		x.Extra = map[string]float64{"seconds": d.Seconds(), "duplicates_judged": float64(dups)}
		s.Rows = append(s.Rows, x)
		e.logf("%d ops: %.1f s, %.0f ops/s; %d duplicates judged", count, d.Seconds(), rate, dups)
		worstDup = max(worstDup, float64(dups)/float64(count))
		parts = append(parts, fmt.Sprintf("%d ops in %.1f s = %.0f ops/s", count, d.Seconds(), rate))
		if count == e.catchupOps[len(e.catchupOps)-1] && rate < catchupGoal {
			ok = false
		}
	}
	s.judge(ok, "%s", joinAnd(parts))
	if worstDup > 0.5 {
		s.note("The restarted node syncs with every member it reaches at once, and each sync pulls the same missing ranges: it judged up to %.1f duplicate ops per op it stored (Node.Verdicts \"ignore/duplicate\"), so most of its work was wasted. Syncing the missing ranges from one member at a time (or splitting them between members) would cut that work.", worstDup)
	}
	if !ok {
		s.note("Catch-up runs through the same path as ingest by sync (see scenario 2): per op a strict decode, a signature check, the trust engine and a durable commit; the sync client pulls ranges in bounded batches, asking for the next batch as soon as one arrives, before verifying it.")
	}
	return nil
}

// catchupOnce returns the catch-up time of count ops, their mean size,
// and how many duplicate ops D judged while catching up.
func catchupOnce(ctx context.Context, e *env, count int) (time.Duration, int, uint64, error) {
	dir, err := e.dir(fmt.Sprintf("catchup%d", count))
	if err != nil {
		return 0, 0, 0, err
	}
	c, err := newCircle(circleOpts{dir: dir, founders: streamFounders, unpaced: true})
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.close()
	c.rec.pause(true)
	st, err := e.streamOf(c.Genesis, count)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := c.start(ctx, streamFounders...); err != nil {
		return 0, 0, 0, fmt.Errorf("starting the founders: %w", err)
	}
	// E (no stream author) publishes, so every node has met every other
	// and D's address book is filled.
	if _, err := c.M("E").Node().Publish(ctx, advisory(0)); err != nil {
		return 0, 0, 0, fmt.Errorf("publishing from E: %w", err)
	}
	if err := c.WaitConverged(ctx); err != nil {
		return 0, 0, 0, fmt.Errorf("waiting for E's advisory everywhere: %w", err)
	}
	time.Sleep(2500 * time.Millisecond) // one address-book save (SyncInterval)
	for _, name := range []string{"D", "A", "B", "C"} {
		if err := c.M(name).Stop(); err != nil {
			return 0, 0, 0, fmt.Errorf("stopping %s: %w", name, err)
		}
	}
	for _, name := range streamAuthors {
		if err := putStream(c.M(name).Dir, st); err != nil {
			return 0, 0, 0, err
		}
		if err := c.M(name).Start(ctx); err != nil {
			return 0, 0, 0, fmt.Errorf("restarting %s: %w", name, err)
		}
	}
	if err := c.connectAll(ctx); err != nil {
		return 0, 0, 0, fmt.Errorf("connecting the restarted authors: %w", err)
	}
	want, err := c.M("A").Node().StoredOps()
	if err != nil {
		return 0, 0, 0, err
	}
	d := c.M("D")
	t0 := time.Now()
	if err := d.Start(ctx); err != nil {
		return 0, 0, 0, fmt.Errorf("restarting D: %w", err)
	}
	if err := waitLen(ctx, d, want); err != nil {
		return 0, 0, 0, err
	}
	if err := waitUntil(ctx, time.Minute, "D to converge with A", func() bool {
		same, _ := c.Converged("A", "D")
		return same
	}); err != nil {
		return 0, 0, 0, err
	}
	elapsed := time.Since(t0)
	return elapsed, st.avg(), d.Node().Verdicts()["ignore/duplicate"], nil
}

// joinAnd joins parts with "; ".
func joinAnd(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}
