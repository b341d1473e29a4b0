package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kring-circle/kring/node"
)

// Catching up: a bar (or log lines) shows while the backlog is at least
// largeBacklog ops. The bar goes to stderr when stderr is a terminal, where
// a person watches; when stderr goes to a file or a journal, a log line
// reports progress every progressLogAt, and one more when caught up.
const (
	largeBacklog  = 500
	progressTick  = 250 * time.Millisecond
	progressLogAt = 5 * time.Second
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress watches the node's catching up while the daemon runs.
func (dm *daemon) progress(ctx context.Context, stderr io.Writer) {
	n := dm.node
	stored := func() int {
		l, _ := n.StoredOps()
		return l
	}
	w := backlogWatch{catchUp: n.CatchUp, stored: stored, out: stderr, tty: isTerminal(stderr), log: dm.log,
		tick: progressTick, logEvery: progressLogAt}
	w.run(ctx)
}

// backlogWatch shows catching up: while the backlog is large, a progress
// bar with rate and ETA on a terminal (tty), or a log line with the rate
// every logEvery otherwise; and when caught up, a log line with the ops
// that arrived and how long it took.
type backlogWatch struct {
	catchUp        func() node.CatchUp
	stored         func() int // ops in the store
	out            io.Writer
	tty            bool
	log            *slog.Logger
	tick, logEvery time.Duration
	now            func() time.Time // time.Now unless a test sets it

	bar        *progressbar.ProgressBar
	lastDone   time.Time // the end of the last sync told of
	active     bool
	base       int       // ops stored when this catch-up began
	began      time.Time // when it began
	lastStored int
	lastLog    time.Time
}

func (w *backlogWatch) run(ctx context.Context) {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if w.bar != nil {
				_ = w.bar.Exit()
			}
			return
		case <-t.C:
			w.step(w.catchUp(), w.stored())
		}
	}
}

func (w *backlogWatch) clock() time.Time {
	if w.now != nil {
		return w.now()
	}
	return time.Now()
}

// step handles one sample: the node's catch-up and the ops it has stored.
func (w *backlogWatch) step(cu node.CatchUp, stored int) {
	now := w.clock()
	quick := cu.Last.Ended.After(w.lastDone) // a sync completed since the last look
	if quick {
		w.lastDone = cu.Last.Ended
	}
	switch {
	case !w.active && cu.Backlog < largeBacklog:
		if quick && cu.Last.Ops >= largeBacklog { // a catch-up too quick for a look in between
			took := cu.Last.Ended.Sub(cu.Last.Began)
			w.log.Info("caught up with the circle", "ops", cu.Last.Ops, "took", took.Round(100*time.Millisecond).String(),
				"ops_per_second", rate(cu.Last.Ops, took))
		}
		return
	case !w.active:
		w.active, w.base, w.began = true, cu.Base, cu.Since
		if w.began.IsZero() || w.began.After(now) {
			w.began = now
		}
		w.lastStored, w.lastLog = stored, now
		w.log.Info("catching up with the circle", "backlog", cu.Backlog, "arrived", stored-w.base)
		if w.tty {
			w.bar = progressbar.NewOptions(stored-w.base+cu.Backlog, progressbar.OptionSetWriter(w.out),
				progressbar.OptionSetDescription("catching up"), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("ops"),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
			_ = w.bar.Set(stored - w.base)
		}
		return
	case cu.Backlog == 0:
		if w.bar != nil {
			_ = w.bar.Finish()
			w.bar = nil
		}
		took := now.Sub(w.began)
		w.log.Info("caught up with the circle", "ops", stored-w.base, "took", took.Round(100*time.Millisecond).String(),
			"ops_per_second", rate(stored-w.base, took))
		w.active = false
		return
	}
	if cu.Base > 0 && cu.Base < w.base { // an earlier sync still counts
		w.base, w.began = cu.Base, cu.Since
	}
	arrived := stored - w.base
	if w.bar != nil {
		if total := arrived + cu.Backlog; total > w.bar.GetMax() { // the circle moved on
			w.bar.ChangeMax(total)
		}
		_ = w.bar.Set(arrived)
		return
	}
	if since := now.Sub(w.lastLog); since >= w.logEvery {
		w.log.Info("catching up with the circle", "backlog", cu.Backlog, "arrived", arrived,
			"ops_per_second", rate(stored-w.lastStored, since))
		w.lastStored, w.lastLog = stored, now
	}
}

// rate is n per second over d.
func rate(n int, d time.Duration) int {
	if d <= 0 {
		return n
	}
	return int(float64(n) / d.Seconds())
}
