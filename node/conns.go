package node

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// What callers outside the node see and do of its connections. The gate
// decides who gets through; these only look, or hang up.

// Peers returns the peers this node is connected to now, whatever their
// standing (Standing tells it).
func (n *Node) Peers() []peer.ID { return n.host.Network().Peers() }

// Connected reports whether this node is connected to peer p now.
func (n *Node) Connected(p peer.ID) bool {
	return n.host.Network().Connectedness(p) == network.Connected
}

// RemoteAddrs returns the remote addresses of this node's connections to
// peer p, one per connection.
func (n *Node) RemoteAddrs(p peer.ID) []multiaddr.Multiaddr {
	conns := n.host.Network().ConnsToPeer(p)
	out := make([]multiaddr.Multiaddr, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.RemoteMultiaddr())
	}
	return out
}

// ListenAddrs returns the addresses the node listens on, as bound (a port
// 0 resolved; an unspecified IP such as 0.0.0.0 kept). AddrInfo gives the
// addresses others dial instead.
func (n *Node) ListenAddrs() []multiaddr.Multiaddr { return n.host.Network().ListenAddresses() }

// Disconnect closes every connection to peer p. It blocks nobody: the gate
// lets p in again, and either side may dial again (the redial does, for a
// member).
func (n *Node) Disconnect(p peer.ID) error {
	if err := n.host.Network().ClosePeer(p); err != nil {
		return fmt.Errorf("node: disconnecting %s: %w", p, err)
	}
	return nil
}
