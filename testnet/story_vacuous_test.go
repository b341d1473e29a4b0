package testnet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// An expectation cannot hold by the absence of what it names: a node that
// does not run has no op and no connection, one that lacks an op neither
// counts it nor holds it void, "all" of no running node is
// no one, one node alone is trivially converged, and split is checked
// once, as TestStories documents, not polled until the nodes drift apart.
// Nor can it hold by ignoring a term: needs=N is checked, though the
// parser takes it for an option, and an option expect does not know is an
// error.
func TestStoryExpectationsAreNotVacuous(t *testing.T) {
	net, ctx := circleStarting(t, []string{"A", "B", "C"}, []string{"A", "B"})
	s := &story{t: t, ctx: ctx, dir: t.TempDir(), net: net, ops: map[string]*protocol.Op{"genesis": net.Genesis}}
	if _, held := s.exec(`C sign-anyway "not running" as=c`); held {
		t.Error("C, not running, signed")
	}
	if _, held := s.exec("connect A,C"); held {
		t.Error("connect A,C held with C not running")
	}
	late, err := net.M("A").SignAnyway(&protocol.Advisory{Title: "never sent", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	s.ops["late"] = late
	for _, cmd := range []string{"expect A,B has genesis wait=0", "expect A connected B", "expect A,B A member needs=0 wait=0"} {
		if out, held := s.exec(cmd); !held {
			t.Fatalf("%s: %q, want it to hold", cmd, out)
		}
	}
	for _, cmd := range []string{
		"expect C lacks genesis wait=0",
		"expect C disconnected A wait=0",
		"expect C disconnected A for=100ms",
		"expect A refuse C",
		"expect C refuse A",
		"expect converged A",
		"expect split A,B",
		"expect A,B void late wait=0",
		"expect A,B live late wait=0",
		"expect A,B A member needs=2 wait=0",
		"expect A,B A member needs=0 within=1s",
	} {
		// Each command gets a few seconds: one that polls until the
		// deadline fails late, not never.
		var cancel context.CancelFunc
		s.ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
		start := time.Now()
		out, held := s.exec(cmd)
		cancel()
		if held {
			t.Errorf("%s held: %q", cmd, out)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s took %v to fail, want at once", cmd, d.Round(time.Millisecond))
		}
		t.Logf("%s: %s", cmd, strings.Join(out, "; "))
	}

	none, _ := circleStarting(t, []string{"D", "E", "F"}, nil)
	s = &story{t: t, ctx: ctx, dir: t.TempDir(), net: none, ops: map[string]*protocol.Op{}}
	for _, cmd := range []string{"expect all ops 1 wait=0", "expect same all", "expect converged all", "expect all lacks x"} {
		if out, held := s.exec(cmd); held {
			t.Errorf("with no node running, %s held: %q", cmd, out)
		}
	}
}
