package node

import (
	"context"
	"testing"
	"time"
)

// TestRedialRestsAndWakes: once every member is connected and no backoff
// runs, the redial loop has no work (it rests for dialerRest), and a lost
// connection wakes it: the member is dialled again within moments, not
// after dialerRest.
func TestRedialRestsAndWakes(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	fast := func(cfg *Config) { cfg.RedialMin, cfg.RedialMax = 50*time.Millisecond, 100*time.Millisecond }
	a := startNode(t, c, "A", fast)
	b := startNode(t, c, "B", fast)
	cc := startNode(t, c, "C", fast)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, pair := range [][2]*Node{{a, b}, {a, cc}, {b, cc}} {
		if err := pair[0].Connect(ctx, pair[1].AddrInfo()); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*Node{a, b, cc} {
		var targets sharingPeers
		for n.redialDue(&targets, time.Now()) {
			if ctx.Err() != nil {
				t.Fatalf("%s's redial loop never runs out of work with every member connected", n.Key().Short())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(200 * time.Millisecond) // every loop has looked once more, and rests
	if err := a.Disconnect(b.ID()); err != nil {
		t.Fatal(err)
	}
	wake := time.Now()
	for !a.Connected(b.ID()) {
		if time.Since(wake) > dialerRest/3 {
			t.Fatalf("A and B not connected again %v after the connection was lost", time.Since(wake))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("connected again after %v", time.Since(wake))
}
