package testnet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// founders are the five organisations most scenarios start with.
// testTimeout bounds one scenario.
var testTimeout = 2 * time.Minute

var founders = []string{"A", "B", "C", "D", "E"}

// circle founds and starts a circle of the named founders and stops it
// when the test ends.
func circle(t *testing.T, names ...string) (*Net, context.Context) {
	t.Helper()
	return circleStarting(t, names, names)
}

// circleStarting founds a circle of the named founders and starts the
// nodes of those in start only.
func circleStarting(t *testing.T, names, start []string) (*Net, context.Context) {
	t.Helper()
	return circleWith(t, names, start, nil)
}

// circleWith is circleStarting with each node's configuration adjusted.
func circleWith(t *testing.T, names, start []string, adjust func(string, *node.Config)) (*Net, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	opts := Options{Dir: t.TempDir(), Founders: names, Config: adjust}
	if os.Getenv("KRING_TESTNET_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	net, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := net.Close(); err != nil {
			t.Errorf("closing the circle: %v", err)
		}
	})
	if err := net.StartNodes(ctx, start...); err != nil {
		t.Fatal(err)
	}
	return net, ctx
}

// must fails the test on err.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func init() {
	if d, err := time.ParseDuration(os.Getenv("KRING_TESTNET_TIMEOUT")); err == nil {
		testTimeout = d
	}
}

// Ops cross a line of nodes by gossip alone, each hop judging and storing
// the op before it forwards it.
func TestAdvisoryCrossesALine(t *testing.T) {
	// No periodic sync: only gossip can carry the advisory to E.
	net, ctx := circleWith(t, founders, founders, func(_ string, c *node.Config) { c.SyncInterval = time.Hour })
	// A node publishes only after syncing with two members since it
	// started; in a line, an end node has only one to sync with.
	for _, name := range founders {
		if err := net.M(name).Node().WaitReady(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := net.Shape(ctx, Line); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{"A", "C"}, {"A", "E"}, {"B", "D"}} {
		if net.M(pair[0]).Connected(net.M(pair[1])) {
			t.Fatalf("%s and %s are connected across the line", pair[0], pair[1])
		}
	}
	// The meshes form once each node's gossipsub knows its neighbours on
	// the line (it scores them) and a heartbeat grafts them.
	line := Line(founders)
	if err := WaitFor(ctx, "each node's gossipsub to know its neighbours on the line", func() bool {
		for _, l := range line {
			a, b := net.M(l[0]), net.M(l[1])
			if _, ok := a.Node().PeerScore(b.ID); !ok {
				return false
			}
			if _, ok := b.Node().PeerScore(a.ID); !ok {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	// Should a mesh still be forming on a loaded machine, an advisory
	// stops half-way; the next one, a few seconds later, gets through.
	var published int
	for try := 1; ; try++ {
		start := time.Now()
		op := must[*protocol.Op](t)(net.M("A").Advise(ctx, fmt.Sprintf("relayed over four hops, try %d", try)))
		published++
		wait, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := net.WaitHas(wait, op.Hash(), "E")
		cancel()
		if err == nil {
			t.Logf("advisory %d reached E, four hops away, within %v (polled every 50 ms)", try, time.Since(start).Round(time.Millisecond))
			break
		}
		if try == 10 {
			t.Fatalf("none of %d advisories reached E by gossip", try)
		}
	}
	for _, name := range founders[1:] {
		if v := net.M(name).Node().Verdicts(); v["accept/accepted"] > uint64(published) || v["accept/accepted"] == 0 {
			t.Errorf("%s accepted %d ops by gossip, want 1 to %d: %v", name, v["accept/accepted"], published, v)
		}
	}
}
