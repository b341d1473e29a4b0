package node

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestDone: Done is open while the node runs and closes once it has
// stopped, whether by Close, by the end of the context given to New, or
// by a failure it cannot continue from; only the failure leaves a reason
// in Err, and afterwards calls that need the loop return ErrClosed.
func TestDone(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	stopped := func(t *testing.T, n *Node) {
		t.Helper()
		select {
		case <-n.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("Done is still open after the node stopped")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := n.Live(ctx, c.Genesis.Hash()); !errors.Is(err, ErrClosed) {
			t.Errorf("Live after Done: %v, want ErrClosed", err)
		}
	}
	t.Run("Close", func(t *testing.T) {
		n := startNode(t, c, "A", nil)
		select {
		case <-n.Done():
			t.Fatal("Done is closed while the node runs")
		case <-time.After(50 * time.Millisecond):
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		stopped(t, n)
		if err := n.Err(); err != nil {
			t.Errorf("Err after Close = %v, want nil", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n, err := New(ctx, testConfig(c, "B"))
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		cancel()
		stopped(t, n)
		if err := n.Err(); err != nil {
			t.Errorf("Err after the context ended = %v, want nil", err)
		}
	})
	t.Run("failure", func(t *testing.T) {
		n := startNode(t, c, "C", nil)
		broken := errors.New("the store refused a write")
		n.fail(broken)
		stopped(t, n)
		if err := n.Err(); !errors.Is(err, broken) {
			t.Errorf("Err after a failure = %v, want %v", err, broken)
		}
	})
}
