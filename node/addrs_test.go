package node

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// sealedRecord returns a peer record for peer id with addrs, signed by
// the key of the actor called signer.
func sealedRecord(t *testing.T, signer string, id peer.ID, addrs ...multiaddr.Multiaddr) []byte {
	t.Helper()
	sk, err := crypto.UnmarshalEd25519PrivateKey(trusttest.KeyFor(signer))
	if err != nil {
		t.Fatal(err)
	}
	rec := peer.PeerRecordFromAddrInfo(peer.AddrInfo{ID: id, Addrs: addrs})
	env, err := record.Seal(rec, sk)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// loopbackAddrs returns n loopback TCP addresses on ports from 40000.
func loopbackAddrs(n int) ([]multiaddr.Multiaddr, [][]byte) {
	var addrs []multiaddr.Multiaddr
	var raw [][]byte
	for i := range n {
		a := multiaddr.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 40000+i))
		addrs = append(addrs, a)
		raw = append(raw, a.Bytes())
	}
	return addrs, raw
}

// A sync partner that offers addresses for another member is not
// believed: unsigned entries and entries signed by anyone but the member
// put nothing in the peerstore, so the node neither dials nor saves them.
// The member's own signed record is taken, capped at maxMemberAddrs, and
// still not saved: only what a member hands over itself is.
func TestRelayedAddressesNeedTheirMembersSignature(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	pc := peerOf(t, c, "C")
	ckey := c.Actor("C").Key
	addrs, raw := loopbackAddrs(20)

	forged := []protocol.SyncAddr{
		{Key: ckey, Addrs: raw}, // the partner's word alone
		{Key: ckey, Addrs: raw, Record: sealedRecord(t, "B", pc, addrs...)},                // signed by B for C
		{Key: ckey, Addrs: raw, Record: sealedRecord(t, "C", peerOf(t, c, "B"), addrs...)}, // C's record of B
		{Key: ckey, Addrs: raw, Record: []byte("not an envelope")},
	}
	took, refused := a.takeAddrs(forged)
	if took != 0 || refused != len(forged) {
		t.Fatalf("takeAddrs(forged) = %d taken, %d refused; want 0, %d", took, refused, len(forged))
	}
	if got := a.host.Peerstore().Addrs(pc); len(got) != 0 {
		t.Fatalf("peerstore holds %d addresses for C after forged entries: %v", len(got), got)
	}
	var targets sharingPeers
	a.redialDue(&targets, time.Now())
	if got := a.dialAttempts.Load(); got != 0 {
		t.Errorf("A dialled %d times after forged entries, want 0", got)
	}
	if _, err := openAddrRecord(ckey, forged[1].Record); !errors.Is(err, ErrAddrRecord) {
		t.Errorf("a record signed by B for C: err = %v, want ErrAddrRecord", err)
	}

	// C's own signed record, relayed by a partner: taken, capped.
	took, refused = a.takeAddrs([]protocol.SyncAddr{{Key: ckey, Record: sealedRecord(t, "C", pc, addrs...)}})
	if took != 1 || refused != 0 {
		t.Fatalf("takeAddrs(C's record) = %d taken, %d refused; want 1, 0", took, refused)
	}
	if got := len(a.host.Peerstore().Addrs(pc)); got != maxMemberAddrs {
		t.Errorf("peerstore holds %d addresses for C, want the cap %d", got, maxMemberAddrs)
	}
	// Never saved: A holds no record C handed over itself.
	a.saveAddrs(pc)
	book, err := a.store.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := book[ckey]; ok {
		t.Errorf("the address book saved relayed addresses of C: %v", book[ckey])
	}
}

// The honest path still works: A, which knows only B, learns from B where
// C listens (C's own record, relayed), reaches C, and saves the addresses
// C handed it itself.
func TestMembersLearnEachOthersSignedAddresses(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	b := startNode(t, c, "B", nil)
	cn := startNode(t, c, "C", func(cfg *Config) { cfg.Peers = b.P2PAddrs()[:1] })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitUntil(t, ctx, "B holds C's signed record", func() bool { return b.signedRecord(cn.ID()) != nil })
	a := startNode(t, c, "A", func(cfg *Config) { cfg.Peers = b.P2PAddrs()[:1] })
	waitUntil(t, ctx, "A connected to C", func() bool { return connectedTo(a, cn.ID()) })
	waitUntil(t, ctx, "A saved C's own addresses", func() bool {
		a.saveAddrs(cn.ID())
		book, err := a.store.Addrs()
		return err == nil && len(book[cn.Key()].Addrs) > 0
	})
}

