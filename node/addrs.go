package node

import (
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/record"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/kring-circle/kring/protocol"
)

// maxMemberAddrs bounds the addresses the node keeps, dials and saves for
// one member, wherever they come from.
const maxMemberAddrs = 8

// ErrAddrRecord reports a member address entry that does not prove the
// member itself signed its addresses.
var ErrAddrRecord = errors.New("node: address record not signed by its member")

// addrPolicy decides which addresses of members the node takes and dials.
// Addresses of a member are taken from that member only: its signed peer
// record (handed over by identify on a connection with it, or relayed by
// another member unchanged), or its own card in the log. Loopback,
// private and link-local addresses are taken only when private is set
// (the configuration allows them, or the node itself listens only on
// such addresses); the configured peers' addresses are the operator's own
// and always dialled. Immutable once built; safe to share.
type addrPolicy struct {
	private bool
	boot    map[peer.ID][]multiaddr.Multiaddr
}

// newAddrPolicy builds the policy of a node with configuration cfg and
// configured peers boot.
func newAddrPolicy(cfg *Config, boot []peer.AddrInfo) *addrPolicy {
	p := &addrPolicy{private: cfg.AllowPrivateAddrs || ownAddrsPrivate(cfg), boot: map[peer.ID][]multiaddr.Multiaddr{}}
	for _, ai := range boot {
		p.boot[ai.ID] = append(p.boot[ai.ID], ai.Addrs...)
	}
	return p
}

// ownAddrsPrivate reports whether every address the node listens on or
// announces is loopback or private: a circle on one host or one private
// network, whose members' addresses are private too.
func ownAddrsPrivate(cfg *Config) bool {
	n := 0
	for _, list := range [][]string{cfg.ListenAddrs, cfg.AnnounceAddrs} {
		for _, s := range list {
			a, err := multiaddr.NewMultiaddr(s)
			if err != nil || !manet.IsPrivateAddr(a) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// allowed reports whether a is an address the policy takes.
func (p *addrPolicy) allowed(a multiaddr.Multiaddr) bool {
	return p.private || manet.IsPublicAddr(a)
}

// keep returns the addresses of addrs the policy takes, at most
// maxMemberAddrs of them.
func (p *addrPolicy) keep(addrs []multiaddr.Multiaddr) []multiaddr.Multiaddr {
	var out []multiaddr.Multiaddr
	for _, a := range addrs {
		if len(out) == maxMemberAddrs {
			break
		}
		if a != nil && p.allowed(a) {
			out = append(out, a)
		}
	}
	return out
}

// dialable reports whether the node may dial peer id at a: an address the
// policy takes, or one the configuration lists for id.
func (p *addrPolicy) dialable(id peer.ID, a multiaddr.Multiaddr) bool {
	if p.allowed(a) {
		return true
	}
	for _, b := range p.boot[id] {
		if b.Equal(a) {
			return true
		}
	}
	return false
}

// openAddrRecord returns the addresses of member k's signed peer record
// raw: the envelope's signature must verify, and both its signing key and
// the record's peer ID must be k's. Any other entry is refused with an
// error wrapping ErrAddrRecord.
func openAddrRecord(k protocol.Key, raw []byte) ([]multiaddr.Multiaddr, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no record", ErrAddrRecord)
	}
	want, err := PeerID(k)
	if err != nil {
		return nil, err
	}
	env, rec, err := record.ConsumeEnvelope(raw, peer.PeerRecordEnvelopeDomain)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddrRecord, err)
	}
	return recordAddrsOf(want, env, rec)
}

// heldRecordAddrs returns the addresses of the signed peer record env that
// this node holds for member k (signedRecord): both the envelope's signing
// key and the record's peer ID must be k's. The signature is not checked
// again: an envelope exists only once checked (identify consumed it) or
// signed here.
func heldRecordAddrs(k protocol.Key, env *record.Envelope) ([]multiaddr.Multiaddr, error) {
	want, err := PeerID(k)
	if err != nil {
		return nil, err
	}
	rec, err := env.Record()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddrRecord, err)
	}
	return recordAddrsOf(want, env, rec)
}

