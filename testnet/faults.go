package testnet

import (
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Cut severs every link between the members of side a and those of side
// b: their gaters refuse each other, and live connections close. Nodes on
// one side keep talking among themselves.
func (n *Net) Cut(a, b []string) {
	n.mu.Lock()
	for _, x := range a {
		for _, y := range b {
			px, py := n.members[x].ID, n.members[y].ID
			n.cuts[[2]peer.ID{px, py}] = true
			n.cuts[[2]peer.ID{py, px}] = true
		}
	}
	n.mu.Unlock()
	for _, x := range a {
		for _, y := range b {
			n.disconnect(x, y)
			n.disconnect(y, x)
		}
	}
}

// Heal restores every cut link; the nodes' redial loops reconnect them.
func (n *Net) Heal() {
	n.mu.Lock()
	n.cuts = map[[2]peer.ID]bool{}
	n.mu.Unlock()
}

func (n *Net) isCut(self, p peer.ID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cuts[[2]peer.ID{self, p}]
}

func (n *Net) disconnect(from, to string) {
	nd := n.M(from).Node()
	if nd == nil {
		return
	}
	_ = nd.Host().Network().ClosePeer(n.M(to).ID)
}

// Connected reports whether the member's node runs and holds a live
// connection to o's node.
func (m *Member) Connected(o *Member) bool {
	nd := m.Node()
	return nd != nil && nd.Host().Network().Connectedness(o.ID) == network.Connected
}
