package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Standing is how this node treats a peer, from the log and its own blocks.
type Standing uint8

// Standings, from most to least trusted.
const (
	// Sharing: a member in the sharing set. Everything flows.
	Sharing Standing = iota + 1
	// Endorsed: an applicant (or lapsed member) whose application a
	// member endorsed. It may ask for its application's progress and
	// fetch membership ops; once the application has the endorsements the
	// charter requires, it may push its own Admit enactment. Nothing
	// else.
	Endorsed
	// Bootstrap: a configured peer the log does not know yet. It may be
	// dialled; it is refused at sync and gossip until the log admits it.
	Bootstrap
	// Refused: a stranger, or an applicant no member endorsed.
	Refused
	// Denied: a refused peer that was once known: suspended, revoked,
	// departed, equivocating or locally blocked. Pubsub blacklists it.
	Denied
)

var standingNames = [...]string{Sharing: "sharing", Endorsed: "endorsed", Bootstrap: "bootstrap", Refused: "refused", Denied: "denied"}

// String names the standing for logs.
func (s Standing) String() string {
	if int(s) < len(standingNames) && standingNames[s] != "" {
		return standingNames[s]
	}
	return "unknown"
}

// admitted reports whether the gater lets a connection with this standing
// through.
func (s Standing) admitted() bool { return s == Sharing || s == Endorsed || s == Bootstrap }

// admission is one immutable snapshot of who may connect: the trust State
// with this node's local blocks and configured peers laid over it.
type admission struct {
	state  *trust.State
	blocks map[protocol.Key]bool
	boot   map[protocol.Key]bool
	self   protocol.Key
	// notice holds the suspension and revocation enactments of the
	// commit that built this snapshot: enforce hands each target its own
	// before it closes the connection.
	notice []*protocol.Op
}

// standing judges key k.
func (a *admission) standing(k protocol.Key) Standing {
	if k == a.self {
		return Sharing
	}
	ks := a.state.Key(k)
	switch {
	case a.blocks[k]:
		return Denied
	case ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft || ks.Suspended:
		return Denied
	case ks.InSharingSet():
		return Sharing
	case (ks.Status == trust.StatusApplicant || ks.Status == trust.StatusLapsed) && ks.Endorsements > 0:
		return Endorsed
	case ks.Status == trust.StatusStranger && a.boot[k]:
		return Bootstrap
	}
	return Refused
}

// gater is the node's libp2p ConnectionGater and pubsub Blacklist. It
// reads the current admission snapshot; the node swaps in a new one
// whenever the State or the local blocks change, before it closes
// anything, so a refused peer cannot slip back in between.
type gater struct {
	cur    atomic.Pointer[admission]
	refuse func(peer.ID) bool
	keys   sync.Map // peer.ID -> protocol.Key, of peers with a standing
	// knocks lets a member the circle removed through, now and then, to
	// be told of the decisions about it (notice.go); nil lets none.
	knocks *knockGate
	// addrs decides which addresses of members the node dials; nil
	// dials any.
	addrs *addrPolicy
}

func newGater(a *admission, refuse func(peer.ID) bool) *gater {
	g := &gater{refuse: refuse}
	g.cur.Store(a)
	return g
}

// removed reports whether the circle removed p's key: suspended, revoked
// or gone. A local block or a testnet cut is no removal.
func (g *gater) removed(p peer.ID) bool {
	k, ok := g.keyOf(p)
	if !ok {
		return false
	}
	a := g.cur.Load()
	if a.blocks[k] || (g.refuse != nil && g.refuse(p)) {
		return false
	}
	ks := a.state.Key(k)
	return (ks.Status == trust.StatusMember && ks.Suspended) || ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft
}

// keyOf returns the member key behind a peer ID: the ID inlines the
// Ed25519 public key. ok is false for IDs of other key types.
func (g *gater) keyOf(p peer.ID) (protocol.Key, bool) {
	if k, ok := g.keys.Load(p); ok {
		return k.(protocol.Key), true
	}
	return PeerKey(p)
}

// standing judges peer p against the current snapshot. Every gossip
// message asks it of its forwarder, so the keys of peers the circle knows
// (any standing but Refused) are kept, once; anyone can present a fresh
// peer ID, so the keys of the others are not, and the map stays as small
// as the circle and its applicants.
func (g *gater) standing(p peer.ID) Standing {
	if k, ok := g.keys.Load(p); ok {
		return g.standingOf(k.(protocol.Key), p)
	}
	k, ok := PeerKey(p)
	if !ok {
		return Refused
	}
	s := g.standingOf(k, p)
	if s != Refused {
		g.keys.Store(p, k)
	}
	return s
}

// standingOf judges peer p, whose member key k the caller already knows,
// against the current snapshot: standing without decoding p.
func (g *gater) standingOf(k protocol.Key, p peer.ID) Standing {
	s := g.cur.Load().standing(k)
	if s.admitted() && g.refuse != nil && g.refuse(p) {
		return Refused
	}
	return s
}

func (g *gater) allow(p peer.ID) bool { return g.standing(p).admitted() }

// InterceptPeerDial implements connmgr.ConnectionGater: an admitted peer,
// or a removed member this node is telling of a decision about it.
func (g *gater) InterceptPeerDial(p peer.ID) bool { return g.allow(p) || g.telling(p) }

// telling reports whether the gate lets removed member p through now to be
// told of the decisions about it (knockGate).
func (g *gater) telling(p peer.ID) bool {
	return g.knocks != nil && g.knocks.answering(p, time.Now()) && g.removed(p)
}

// InterceptAddrDial implements connmgr.ConnectionGater: an admitted peer,
// at an address the policy lets the node dial (no loopback or private
// address unless allowed, whoever put it in the peerstore).
func (g *gater) InterceptAddrDial(p peer.ID, a multiaddr.Multiaddr) bool {
	return (g.allow(p) || g.telling(p)) && (g.addrs == nil || g.addrs.dialable(p, a))
}

// InterceptAccept implements connmgr.ConnectionGater: the peer is not known
// yet, so the decision waits for InterceptSecured.
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

// InterceptSecured implements connmgr.ConnectionGater. A member the circle
// removed that dials in is let through at most once per NoticeInterval,
// to be told of the decisions about it (knockGate); it is served nothing
// else.
func (g *gater) InterceptSecured(dir network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	if g.allow(p) {
		return true
	}
	if dir == network.DirOutbound {
		return g.telling(p)
	}
	return g.knocks != nil && g.removed(p) && g.knocks.open(p, time.Now())
}

// InterceptUpgraded implements connmgr.ConnectionGater.
func (g *gater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	p := c.RemotePeer()
	return g.allow(p) || g.telling(p), 0
}

// Add implements pubsub.Blacklist. The blacklist is the admission snapshot
// itself, so a lifted suspension or block lifts it too; Add only lets
// pubsub drop the peer's queues at once.
func (g *gater) Add(peer.ID) bool { return true }

// Contains implements pubsub.Blacklist: denied peers, and peers the testnet
// has cut off.
func (g *gater) Contains(p peer.ID) bool {
	s := g.standing(p)
	return s == Denied || (s == Refused && g.refuse != nil && g.refuse(p))
}
