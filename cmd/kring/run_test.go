package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
)

// founderReadyToRun returns the data dir of a founder of a finished
// circle, with the genesis installed and node.listen on a free loopback
// port, ready for kring run.
func founderReadyToRun(t *testing.T) string {
	t.Helper()
	_, dirs, gpath := finishedCircle(t)
	d := dirs[0]
	kring(t, "--data-dir", d, "genesis", "install", gpath).must(t)
	editConfig(t, d, `listen = ["/ip4/0.0.0.0/tcp/4001","/ip4/0.0.0.0/udp/4001/quic-v1"]`, `listen = ["/ip4/127.0.0.1/tcp/0"]`)
	return d
}

// TestRunInterruptedWhileStarting: a signal that comes while kring run
// starts its node is a clean stop (exit 0), not a failure to start.
func TestRunInterruptedWhileStarting(t *testing.T) {
	d := founderReadyToRun(t)

	defer func(f func(context.Context, ...os.Signal) (context.Context, context.CancelFunc)) { notifyContext = f }(notifyContext)
	notifyContext = func(parent context.Context, _ ...os.Signal) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(parent)
		cancel(errors.New("interrupt signal received")) // the signal came at once
		return ctx, func() { cancel(nil) }
	}
	r := kring(t, "--data-dir", d, "--api", "127.0.0.1:0", "run")
	if r.code != exitOK || strings.Contains(r.stderr, "kring: ") {
		t.Fatalf("run interrupted while starting: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "stopped") {
		t.Errorf("run did not log its stop:\n%s", r.stderr)
	}

}

// TestRunWaitsForHelpers: on a stop, kring run closes the node only after
// its helpers (enrolment, progress watch) have returned.
func TestRunWaitsForHelpers(t *testing.T) {
	d := founderReadyToRun(t)

	sigCtx, signal := context.WithCancelCause(context.Background())
	defer signal(nil)
	defer func(f func(context.Context, ...os.Signal) (context.Context, context.CancelFunc)) { notifyContext = f }(notifyContext)
	notifyContext = func(parent context.Context, _ ...os.Signal) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			select {
			case <-sigCtx.Done():
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx, cancel
	}
	started := make(chan struct{})
	afterStop := make(chan error, 1)
	defer func() { testHelpers = nil }()
	testHelpers = []func(context.Context, *node.Node){func(ctx context.Context, n *node.Node) {
		close(started)
		<-ctx.Done()
		time.Sleep(300 * time.Millisecond) // a helper finishing its last call
		_, err := n.StoredOps()
		afterStop <- err
	}}
	done := make(chan result, 1)
	go func() { done <- kring(t, "--data-dir", d, "--api", "127.0.0.1:0", "run") }()
	select {
	case <-started:
	case r := <-done:
		t.Fatalf("run ended before its helpers started: %+v", r)
	case <-time.After(30 * time.Second):
		t.Fatal("the helpers did not start")
	}
	signal(errors.New("interrupt signal received"))
	select {
	case r := <-done:
		if r.code != exitOK {
			t.Errorf("run stopped with exit %d: %s", r.code, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
	if err := <-afterStop; err != nil {
		t.Errorf("the node was closed under a running helper: %v", err)
	}
}

// TestRunStopsWithItsNode: when the node stops while the API still serves
// and no signal came, kring run notices at once (it waits on Node.Done),
// stops, and exits 1 saying the node stopped.
func TestRunStopsWithItsNode(t *testing.T) {
	_, dirs, gpath := finishedCircle(t)
	d := dirs[0]
	kring(t, "--data-dir", d, "genesis", "install", gpath).must(t)
	editConfig(t, d, `listen = ["/ip4/0.0.0.0/tcp/4001","/ip4/0.0.0.0/udp/4001/quic-v1"]`, `listen = ["/ip4/127.0.0.1/tcp/0"]`)

	defer func() { testHelpers = nil }()
	testHelpers = []func(context.Context, *node.Node){func(ctx context.Context, n *node.Node) {
		_ = n.Close() // the node stops under the daemon, which no poll would catch: Err stays nil
		<-ctx.Done()
	}}
	done := make(chan result, 1)
	go func() { done <- kring(t, "--data-dir", d, "--api", "127.0.0.1:0", "run") }()
	select {
	case r := <-done:
		if r.code != exitFailure || !strings.Contains(r.stderr, "the node stopped") {
			t.Errorf("run after its node stopped: exit %d, stderr:\n%s\nwant exit %d naming the stop", r.code, r.stderr, exitFailure)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop when its node did")
	}
}
