package testnet

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"

	"github.com/kring-circle/kring/node"
)

// Rogue is a member's key in the hands of software that forwards whatever
// it is told to: a bare libp2p host on the circle's gossip topic, with no
// validator, no store and no gate. Tests use it to check how honest nodes
// treat what a member forwards.
type Rogue struct {
	host  host.Host
	ps    *pubsub.PubSub
	topic *pubsub.Topic
	sub   *pubsub.Subscription
}

// NewRogue starts a rogue with member m's key. m's own node must not run.
func (n *Net) NewRogue(ctx context.Context, m *Member) (*Rogue, error) {
	sk, err := crypto.UnmarshalEd25519PrivateKey(m.Priv)
	if err != nil {
		return nil, fmt.Errorf("testnet: rogue key: %w", err)
	}
	h, err := libp2p.New(libp2p.Identity(sk), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay(), libp2p.DisableMetrics())
	if err != nil {
		return nil, fmt.Errorf("testnet: rogue host: %w", err)
	}
	ps, err := pubsub.NewGossipSub(ctx, h, append(node.WireOptions(), pubsub.WithFloodPublish(true))...)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("testnet: rogue gossip: %w", err)
	}
	r := &Rogue{host: h, ps: ps}
	if r.topic, err = ps.Join(node.TopicName(n.Genesis.Hash())); err == nil {
		r.sub, err = r.topic.Subscribe()
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("testnet: rogue topic: %w", err)
	}
	return r, nil
}

// Connect dials a member's node.
func (r *Rogue) Connect(ctx context.Context, m *Member) error {
	nd := m.Node()
	if nd == nil {
		return fmt.Errorf("testnet: %s is not running", m.Name)
	}
	return r.host.Connect(ctx, nd.AddrInfo())
}

// Publish floods raw bytes on the circle's topic, as a forwarder would.
func (r *Rogue) Publish(ctx context.Context, b []byte) error {
	return r.topic.Publish(ctx, b)
}

// Received returns how many messages the rogue has received on the topic
// within d.
func (r *Rogue) Received(ctx context.Context, d time.Duration) int {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	n := 0
	for {
		if _, err := r.sub.Next(ctx); err != nil {
			return n
		}
		n++
	}
}

// Peers returns the peers the rogue sees on the topic.
func (r *Rogue) Peers() int { return len(r.topic.ListPeers()) }

// Close stops the rogue.
func (r *Rogue) Close() error {
	r.sub.Cancel()
	return r.host.Close()
}
