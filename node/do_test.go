package node

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestDoAfterTheCallerGivesUp checks do's promise: when it returns, its
// work has finished or will never run. Under -race, a caller reading what
// the work wrote after giving up would be reported.
func TestDoAfterTheCallerGivesUp(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	release := make(chan struct{})
	busy := make(chan struct{})
	go func() {
		_ = n.do(context.Background(), func(*loop) { close(busy); <-release })
	}()
	<-busy // the loop is held

	// Queued behind the busy work, then abandoned: it never runs.
	ran := false
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- n.do(ctx, func(*loop) { ran = true }) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned work: do returned %v, want context.Canceled", err)
	}
	close(release)
	if err := n.do(context.Background(), func(*loop) {}); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("the work ran after its caller gave up")
	}

	// Started, then the caller gives up: do waits for the work.
	wrote := 0
	ctx, cancel = context.WithCancel(context.Background())
	started := make(chan struct{})
	go func() { <-started; cancel() }()
	err := n.do(ctx, func(*loop) {
		close(started)
		time.Sleep(20 * time.Millisecond)
		wrote = 1
	})
	if err != nil || wrote != 1 {
		t.Fatalf("started work: do returned %v with the work's write %d; want nil and 1", err, wrote)
	}
}
