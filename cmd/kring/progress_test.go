package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestBacklogWatch: no output for a small backlog; on a terminal a bar
// with count, rate and ETA; otherwise log lines; "caught up" at 0.
func TestBacklogWatch(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var out, logs bytes.Buffer
		w := backlogWatch{out: &out, tty: tty, log: slog.New(slog.NewTextHandler(&logs, nil))}
		w.step(10)
		if logs.Len() != 0 || out.Len() != 0 {
			t.Fatalf("tty=%v: output for a small backlog: %q %q", tty, logs.String(), out.String())
		}
		w.step(1000)
		w.step(1200) // the circle moved on
		w.step(600)
		if tty {
			if w.bar == nil || w.bar.GetMax() != 1200 {
				t.Fatalf("bar = %v", w.bar)
			}
			if s := out.String(); !strings.Contains(s, "catching up") || !strings.Contains(s, "ops") {
				t.Errorf("bar output %q", s)
			}
		} else if out.Len() != 0 {
			t.Errorf("a bar on a non-terminal: %q", out.String())
		}
		w.step(0)
		if w.bar != nil || w.peak != 0 {
			t.Errorf("tty=%v: not reset after catching up", tty)
		}
		l := logs.String()
		if !strings.Contains(l, "catching up with the circle") || !strings.Contains(l, "backlog=1000") ||
			!strings.Contains(l, "caught up with the circle") || !strings.Contains(l, "ops=1200") {
			t.Errorf("tty=%v: logs %q", tty, l)
		}
	}
}
