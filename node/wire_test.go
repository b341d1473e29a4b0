package node

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// A bare gossipsub made with WireOptions, under member B's key and with
// nothing else of a node (no validator, store or gate), speaks to member
// A's node: each sees the other on the circle's topic, and an advisory of
// B's that it publishes there is stored by A's node. testnet's rogues and
// the bench's feeders are built so; if the node's pubsub drifted from
// WireOptions (its own protocol IDs, signature policy or size limit), the
// two would not meet on the topic, or A would drop the message.
func TestWireOptionsReachANode(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	sk, err := crypto.UnmarshalEd25519PrivateKey(trusttest.KeyFor("B"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(sk), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay(), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ps, err := pubsub.NewGossipSub(ctx, h, append(WireOptions(), pubsub.WithFloodPublish(true))...)
	if err != nil {
		t.Fatalf("NewGossipSub(WireOptions()...): %v", err)
	}
	topic, err := ps.Join(TopicName(c.Genesis.Hash()))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	if err := h.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	for !slices.Contains(topic.ListPeers(), a.ID()) {
		select {
		case <-ctx.Done():
			t.Fatalf("A's node never appeared on the topic of a gossipsub made with WireOptions (it speaks %v)", h.Mux().Protocols())
		case <-time.After(20 * time.Millisecond):
		}
	}

	op := must(t)(c.Advise("B", "over the wire", protocol.TLPGreen))
	if err := topic.Publish(ctx, op.Bytes()); err != nil {
		t.Fatal(err)
	}
	untilChanged(t, ctx, a, "A's node to store the advisory published by a gossipsub made with WireOptions", func() bool {
		_, err := a.Advisory(ctx, op.Hash())
		return err == nil
	})
}
