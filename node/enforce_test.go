package node

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/kring-circle/kring/node/store"
)

func TestBlockUnblock(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	dir := t.TempDir()
	onDisk := func(cfg *Config) {
		cfg.DataDir = dir
		cfg.Store = store.DefaultLocalOptions()
		cfg.Store.InMemory = false
	}
	n := startNode(t, c, "A", onDisk)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, s := c.Actor("B").Key, c.Actor("S").Key
	pb, ps := peerOf(t, c, "B"), peerOf(t, c, "S")
	if got := n.Standing(pb); got != Sharing {
		t.Fatalf("B before the block: %s", got)
	}
	changed := n.Changed()
	if err := n.Block(ctx, b, "leaked TLP:RED"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Error("Block did not signal a change")
	}
	if got := n.Standing(pb); got != Denied {
		t.Errorf("B after the block: %s, want denied", got)
	}
	if !n.gater.Contains(pb) || n.gater.InterceptPeerDial(pb) {
		t.Error("a blocked member is not blacklisted, or may be dialled")
	}
	if err := n.Block(ctx, s, "spam"); err != nil {
		t.Fatal(err)
	}
	if got := n.Standing(ps); got != Denied {
		t.Errorf("a blocked stranger: %s, want denied", got)
	}
	stored, err := n.store.Blocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[b].Reason != "leaked TLP:RED" || stored[b].Since.IsZero() {
		t.Fatalf("store.Blocks = %+v, want B and S", stored)
	}
	blocks, err := n.Blocks(ctx)
	if err != nil || len(blocks) != 2 || blocks[b].Reason != "leaked TLP:RED" {
		t.Fatalf("Blocks = %+v, %v", blocks, err)
	}
	// The block is local: the log still has B in the sharing set.
	if !n.State().InSharingSet(b) {
		t.Error("a local block changed the State")
	}

	// Blocking oneself is refused and changes nothing.
	if err := n.Block(ctx, n.Key(), "oops"); err == nil {
		t.Error("a node blocked its own organisation")
	}
	if got := n.Standing(n.ID()); got != Sharing {
		t.Errorf("self: %s, want sharing", got)
	}

	// The blocks survive a restart.
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n = startNode(t, c, "A", onDisk)
	if got := n.Standing(pb); got != Denied {
		t.Fatalf("B after a restart: %s, want denied", got)
	}

	if err := n.Unblock(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := n.Standing(pb); got != Sharing {
		t.Errorf("B after Unblock: %s, want sharing", got)
	}
	if got := n.Standing(ps); got != Denied {
		t.Errorf("S, still blocked: %s, want denied", got)
	}
	stored, err = n.store.Blocks()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stored[b]; ok || len(stored) != 1 {
		t.Fatalf("store.Blocks after Unblock = %+v, want only S", stored)
	}
	// Unblocking what is not blocked is harmless.
	if err := n.Unblock(ctx, c.Actor("C").Key); err != nil {
		t.Fatal(err)
	}
}

// TestBlockClosesConnection: blocking a connected member closes the
// connection at once, and the blocked member cannot connect back until
// the block is lifted.
func TestBlockClosesConnection(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	b := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	if err := a.Block(ctx, b.Key(), "test"); err != nil {
		t.Fatal(err)
	}
	if got := a.host.Network().Connectedness(b.ID()); got == network.Connected {
		t.Fatal("the blocked member is still connected when Block returns")
	}
	// B notices the closed connection a moment later.
	for deadline := time.Now().Add(time.Second); b.host.Network().Connectedness(a.ID()) == network.Connected; {
		if time.Now().After(deadline) {
			t.Fatal("B still sees a connection to A a second after the block")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// B's dial may complete on B's side (the muxer is negotiated inside
	// the security handshake, before A's gater sees B), but A refuses it:
	// A never holds the connection, and B's side is closed again.
	_ = b.Connect(ctx, a.AddrInfo())
	if a.host.Network().Connectedness(b.ID()) == network.Connected {
		t.Fatal("A accepted a connection from the blocked member")
	}
	for deadline := time.Now().Add(time.Second); b.host.Network().Connectedness(a.ID()) == network.Connected; {
		if time.Now().After(deadline) {
			t.Fatal("B's connection back to A was not closed within a second")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a.host.Network().Connectedness(b.ID()) == network.Connected {
		t.Fatal("A holds a connection to the blocked member")
	}
	if err := a.Connect(ctx, b.AddrInfo()); err == nil {
		t.Fatal("A dialled the member it blocked")
	}
	if err := a.Unblock(ctx, b.Key()); err != nil {
		t.Fatal(err)
	}
	// Reconnect, by A's dial or B's redial: a single dial may meet B's own
	// redial half-way, so it is retried until the deadline.
	var err error
	for a.host.Network().Connectedness(b.ID()) != network.Connected {
		if ctx.Err() != nil {
			t.Fatalf("A and B did not reconnect after Unblock: %v", err)
		}
		err = a.Connect(ctx, b.AddrInfo())
		time.Sleep(20 * time.Millisecond)
	}
}
