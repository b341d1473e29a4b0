package node

import (
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// PeerKey returns the member key behind a peer ID (the ID inlines the
// Ed25519 key), and false for IDs of other key types.
func PeerKey(p peer.ID) (protocol.Key, bool) { return keyOfPeer(p) }
