package node

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// redial keeps the node connected to every member it knows an address of,
// and to its configured peers while the log does not know them: no
// bootstrap node is needed once a node has met the circle. Dials back off
// exponentially, with jitter, between RedialMin and RedialMax (n.redials).
// A connection alone does not end the backoff: a member that refuses this
// node lets the dial succeed and closes the connection at once (libp2p
// gates after the handshake), so the backoff ends only once a sync over
// the connection has succeeded. A cut-off node dials no member; it knocks
// instead (knockDue).
//
// The loop looks every RedialMin while there is something to do: a member
// or configured peer it is not connected to, a backoff not yet ended, or a
// knock (the node is cut off). Otherwise it rests until wakeDialer (a
// connection lost, a new State, an admission) or dialerRest, so that an
// idle node whose members are all connected does not wake every second.
func (n *Node) redial() {
	var targets, knocks sharingPeers
	t := time.NewTimer(n.cfg.RedialMin)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
		case <-n.dialWake:
		}
		now := time.Now()
		busy := n.redialDue(&targets, now)
		n.knockDue(&knocks, now)
		wait := n.cfg.RedialMin
		if !busy && !n.cutOff.Load() {
			wait = dialerRest
		}
		t.Reset(wait)
	}
}

// dialerRest is how long the redial loop rests when every member is
// connected and no backoff runs: a safety net, since every event that
// gives it work wakes it (wakeDialer).
const dialerRest = 30 * time.Second

// wakeDialer makes the redial loop look now: a connection was lost, the
// State changed (a new member to dial, or this node cut off), or the node
// was admitted.
func (n *Node) wakeDialer() {
	select {
	case n.dialWake <- struct{}{}:
	default:
	}
}

// redialSoon makes the next redial round dial every target at once,
// forgetting the backoffs of dials and syncs: the node has just been
// admitted, and the members that refused it until now will let it in.
func (n *Node) redialSoon() {
	n.noteDialStart()
	n.redials.reset()
	n.sync.retry.reset()
	n.wakeDialer()
}

// redialDue dials the targets whose backoff has run out, and reports
// whether the loop has work left: a member of the sharing set or a
// configured peer it is not connected to (whether or not the gate lets it
// through now: a refusal may lift without an event), or a backoff that
// has not ended.
func (n *Node) redialDue(targets *sharingPeers, now time.Time) (busy bool) {
	for _, p := range n.dialTargets(targets) {
		if n.host.Network().Connectedness(p) == network.Connected {
			if !n.sync.retry.failing(p) {
				n.redials.succeeded(p)
			}
			continue
		}
		if !n.redials.due(p, now) || len(n.host.Peerstore().Addrs(p)) == 0 {
			continue
		}
		// Every dial counts as failed until a sync over it succeeds.
		n.redials.failed(p, now)
		n.dialAttempts.Add(1)
		go n.dial(p)
	}
	return !n.redials.empty() || n.missingPeers(targets)
}

// missingPeers reports whether a member of the sharing set (but this
// node) or a configured peer the log does not know is not connected.
func (n *Node) missingPeers(targets *sharingPeers) bool {
	connected := func(p peer.ID) bool { return n.host.Network().Connectedness(p) == network.Connected }
	for _, m := range targets.of(n.State(), n.key) {
		if !connected(m.id) {
			return true
		}
	}
	for _, ai := range n.boot {
		if n.gater.standing(ai.ID) == Bootstrap && !connected(ai.ID) {
			return true
		}
	}
	return false
}

func (n *Node) dial(p peer.ID) {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
	defer cancel()
	if err := n.host.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
		n.log.Debug("redial", "peer", n.peerName(p), "err", err)
	}
}

// dialTargets are the sharing set's members and the configured peers the
// gater would let through; none while this node is cut off (it is not
// served anyway). targets caches the sharing set's peer IDs between calls.
func (n *Node) dialTargets(targets *sharingPeers) []peer.ID {
	if n.cutOff.Load() {
		return nil
	}
	var out []peer.ID
	for _, m := range targets.of(n.State(), n.key) {
		if n.gater.standingOf(m.key, m.id).admitted() {
			out = append(out, m.id)
		}
	}
	for _, ai := range n.boot {
		if n.gater.standing(ai.ID) == Bootstrap {
			out = append(out, ai.ID)
		}
	}
	return out
}

// memberPeer is a member key with its peer ID.
type memberPeer struct {
	key protocol.Key
	id  peer.ID
}

// sharingPeers caches the peer IDs of one State's sharing set, so that
// the redial loop does not marshal every member's public key on every
// tick: the State changes only on a commit. It holds the sharing set of
// one State only, so it stays as small as the circle.
type sharingPeers struct {
	state *trust.State
	peers []memberPeer
}

