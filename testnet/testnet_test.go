package testnet

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
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
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	opts := Options{Dir: t.TempDir(), Founders: names}
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

// Scenario 1: five founders start from a genesis, connect, and an
// advisory published at one is stored at all five.
func TestFoundersShareAnAdvisory(t *testing.T) {
	net, ctx := circle(t, founders...)
	op := must[*protocol.Op](t)(net.M("A").Advise(ctx, "CVE-2026-0001 exploited at a substation vendor"))
	if err := net.WaitHas(ctx, op.Hash(), founders...); err != nil {
		t.Fatal(err)
	}
	if err := net.WaitConverged(ctx, founders...); err != nil {
		t.Fatal(err)
	}
}

func init() {
	if d, err := time.ParseDuration(os.Getenv("KRING_TESTNET_TIMEOUT")); err == nil {
		testTimeout = d
	}
}

func removeAll(dir string) error { return os.RemoveAll(dir) }

type trustTip = trust.Tip

func tipsOf(m *Member) (map[protocol.Key]trust.Tip, error) { return m.Node().Store().Tips() }
