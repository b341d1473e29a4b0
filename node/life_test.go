package node

import (
	"sync/atomic"
	"testing"
)

// TestNoGoroutineStartsAfterClose: once Close has begun to wait for the
// node's goroutines, goLoop and spawn start none (one that did would run
// on a closed store and host, and could race the wait).
func TestNoGoroutineStartsAfterClose(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	var ran atomic.Int32
	if !n.goLoop(func() { ran.Add(1) }) {
		t.Fatal("goLoop refused to start a goroutine on a running node")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 1 {
		t.Fatalf("the goroutine started before Close ran %d times, want 1 (Close waits for it)", ran.Load())
	}
	if n.goLoop(func() { ran.Add(1) }) || n.spawn(func() { ran.Add(1) }) {
		t.Error("goLoop or spawn started a goroutine after Close")
	}
	if ran.Load() != 1 {
		t.Errorf("a goroutine ran after Close")
	}
}