// The address policy: without AllowPrivateAddrs, loopback, private and
// link-local addresses are dropped and not dialled, except the configured
// peers' own; with it (or when the node itself listens only on private
// addresses), they are kept. Either way at most maxMemberAddrs are kept.
func TestPrivateAddressesOnlyWhenAllowed(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	pb := peerOf(t, c, "B")
	public := multiaddr.StringCast("/ip4/1.2.3.4/tcp/4001")
	private := []multiaddr.Multiaddr{
		multiaddr.StringCast("/ip4/127.0.0.1/tcp/4001"),
		multiaddr.StringCast("/ip4/10.1.2.3/tcp/4001"),
		multiaddr.StringCast("/ip4/192.168.1.1/tcp/4001"),
		multiaddr.StringCast("/ip4/169.254.1.1/tcp/4001"),
		multiaddr.StringCast("/ip6/::1/tcp/4001"),
		multiaddr.StringCast("/dns4/localhost/tcp/4001"),
	}
	boot := multiaddr.StringCast("/ip4/10.9.9.9/tcp/4001")
	server := DefaultConfig()
	pol := newAddrPolicy(&server, []peer.AddrInfo{{ID: pb, Addrs: []multiaddr.Multiaddr{boot}}})
	if got := pol.keep(append(private, public)); len(got) != 1 || !got[0].Equal(public) {
		t.Errorf("a server's policy kept %v, want only %v", got, public)
	}
	for _, a := range private {
		if pol.dialable(pb, a) {
			t.Errorf("a server's policy dials %v", a)
		}
	}
	if !pol.dialable(pb, boot) || pol.dialable(peerOf(t, c, "A"), boot) {
		t.Error("a configured peer's private address is not dialled, or dialled for another peer")
	}
	// A node the gater guards refuses the dial too.
	g := newGater(&admission{state: stateOf(t, []*protocol.Op{c.Genesis}), self: c.Actor("A").Key}, nil)
	g.addrs = pol
	if g.InterceptAddrDial(pb, private[0]) || !g.InterceptAddrDial(pb, public) {
		t.Error("the gater dials a member's loopback address, or refuses its public one")
	}

	allowed := DefaultConfig()
	allowed.AllowPrivateAddrs = true
	if got := newAddrPolicy(&allowed, nil).keep(append(private, public)); len(got) != len(private)+1 {
		t.Errorf("an allowing policy kept %d of %d addresses", len(got), len(private)+1)
	}
	loopback := DefaultLocalConfig()
	loopback.AllowPrivateAddrs = false
	if !newAddrPolicy(&loopback, nil).private {
		t.Error("a node listening on loopback only refuses its circle's loopback addresses")
	}
	many, _ := loopbackAddrs(3 * maxMemberAddrs)
	if got := newAddrPolicy(&allowed, nil).keep(many); len(got) != maxMemberAddrs {
		t.Errorf("kept %d addresses, want the cap %d", len(got), maxMemberAddrs)
	}
}

// Relayed entries of a member the node is connected to are passed over
// unread (neither taken nor refused): a periodic sync costs no signature
// check for them, and the peerstore keeps what the connection showed.
func TestRelayedAddressesOfConnectedMembersAreNotRead(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	b := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	addrs, raw := loopbackAddrs(3)
	entries := []protocol.SyncAddr{
		{Key: c.Actor("B").Key, Addrs: raw, Record: sealedRecord(t, "C", b.ID(), addrs...)}, // forged, of connected B
		{Key: c.Actor("C").Key, Addrs: raw, Record: sealedRecord(t, "B", peerOf(t, c, "C"), addrs...)},
	}
	if took, refused := a.takeAddrs(entries); took != 0 || refused != 1 {
		t.Fatalf("takeAddrs = %d taken, %d refused; want 0, 1 (B's entry passed over, C's refused)", took, refused)
	}
	for _, got := range a.host.Peerstore().Addrs(b.ID()) {
		for _, bad := range addrs {
			if got.Equal(bad) {
				t.Errorf("peerstore holds the relayed address %s for connected B", got)
			}
		}
	}
}