// of returns st's sharing set but self, with peer IDs, computing them
// again only when st is not the State of the last call.
func (c *sharingPeers) of(st *trust.State, self protocol.Key) []memberPeer {
	if st == c.state {
		return c.peers
	}
	c.state, c.peers = st, c.peers[:0]
	for _, k := range st.SharingSet() {
		if k == self {
			continue
		}
		if p, err := PeerID(k); err == nil {
			c.peers = append(c.peers, memberPeer{k, p})
		}
	}
	return c.peers
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
		n.sync.kick(peers[rand.IntN(len(peers))])
	}
}

// addrRefresh is how old an address book entry's timestamp may grow
// before saveAddrs writes the entry again with unchanged addresses.
const addrRefresh = time.Hour

// saveAddrs writes the addresses of the given members to the address book:
// an entry whose addresses changed, or whose timestamp is older than
// addrRefresh. Only a member's own addresses are saved: those of the
// signed peer record it handed this node itself (ownAddrs), never what
// another node relayed. The store's writes are synced; an idle circle's
// addresses seldom change.
func (n *Node) saveAddrs(peers ...peer.ID) {
	for _, p := range peers {
		if n.gater.standing(p) != Sharing {
			continue
		}
		k, ok := PeerKey(p)
		addrs := n.ownAddrs(p)
		if !ok || len(addrs) == 0 {
			continue
		}
		now := time.Now().UTC()
		set := addrSet(addrs)
		if !n.addrBook.stale(k, set, now) {
			continue
		}
		if err := n.store.PutAddrs(k, store.AddrEntry{Addrs: addrs, Seen: now}); err != nil {
			n.log.Warn("address book", "err", err)
			return
		}
		n.addrBook.saved(k, set, now)
	}
}

// addrBook remembers, by member, the addresses the store's address book
// holds and their timestamp, so that saveAddrs rewrites only what changed.
// It holds members of the sharing set only (saveAddrs writes no other), so
// it grows no larger than the address book. The zero value is empty.
type addrBook struct {
	mu      sync.Mutex
	entries map[protocol.Key]addrBookEntry
}

type addrBookEntry struct {
	set  string // addrSet of the addresses
	seen time.Time
}

// addrSet encodes a set of addresses, in no particular order: the
// peerstore does not keep one.
func addrSet(addrs []multiaddr.Multiaddr) string {
	bs := make([][]byte, len(addrs))
	for i, a := range addrs {
		bs[i] = a.Bytes()
	}
	slices.SortFunc(bs, bytes.Compare)
	bs = slices.CompactFunc(bs, bytes.Equal)
	// Binary multiaddrs delimit themselves, so the concatenation of the
	// sorted set is unambiguous.
	return string(bytes.Join(bs, nil))
}

// stale reports whether k's entry must be written: its addresses differ
// from set, or its timestamp is older than addrRefresh at now.
func (b *addrBook) stale(k protocol.Key, set string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[k]
	return !ok || e.set != set || now.Sub(e.seen) >= addrRefresh
}

// saved notes that k's entry holds set, seen at seen.
func (b *addrBook) saved(k protocol.Key, set string, seen time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.entries == nil {
		b.entries = map[protocol.Key]addrBookEntry{}
	}
	b.entries[k] = addrBookEntry{set, seen}
}

// learnAddrs fills the peerstore from the address book, the configured
// peers, and the addresses members put in the log (genesis, applications),
// as the address policy takes them.
func (l *loop) learnAddrs() {
	ps := l.n.host.Peerstore()
	policy := l.n.gater.addrs
	for _, ai := range l.n.boot {
		ps.AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
	}
	book, err := l.n.store.Addrs()
	if err != nil {
		l.n.log.Warn("address book", "err", err)
	}
	for k, e := range book {
		if p, err := PeerID(k); err == nil {
			ps.AddAddrs(p, policy.keep(e.Addrs), peerstore.RecentlyConnectedAddrTTL)
			l.n.addrBook.saved(k, addrSet(e.Addrs), e.Seen)
		}
	}
	for _, m := range l.logMembers() {
		p, err := PeerID(m.Key)
		if err != nil || m.Key == l.n.key {
			continue
		}
		var card []multiaddr.Multiaddr
		for _, s := range m.Addrs {
			if a, err := multiaddr.NewMultiaddr(s); err == nil {
				card = append(card, a)
			}
		}
		ps.AddAddrs(p, policy.keep(card), peerstore.PermanentAddrTTL)
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
