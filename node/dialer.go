package node

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// backoff is the redial schedule of one peer.
type backoff struct {
	next  time.Time
	delay time.Duration
}

// redial keeps the node connected to every member it knows an address of,
// and to its configured peers while the log does not know them: no
// bootstrap node is needed once a node has met the circle. Failed dials
// back off exponentially, with jitter, between RedialMin and RedialMax.
func (n *Node) redial() {
	sched := map[peer.ID]*backoff{}
	n.every(n.cfg.RedialMin, func() {
		select {
		case <-n.redialNow:
			clear(sched)
		default:
		}
		n.redialDue(sched, time.Now())
	})
}

// redialSoon makes the next redial round dial every target at once,
// forgetting the backoffs: the node has just been admitted, and the members
// that refused it until now will let it in.
func (n *Node) redialSoon() {
	select {
	case n.redialNow <- struct{}{}:
	default:
	}
}

// redialDue dials the targets whose backoff has run out.
func (n *Node) redialDue(sched map[peer.ID]*backoff, now time.Time) {
	for _, p := range n.dialTargets() {
		if n.host.Network().Connectedness(p) == network.Connected {
			delete(sched, p)
			continue
		}
		b := sched[p]
		if b == nil {
			b = &backoff{delay: n.cfg.RedialMin}
			sched[p] = b
		}
		if now.Before(b.next) || len(n.host.Peerstore().Addrs(p)) == 0 {
			continue
		}
		jitter := time.Duration(rand.Int64N(int64(b.delay)/2 + 1))
		b.next = now.Add(b.delay + jitter)
		b.delay = min(2*b.delay, n.cfg.RedialMax)
		go n.dial(p)
	}
}

func (n *Node) dial(p peer.ID) {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
	defer cancel()
	if err := n.host.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
		n.log.Debug("redial", "peer", p, "err", err)
	}
}

// dialTargets are the sharing set's members and the configured peers the
// gater would let through.
func (n *Node) dialTargets() []peer.ID {
	var out []peer.ID
	for _, k := range n.State().SharingSet() {
		if k == n.key {
			continue
		}
		if p, err := PeerID(k); err == nil && n.gater.standing(p).admitted() {
			out = append(out, p)
		}
	}
	for _, ai := range n.boot {
		if n.gater.standing(ai.ID) == Bootstrap {
			out = append(out, ai.ID)
		}
	}
	return out
}

// every calls fn every interval until the node stops.
func (n *Node) every(interval time.Duration, fn func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}

// syncRandomPeer syncs with a random connected member, so that ops gossip
// missed (a node that was away, a partition) still arrive.
func (n *Node) syncRandomPeer() {
	var peers []peer.ID
	for _, p := range n.host.Network().Peers() {
		if s := n.gater.standing(p); s == Sharing || s == Bootstrap {
			peers = append(peers, p)
		}
	}
	if len(peers) > 0 {
		n.kick(peers[rand.IntN(len(peers))])
	}
}

// saveAddrs writes the addresses of the given members to the address book.
func (n *Node) saveAddrs(peers ...peer.ID) {
	for _, p := range peers {
		if n.gater.standing(p) != Sharing {
			continue
		}
		k, ok := keyOfPeer(p)
		addrs := n.host.Peerstore().Addrs(p)
		if !ok || len(addrs) == 0 {
			continue
		}
		if err := n.store.PutAddrs(k, store.AddrEntry{Addrs: addrs, Seen: time.Now().UTC()}); err != nil {
			n.log.Warn("address book", "err", err)
			return
		}
	}
}

// learnAddrs fills the peerstore from the address book, the configured
// peers, and the addresses members put in the log (genesis, applications).
func (l *loop) learnAddrs() {
	ps := l.n.host.Peerstore()
	for _, ai := range l.n.boot {
		ps.AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
	}
	book, err := l.n.store.Addrs()
	if err != nil {
		l.n.log.Warn("address book", "err", err)
	}
	for k, e := range book {
		if p, err := PeerID(k); err == nil {
			ps.AddAddrs(p, e.Addrs, peerstore.RecentlyConnectedAddrTTL)
		}
	}
	for _, m := range l.logMembers() {
		p, err := PeerID(m.Key)
		if err != nil || m.Key == l.n.key {
			continue
		}
		for _, s := range m.Addrs {
			if a, err := multiaddr.NewMultiaddr(s); err == nil {
				ps.AddAddr(p, a, peerstore.PermanentAddrTTL)
			}
		}
	}
}

// logMembers returns the identities the log holds: the founders and every
// admitted application.
func (l *loop) logMembers() []protocol.Member {
	st := l.eng.State()
	var out []protocol.Member
	if g, ok := l.n.genesis.Content().(*protocol.Genesis); ok {
		out = append(out, g.Founders...)
	}
	for _, t := range st.Tallies() {
		if t.Enacted && t.Motion.Kind == protocol.MotionAdmit && t.Motion.Application != nil {
			out = append(out, t.Motion.Application.Member)
		}
	}
	return out
}
