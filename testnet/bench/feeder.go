package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// feeder is a member's key in a bare libp2p host on the circle's gossip
// topic, with no validator, store or gate: it publishes whatever op bytes
// it is given, as fast as pubsub takes them. Like testnet.Rogue, with
// queues sized for bulk feeding. It relays the topic, as a node does
// (node.Node joins with Topic.Relay), rather than subscribing to it: a
// subscription nobody reads costs the feeder a delivery attempt per op it
// publishes, which a member's node does not pay.
type feeder struct {
	h       host.Host
	topic   *pubsub.Topic
	unrelay pubsub.RelayCancelFunc
}

// newFeeder starts a feeder with priv's identity on the topic of group.
func newFeeder(ctx context.Context, priv ed25519.PrivateKey, group protocol.Hash) (*feeder, error) {
	sk, err := crypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("bench: feeder key: %w", err)
	}
	h, err := libp2p.New(libp2p.Identity(sk), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.Transport(tcp.NewTCPTransport), libp2p.Security(noise.ID, noise.New),
		libp2p.DisableRelay(), libp2p.DisableMetrics(), libp2p.Ping(false))
	if err != nil {
		return nil, fmt.Errorf("bench: feeder host: %w", err)
	}
	ps, err := pubsub.NewGossipSub(ctx, h, append(node.WireOptions(),
		pubsub.WithPeerOutboundQueueSize(1<<15),
		pubsub.WithFloodPublish(true))...)
	f := &feeder{h: h}
	if err == nil {
		f.topic, err = ps.Join(node.TopicName(group))
	}
	if err == nil {
		f.unrelay, err = f.topic.Relay()
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("bench: feeder gossip: %w", err)
	}
	return f, nil
}

// connect dials a node and waits until it is among the topic's peers.
func (f *feeder) connect(ctx context.Context, nd *node.Node) error {
	if err := f.h.Connect(ctx, nd.AddrInfo()); err != nil {
		return fmt.Errorf("bench: feeder connect: %w", err)
	}
	return waitUntil(ctx, 10*time.Second, "the feeder to see the node on the topic", func() bool {
		return slices.Contains(f.topic.ListPeers(), nd.ID())
	})
}

// publish sends op bytes; pubsub keeps the slice, so a copy goes.
func (f *feeder) publish(ctx context.Context, b []byte) error {
	return f.topic.Publish(ctx, bytes.Clone(b))
}

func (f *feeder) close() {
	f.unrelay()
	f.h.Close()
}
