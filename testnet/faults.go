package testnet

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	_ = nd.Disconnect(n.M(to).ID)
}

// Connected reports whether the member's node runs and holds a live
// connection to o's node.
func (m *Member) Connected(o *Member) bool {
	nd := m.Node()
	return nd != nil && nd.Connected(o.ID)
}

// knockGrace is how long a removed member's knock may stand at a member's
// node: the push of the decisions about it, and the hang-up.
const knockGrace = time.Second

// NoConnectionStands checks, for twice knockGrace, that none of the named
// members' nodes holds a connection to outsider's for longer than
// knockGrace. A node's gate refuses a removed member at the handshake, so
// a connection that got through would show at once; the one exception is
// a knock (docs/node.md): a member that holds a decision about the
// outsider it has not handed over yet lets the connection in to push it,
// then hangs up. The error names the first connection that stood. The
// outsider's node and every named member's must run, and one member at
// least be named: a node that does not run holds no connection, and
// would pass the check without it saying anything.
func (n *Net) NoConnectionStands(ctx context.Context, outsider string, names ...string) error {
	o := n.M(outsider)
	if len(names) == 0 {
		return errors.New("testnet: no connection to " + outsider + " standing: at which members?")
	}
	for _, name := range append([]string{outsider}, names...) {
		if n.M(name).Node() == nil {
			return fmt.Errorf("testnet: no connection to %s standing: %s is not running", outsider, name)
		}
	}
	since := map[string]time.Time{}
	var stood error
	err := Throughout(ctx, "no connection to "+outsider+" standing", 2*knockGrace, func() bool {
		for _, name := range names {
			if !n.M(name).Connected(o) {
				delete(since, name)
				continue
			}
			if _, ok := since[name]; !ok {
				since[name] = time.Now()
			}
			if d := time.Since(since[name]); d > knockGrace {
				stood = fmt.Errorf("testnet: %s has held a connection to %s for %v", name, outsider, d.Round(time.Millisecond))
				return false
			}
		}
		return true
	})
	if stood != nil {
		return stood
	}
	return err
}
