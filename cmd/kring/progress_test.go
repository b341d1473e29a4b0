package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
)

// TestBacklogWatch: no output for a small backlog; on a terminal a bar
// with count, rate and ETA; otherwise a log line every logEvery; and when
// caught up, a line with every op that arrived since the catch-up began,
// not just what the first sample still saw missing.
func TestBacklogWatch(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var out, logs bytes.Buffer
		clock := time.Unix(1e9, 0)
		w := backlogWatch{out: &out, tty: tty, log: slog.New(slog.NewTextHandler(&logs, nil)),
			logEvery: progressLogAt, now: func() time.Time { return clock }}
		w.step(node.CatchUp{Known: true, Backlog: 10, Base: 100}, 100)
		w.step(node.CatchUp{Known: true}, 110)
		if logs.Len() != 0 || out.Len() != 0 {
			t.Fatalf("tty=%v: output for a small backlog: %q %q", tty, logs.String(), out.String())
		}
		// 3,000 ops arrive in 3 s, sampled every 250 ms; 600 had arrived
		// in the 0.5 s before the first sample saw 2,400 missing.
		began := clock.Add(-500 * time.Millisecond)
		stored := 110 + 600
		for backlog := 2400; backlog > 0; backlog -= 250 {
			w.step(node.CatchUp{Known: true, Backlog: backlog, Base: 110, Since: began}, stored)
			if tty && w.bar != nil && w.bar.GetMax() != 3000 {
				t.Fatalf("bar max %d, want 3000", w.bar.GetMax())
			}
			clock = clock.Add(progressTick)
			stored += 250
		}
		w.step(node.CatchUp{Known: true}, 110+3000)
		if tty {
			if s := out.String(); !strings.Contains(s, "catching up") || !strings.Contains(s, "ops") {
				t.Errorf("bar output %q", s)
			}
		} else if out.Len() != 0 {
			t.Errorf("a bar on a non-terminal: %q", out.String())
		}
		if w.bar != nil || w.active {
			t.Errorf("tty=%v: not reset after catching up", tty)
		}
		l := logs.String()
		if !strings.Contains(l, `msg="catching up with the circle" backlog=2400 arrived=600`) ||
			!strings.Contains(l, `msg="caught up with the circle" ops=3000 took=3s ops_per_second=1000`) {
			t.Errorf("tty=%v: logs %q", tty, l)
		}
	}

	// A catch-up that ends between two looks is told of once.
	var logs bytes.Buffer
	began := time.Unix(1e9, 0)
	done := node.SyncDone{Ops: 3000, Began: began, Ended: began.Add(200 * time.Millisecond)}
	w := backlogWatch{log: slog.New(slog.NewTextHandler(&logs, nil)), logEvery: progressLogAt}
	w.step(node.CatchUp{Known: true, Last: done}, 3001)
	w.step(node.CatchUp{Known: true, Last: done}, 3001)
	w.step(node.CatchUp{Known: true, Last: node.SyncDone{Ops: 3, Began: began, Ended: began.Add(time.Minute)}}, 3004)
	if l := logs.String(); strings.Count(l, "caught up") != 1 || !strings.Contains(l, `msg="caught up with the circle" ops=3000 took=200ms ops_per_second=15000`) {
		t.Errorf("a quick catch-up:\n%s", l)
	}

	// A long catch-up logs every logEvery when no terminal watches.
	logs.Reset()
	clock := time.Unix(1e9, 0)
	w = backlogWatch{log: slog.New(slog.NewTextHandler(&logs, nil)), logEvery: progressLogAt,
		now: func() time.Time { return clock }}
	stored := 1
	for backlog := 12000; backlog >= 0; backlog -= 250 {
		w.step(node.CatchUp{Known: true, Backlog: backlog, Base: 1, Since: time.Unix(1e9, 0)}, stored)
		clock = clock.Add(progressTick)
		stored += 250
	}
	if n := strings.Count(logs.String(), "catching up with the circle"); n != 1+2 { // at 0 s, 5 s and 10 s
		t.Errorf("%d catching-up lines in a 12 s catch-up, want 3:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "ops_per_second=1000") || !strings.Contains(logs.String(), `msg="caught up with the circle" ops=12000`) {
		t.Errorf("logs of a long catch-up:\n%s", logs.String())
	}
}
