package node

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestStoreReads: the reads a caller outside the node has of its store
// (Op, Has, StoredOps, Tips, Heads, NextSeq, AdvisoryPosition, PendingOps,
// Outstanding) show an op once Publish has returned it.
func TestStoreReads(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before, err := n.StoredOps()
	if err != nil || before != 1 {
		t.Fatalf("StoredOps of a fresh node = %d, %v; want the genesis alone", before, err)
	}
	op, err := n.Publish(ctx, &protocol.Advisory{Title: "read back", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	h := op.Hash()
	if got, err := n.Op(h); err != nil || got.Hash() != h {
		t.Errorf("Op(published) = %v, %v", got, err)
	}
	if _, err := n.Op(protocol.Hash{1}); !errors.Is(err, trust.ErrNotFound) {
		t.Errorf("Op(unknown) error = %v, want trust.ErrNotFound", err)
	}
	if has, err := n.Has(h); err != nil || !has {
		t.Errorf("Has(published) = %v, %v", has, err)
	}
	if has, err := n.Has(protocol.Hash{1}); err != nil || has {
		t.Errorf("Has(unknown) = %v, %v", has, err)
	}
	if after, err := n.StoredOps(); err != nil || after != before+1 {
		t.Errorf("StoredOps after a publish = %d, %v; want %d", after, err, before+1)
	}
	if tips, err := n.Tips(); err != nil || tips[n.Key()].Seq != op.Seq || !slices.Equal(tips[n.Key()].Hashes, []protocol.Hash{h}) {
		t.Errorf("Tips()[own] = %+v, %v; want seq %d at %s", tips[n.Key()], err, op.Seq, h.Short())
	}
	if heads, err := n.Heads(); err != nil || !slices.Equal(heads, []protocol.Hash{h}) {
		t.Errorf("Heads = %v, %v; want the published op alone", heads, err)
	}
	if next, err := n.NextSeq(); err != nil || next != op.Seq+1 {
		t.Errorf("NextSeq = %d, %v; want %d", next, err, op.Seq+1)
	}
	if pos, ok, err := n.AdvisoryPosition(h); err != nil || !ok || pos != uint64(before) {
		t.Errorf("AdvisoryPosition = %d, %v, %v; want %d", pos, ok, err, before)
	}
	if p := n.PendingOps(); p != 0 {
		t.Errorf("PendingOps = %d, want 0", p)
	}
	if own, err := n.Outstanding(); err != nil || own != nil {
		t.Errorf("Outstanding = %v, %v; want none", own, err)
	}
}

// TestConns: Peers, Connected and RemoteAddrs show a connection between
// two members; Disconnect closes it without blocking the peer, which may
// connect again.
func TestConns(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	b := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a.Connected(b.ID()) || len(a.RemoteAddrs(b.ID())) != 0 {
		t.Fatal("A is connected to B before dialling")
	}
	if len(a.ListenAddrs()) == 0 {
		t.Fatal("ListenAddrs is empty")
	}
	if err := a.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	if !a.Connected(b.ID()) || !slices.Contains(a.Peers(), b.ID()) || len(a.RemoteAddrs(b.ID())) == 0 {
		t.Fatalf("after Connect: Connected %v, Peers %v, RemoteAddrs %v", a.Connected(b.ID()), a.Peers(), a.RemoteAddrs(b.ID()))
	}
	if err := a.Disconnect(b.ID()); err != nil {
		t.Fatal(err)
	}
	if a.Connected(b.ID()) || slices.Contains(a.Peers(), b.ID()) {
		t.Fatal("A is still connected to B after Disconnect")
	}
	waitUntil(t, ctx, "A and B to connect again after Disconnect", func() bool {
		_ = a.Connect(ctx, b.AddrInfo())
		return a.Connected(b.ID())
	})
}
