package bench

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"
)

// footprint measures an idle daemon's resident memory (a real process),
// the heap each in-process node adds, and the store's size per 1,000
// advisories.
func footprint(ctx context.Context, e *env, s *Scenario) error {
	s.Method = fmt.Sprintf("Idle daemon: three organisations set up with the real CLI (init, genesis draft/sign/finalize/install) "+
		"run `kring run` as separate processes on loopback, connected to each other and otherwise idle; after 10 s each one's resident memory is read from "+
		"/proc: the daemon process's VmRSS plus the anonymous memory of the kring run process that watches it for crashes. Heap per node: Go heap in use (after GC) and process RSS added by starting %d in-process nodes "+
		"(durable stores, full mesh, one advisory shared, 2 s idle), divided by N. Store: one node publishes %d advisories "+
		"(%d-byte documents); the disk space of its store directory after closing, minus that of a store holding the genesis "+
		"only, per 1,000", e.footN, e.storeAdvisories, advisoryContentSize)
	heap, rss, err := heapPerNode(ctx, e)
	if err != nil {
		return fmt.Errorf("heap per node: %w", err)
	}
	c := fmt.Sprintf("N=%d", e.footN)
	s.Rows = append(s.Rows, row(c, "kring: Go heap per node", e.footN, 0, "MiB", []float64{heap}),
		row(c, "kring: process RSS per node", e.footN, 0, "MiB", []float64{rss}))
	e.logf("per in-process node: heap %.1f MiB, RSS %.1f MiB", heap, rss)
	s.note("Go heap in use per in-process node can exceed the RSS it adds: badger allocates its memtable arenas up front, and pages it has not touched are not resident. The RSS difference is taken inside a process that ran the other scenarios before, so it is rough; the separate daemon processes give the clean figure.")
	per1000, raw, err := storeSize(ctx, e)
	if err != nil {
		return fmt.Errorf("store size: %w", err)
	}
	s.Rows = append(s.Rows, row(fmt.Sprintf("%d advisories", e.storeAdvisories), "kring: store per 1,000 advisories", 0, int(raw/1000), "MiB", []float64{per1000}))
	e.logf("store: %.2f MiB per 1,000 advisories (ops themselves %.2f MiB)", per1000, raw/(1<<20))
	if e.noDaemon {
		s.notMeasured("idle daemon skipped in this run")
		return nil
	}
	daemons, peers, err := daemonRSS(ctx, e)
	if err != nil {
		s.notMeasured("idle daemon: " + oneLine(err))
		s.note("The in-process figures above were measured; the idle daemon's resident memory was not: %v", oneLine(err))
		return nil
	}
	d := row("3 daemons, idle", "kring run (real process)", 3, 0, "MiB", daemons)
	s.Rows = append([]Row{d}, s.Rows...)
	e.logf("idle daemon RSS: median %.1f MiB, max %.1f MiB; peers %v", d.Median, d.Max, peers)
	s.note("The daemons' peer counts (kring status) when measured: %v.", peers)
	logOK, logFinding := logFootprint(ctx, e, s)
	s.judge(d.Max <= 64 && logOK, "idle daemon %.1f MiB resident (max of 3 %.1f MiB); %s; %.1f MiB heap per in-process node; %.2f MiB store per 1,000 advisories",
		d.Median, d.Max, logFinding, heap, per1000)
	if e.logAdvisories < logGoalAdvisories {
		s.Outcome = fmt.Sprintf("%s with %d advisories only (goal with %d)", s.Outcome, e.logAdvisories, logGoalAdvisories)
	}
	return nil
}

// logGoalAdvisories is the log the memory goals hold for.
const logGoalAdvisories = 100_000

