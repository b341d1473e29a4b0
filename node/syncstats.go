package node

import (
	"maps"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// syncDone records that a sync with peer p completed now.
func (n *Node) syncDone(p peer.ID) {
	k, ok := PeerKey(p)
	if !ok {
		return
	}
	n.mu.Lock()
	n.lastSync[k] = time.Now()
	n.mu.Unlock()
}

// LastSyncs returns, for each peer this node completed a sync with since
// it started, when the last one completed.
func (n *Node) LastSyncs() map[protocol.Key]time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return maps.Clone(n.lastSync)
}
