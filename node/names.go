package node

import (
	"log/slog"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// The logs name a peer or a member the one way the CLI does
// (protocol.Label): organisation name and short key, "Org B
// (5363535c2100)". The name is looked up in the State when a line is
// written, so a debug line that is not written costs nothing.

// peerName is a peer as the logs name it; see Node.peerName.
type peerName struct {
	n *Node
	p peer.ID
}

// peerName names p in a log line: its organisation and short key, or the
// peer ID of a peer whose ID holds no Ed25519 key.
func (n *Node) peerName(p peer.ID) slog.LogValuer { return peerName{n, p} }

// LogValue implements slog.LogValuer.
func (w peerName) LogValue() slog.Value {
	k, ok := PeerKey(w.p)
	if !ok {
		return slog.StringValue(w.p.String())
	}
	return slog.StringValue(w.n.Label(k))
}

// PeerName names peer p in a log line of the node's user (kring run,
// node/api) as the node's own lines do: see Label.
func (n *Node) PeerName(p peer.ID) slog.LogValuer { return n.peerName(p) }

// keyName is a member key as the logs name it; see Node.keyName.
type keyName struct {
	n *Node
	k protocol.Key
}

// keyName names k in a log line: its organisation and short key.
func (n *Node) keyName(k protocol.Key) slog.LogValuer { return keyName{n, k} }

// KeyName names member key k in a log line of the node's user as the
// node's own lines do: see Label.
func (n *Node) KeyName(k protocol.Key) slog.LogValuer { return n.keyName(k) }

// LogValue implements slog.LogValuer.
func (w keyName) LogValue() slog.Value { return slog.StringValue(w.n.Label(w.k)) }

// Label names k the one way Kring shows organisations to people
// (protocol.Label), with the organisation name the current State holds
// for it: "Org B (5363535c2100)", or the short key alone. Safe for
// concurrent use.
func (n *Node) Label(k protocol.Key) string {
	name := ""
	if st := n.state.Load(); st != nil {
		if p := st.Key(k).Profile; p != nil {
			name = p.Name
		}
	}
	return protocol.Label(name, k)
}
