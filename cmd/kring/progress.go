package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Catching up: a bar (or log lines) shows while the backlog is at least
// largeBacklog ops.
const (
	largeBacklog  = 500
	progressTick  = 500 * time.Millisecond
	progressLogAt = 10 * time.Second
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress watches the node's backlog while the daemon runs.
func (dm *daemon) progress(ctx context.Context, stderr io.Writer) {
	w := backlogWatch{backlog: dm.node.Backlog, out: stderr, tty: isTerminal(stderr), log: dm.log,
		tick: progressTick, logEvery: progressLogAt}
	w.run(ctx)
}

// backlogWatch shows catching up: while the backlog is large, a progress
// bar with rate and ETA on a terminal (tty), or a log line with the rate
// every logEvery otherwise.
type backlogWatch struct {
	backlog        func() int
	out            io.Writer
	tty            bool
	log            *slog.Logger
	tick, logEvery time.Duration

	bar        *progressbar.ProgressBar
	peak       int // the largest backlog of this catch-up; 0 when none
	lastLogged int
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
			w.step(w.backlog())
		}
	}
}

// step handles one sample of the backlog.
func (w *backlogWatch) step(b int) {
	switch {
	case w.peak == 0 && b < largeBacklog:
		return
	case w.peak == 0:
		w.peak, w.lastLogged, w.lastLog = b, b, time.Now()
		w.log.Info("catching up with the circle", "backlog", b)
		if w.tty {
			w.bar = progressbar.NewOptions(b, progressbar.OptionSetWriter(w.out),
				progressbar.OptionSetDescription("catching up"), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("ops"),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		return
	case b == 0:
		if w.bar != nil {
			_ = w.bar.Finish()
			w.bar = nil
		}
		w.log.Info("caught up with the circle", "ops", w.peak)
		w.peak = 0
		return
	}
	if b > w.peak { // the circle moved on while this node caught up
		if w.bar != nil {
			w.bar.ChangeMax(w.bar.GetMax() + b - w.peak)
		}
		w.peak = b
	}
	if w.bar != nil {
		_ = w.bar.Set(w.bar.GetMax() - b)
		return
	}
	if since := time.Since(w.lastLog); since >= w.logEvery {
		rate := float64(w.lastLogged-b) / since.Seconds()
		w.log.Info("catching up with the circle", "backlog", b, "ops_per_second", int(rate))
		w.lastLogged, w.lastLog = b, time.Now()
	}
}
