package testnet

import (
	"context"
	"fmt"
	"io"
	"time"
)

// timeline narrates the demo: every line carries the time elapsed since the
// demo started and the time since the previous line; measured figures are
// kept for the summary table.
type timeline struct {
	w     io.Writer
	start time.Time
	last  time.Time
	rows  []figure
	err   error // the first write error
}

// figure is one measured time of the summary table.
type figure struct {
	step  int
	label string
	d     time.Duration
}

func newTimeline(w io.Writer) *timeline {
	now := time.Now()
	return &timeline{w: w, start: now, last: now}
}

func (t *timeline) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// heading starts a step.
func (t *timeline) heading(n int, title string) {
	t.printf("\n== Step %d: %s ==\n", n, title)
}

// say prints one timed line: "[  2.31s] +420ms   text".
func (t *timeline) say(format string, args ...any) {
	now := time.Now()
	t.printf("[%7.2fs] %-9s %s\n", now.Sub(t.start).Seconds(), "+"+dur(now.Sub(t.last)), fmt.Sprintf(format, args...))
	t.last = now
}

// note prints an untimed line under the previous one.
func (t *timeline) note(format string, args ...any) {
	t.printf("%20s%s\n", "", fmt.Sprintf(format, args...))
}

// measured records a figure for the summary and returns it.
func (t *timeline) measured(step int, label string, d time.Duration) time.Duration {
	t.rows = append(t.rows, figure{step, label, d})
	return d
}

// summary prints the table of measured times.
func (t *timeline) summary() {
	t.printf("\n== Measured times (loopback, one process; waits polled every %v) ==\n", finePoll)
	for _, r := range t.rows {
		t.printf("  %d %9s  %s\n", r.step, dur(r.d), r.label)
	}
	t.printf("    %9s  %s\n", dur(time.Since(t.start)), "the whole demo")
}

// dur formats a duration for people: 0.31ms, 4.2ms, 312ms, 2.31s.
func dur(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// finePoll is how often the demo's measuring waits re-check their
// condition: the figures it reports are accurate to about this much.
const finePoll = time.Millisecond

// until polls cond every finePoll until it holds, and returns when it
// first held; what names the condition in the error.
func until(ctx context.Context, what string, cond func() bool) (time.Time, error) {
	t := time.NewTicker(finePoll)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
	return time.Now(), nil
}