// recordAddrsOf returns the addresses of rec, the record of envelope env,
// if it is a peer record of want signed by want's key.
func recordAddrsOf(want peer.ID, env *record.Envelope, rec record.Record) ([]multiaddr.Multiaddr, error) {
	pr, ok := rec.(*peer.PeerRecord)
	if !ok {
		return nil, fmt.Errorf("%w: not a peer record", ErrAddrRecord)
	}
	signer, err := peer.IDFromPublicKey(env.PublicKey)
	if err != nil || signer != want || pr.PeerID != want {
		return nil, fmt.Errorf("%w: a record of %s signed by %s for %s", ErrAddrRecord, pr.PeerID, signer, want)
	}
	return pr.Addrs, nil
}

// signedRecord returns peer p's signed peer record as p handed it to this
// node itself, by identify (keepRecords), or for this node itself its own;
// nil if it has none.
func (n *Node) signedRecord(p peer.ID) *record.Envelope {
	if p == n.host.ID() {
		if cab, ok := peerstore.GetCertifiedAddrBook(n.host.Peerstore()); ok {
			return cab.GetPeerRecord(p)
		}
		return nil
	}
	if env, ok := n.records.Load(p); ok {
		return env.(*record.Envelope)
	}
	return nil
}

// keepRecords keeps the signed peer record each member of the sharing set
// hands over by identify on a connection with it (identify checked that
// the member signed it), until the node stops. libp2p's peerstore keeps
// the addresses only. It holds the latest record of each member, so it
// stays as small as the circle.
func (n *Node) keepRecords() error {
	sub, err := n.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		return fmt.Errorf("node: identify events: %w", err)
	}
	n.goLoop(func() {
		defer sub.Close()
		for {
			select {
			case <-n.ctx.Done():
				return
			case ev, ok := <-sub.Out():
				if !ok {
					return
				}
				e := ev.(event.EvtPeerIdentificationCompleted)
				if e.SignedPeerRecord != nil && n.gater.standing(e.Peer) == Sharing {
					n.records.Store(e.Peer, e.SignedPeerRecord)
				}
			}
		}
	})
	return nil
}

// ownAddrs returns the addresses of member p's own signed record, as the
// policy takes them: the only addresses of p that the node saves.
func (n *Node) ownAddrs(p peer.ID) []multiaddr.Multiaddr {
	env := n.signedRecord(p)
	if env == nil {
		return nil
	}
	rec, err := env.Record()
	if err != nil {
		return nil
	}
	pr, ok := rec.(*peer.PeerRecord)
	if !ok || pr.PeerID != p {
		return nil
	}
	return n.gater.addrs.keep(pr.Addrs)
}

// takeAddrs adds to the peerstore the addresses a sync partner relayed:
// for each member of the sharing set not connected, those of its own
// signed record, as the policy takes them. Entries without a valid record
// of their member are dropped, and counted. Entries of members this node
// is connected to are passed over unread: checking their signatures on
// every periodic sync would cost one verification per member for nothing
// (issue 19, idle CPU). The addresses are never saved: the address book
// holds only what a member handed over itself. It returns how many
// entries it took and refused.
func (n *Node) takeAddrs(entries []protocol.SyncAddr) (took, refused int) {
	st := n.State()
	for _, sa := range entries {
		if sa.Key == n.key || !st.InSharingSet(sa.Key) {
			continue
		}
		p, err := PeerID(sa.Key)
		if err != nil || n.host.Network().Connectedness(p) == network.Connected {
			continue
		}
		addrs, err := openAddrRecord(sa.Key, sa.Record)
		if err != nil {
			refused++
			continue
		}
		if addrs = n.gater.addrs.keep(addrs); len(addrs) > 0 {
			n.host.Peerstore().AddAddrs(p, addrs, peerstore.RecentlyConnectedAddrTTL)
			took++
		}
	}
	if refused > 0 {
		n.log.Debug("sync partner relayed addresses without their member's signature", "entries", refused)
	}
	return took, refused
}