// logFootprint measures daemons holding e.logAdvisories small advisories
// (idle, and one catching them up from an empty store) and the heap of an
// in-process node holding them by owner. It adds the rows and notes to s
// and returns whether the goals are met, and the finding.
func logFootprint(ctx context.Context, e *env, s *Scenario) (bool, string) {
	n := e.logAdvisories
	heap, owners, err := heapByOwner(ctx, e, n)
	if err != nil {
		s.note("The heap of an in-process node holding %d advisories was not measured: %v", n, oneLine(err))
	} else {
		x := row(fmt.Sprintf("in-process node holding %d advisories", n), "kring: Go heap in use", 1, 0, "MiB", []float64{heap})
		x.Extra = owners
		s.Rows = append(s.Rows, x)
		e.logf("in-process node holding %d advisories: heap %.1f MiB (%s)", n, heap, ownersLine(owners))
		s.note("Heap of an in-process node holding %d advisories, after GC: %.1f MiB; by owner (from the heap profile: the innermost package on the stack of what is in use, reads the store makes for the engine counting as the engine's; \"other\" includes what the benchmark process itself holds): %s.",
			n, heap, ownersLine(owners))
	}
	f, err := logDaemons(ctx, e, n)
	if err != nil {
		s.note("Daemons holding %d advisories were not measured: %v", n, oneLine(err))
		return false, fmt.Sprintf("daemons holding %d advisories not measured", n)
	}
	idle := row(fmt.Sprintf("2 daemons holding %d advisories, idle", n), "kring run (real process)", 2, f.opSize, "MiB", f.idle)
	peak := row(fmt.Sprintf("catch-up of %d ops from an empty store", n), "kring run (real process), peak", 1, f.opSize, "MiB", []float64{f.peak})
	peak.Extra = map[string]float64{"seconds": f.catchup.Seconds()}
	s.Rows = append(s.Rows, idle, peak)
	e.logf("daemons holding %d advisories: idle RSS %v MiB; catch-up peak %.1f MiB in %.1f s", n, f.idle, f.peak, f.catchup.Seconds())
	s.note("Log footprint: three organisations set up with the real CLI; %d advisories of about %d bytes, signed by the first, are written into the first two's stores before they start (as if received); "+
		"they run `kring run` until their status shows every op, idle %s more, and their resident memory is read as for the idle daemon. "+
		"Then the third starts with only the genesis and syncs every op from them; its peak resident memory (the daemon's VmHWM plus the watcher's anonymous memory) is read once its status shows every op (%.1f s).",
		n, f.opSize, e.logSettle, f.catchup.Seconds())
	ok := idle.Max <= 128 && f.peak <= 256
	return ok, fmt.Sprintf("holding %d advisories %.1f MiB (max of 2 %.1f MiB), catch-up peak %.1f MiB", n, idle.Median, idle.Max, f.peak)
}

// heapPerNode returns the Go heap and the process RSS that each of footN
// in-process nodes adds, in MiB.
func heapPerNode(ctx context.Context, e *env) (heap, rss float64, err error) {
	dir, err := e.dir("heap")
	if err != nil {
		return 0, 0, err
	}
	all := names(e.footN)
	c, err := newCircle(circleOpts{dir: dir, founders: all})
	if err != nil {
		return 0, 0, err
	}
	defer c.close()
	var m0, m1 runtime.MemStats
	debug.FreeOSMemory() // return what earlier scenarios freed
	runtime.ReadMemStats(&m0)
	r0 := rssBytes(0)
	if err := c.start(ctx, all...); err != nil {
		return 0, 0, err
	}
	if err := c.M(all[0]).Node().WaitReady(ctx); err != nil {
		return 0, 0, err
	}
	if _, err := publishAndWait(ctx, c, all[0], all, 0); err != nil {
		return 0, 0, err
	}
	time.Sleep(2 * time.Second)
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m1)
	r1 := rssBytes(0)
	n := float64(e.footN)
	return float64(m1.HeapInuse-m0.HeapInuse) / n / (1 << 20), float64(r1-r0) / n / (1 << 20), nil
}

// storeSize returns the store's disk space per 1,000 advisories in MiB,
// and the advisories' own encoded size per 1,000 in bytes.
func storeSize(ctx context.Context, e *env) (per1000, raw float64, err error) {
	dir, err := e.dir("store")
	if err != nil {
		return 0, 0, err
	}
	founders := []string{"S", "T", "U"}
	c, err := newCircle(circleOpts{dir: dir, founders: founders, unpaced: true})
	if err != nil {
		return 0, 0, err
	}
	defer c.close()
	c.rec.pause(true)
	if err := c.start(ctx, founders...); err != nil {
		return 0, 0, err
	}
	if err := c.M("S").Node().WaitReady(ctx); err != nil {
		return 0, 0, err
	}
	// U stops with the genesis alone: the empty store's size.
	if err := c.M("U").Stop(); err != nil {
		return 0, 0, err
	}
	var bytes int
	for i := range e.storeAdvisories {
		op, err := c.M("S").Node().Publish(ctx, advisory(i))
		if err != nil {
			return 0, 0, err
		}
		bytes += len(op.Bytes())
	}
	if err := c.M("S").Stop(); err != nil {
		return 0, 0, err
	}
	full, err := dirSize(c.M("S").Dir)
	if err != nil {
		return 0, 0, err
	}
	empty, err := dirSize(c.M("U").Dir)
	if err != nil {
		return 0, 0, err
	}
	k := float64(e.storeAdvisories) / 1000
	return float64(full-empty) / k / (1 << 20), float64(bytes) / k, nil
}

// dirSize is the disk space the files under dir take.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += allocated(info)
		}
		return err
	})
	return n, err
}
