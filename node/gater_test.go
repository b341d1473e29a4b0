package node

import (
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// standingCircle builds a circle with one key of every standing. Founders
// A to G; A is this node. X has the k=3 endorsements it needs, Y one
// fewer; D is suspended, E revoked, G left; S and T are strangers.
func standingCircle(t *testing.T) (*trusttest.Circle, *trust.State) {
	t.Helper()
	c := newCircle(t, "A", "B", "C", "D", "E", "F", "G")
	op := must(t)
	for _, who := range []string{"A", "B", "C"} {
		op(c.Endorse(who, "X", "vetted X"))
	}
	for _, who := range []string{"A", "B"} {
		op(c.Endorse(who, "Y", "vetted Y"))
	}
	op(c.Vote("A", c.Suspend("D", "case-1")))
	op(c.Vote("B", c.Suspend("D", "case-1")))
	syncActor(t, c, "A", "B")
	op(c.Enact("A", c.Suspend("D", "case-1")))
	for _, who := range []string{"A", "B", "C"} {
		op(c.Vote(who, c.Revoke("E")))
	}
	syncActor(t, c, "A", "B", "C")
	op(c.Enact("A", c.Revoke("E")))
	op(c.Leave("G"))
	st := stateOf(t, c.Ops)

	// The circle is what the table below assumes.
	for name, want := range map[string]trust.Status{
		"A": trust.StatusMember, "B": trust.StatusMember, "D": trust.StatusMember,
		"E": trust.StatusRevoked, "G": trust.StatusLeft, "X": trust.StatusApplicant,
		"Y": trust.StatusApplicant, "S": trust.StatusStranger,
	} {
		if got := st.Key(c.Actor(name).Key).Status; got != want {
			t.Fatalf("%s is %s in the log, want %s", name, got, want)
		}
	}
	if !st.Key(c.Actor("D").Key).Suspended {
		t.Fatal("D is not suspended")
	}
	if m := st.Key(c.Actor("X").Key).Missing(); m != 0 {
		t.Fatalf("X misses %d endorsements, want 0", m)
	}
	if m := st.Key(c.Actor("Y").Key).Missing(); m != 1 {
		t.Fatalf("Y misses %d endorsements, want 1", m)
	}
	return c, st
}

func TestStandingTable(t *testing.T) {
	c, st := standingCircle(t)
	key := func(name string) protocol.Key { return c.Actor(name).Key }
	a := &admission{
		state:  st,
		blocks: map[protocol.Key]bool{key("F"): true},
		// T is a configured peer the log does not know; E and Y are
		// configured too, but the log knows them.
		boot: map[protocol.Key]bool{key("T"): true, key("E"): true, key("Y"): true},
		self: key("A"),
	}
	g := newGater(a, nil)
	cases := []struct {
		name string
		want Standing
	}{
		{"A", Sharing},   // self
		{"B", Sharing},   // founder
		{"C", Sharing},   // founder
		{"X", Endorsed},  // applicant with k endorsements
		{"Y", Endorsed},  // applicant with k-1: it may ask its progress
		{"D", Denied},    // suspended
		{"E", Denied},    // revoked, configured or not
		{"G", Denied},    // left
		{"F", Denied},    // locally blocked founder
		{"S", Refused},   // stranger
		{"T", Bootstrap}, // configured stranger
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := peerOf(t, c, tc.name)
			if got := a.standing(key(tc.name)); got != tc.want {
				t.Errorf("admission.standing = %s, want %s", got, tc.want)
			}
			if got := g.standing(p); got != tc.want {
				t.Errorf("gater.standing = %s, want %s", got, tc.want)
			}
			admitted := tc.want == Sharing || tc.want == Endorsed || tc.want == Bootstrap
			if got := g.InterceptSecured(network.DirInbound, p, nil); got != admitted {
				t.Errorf("InterceptSecured = %v, want %v", got, admitted)
			}
			if got := g.InterceptPeerDial(p); got != admitted {
				t.Errorf("InterceptPeerDial = %v, want %v", got, admitted)
			}
			if got := g.InterceptAddrDial(p, nil); got != admitted {
				t.Errorf("InterceptAddrDial = %v, want %v", got, admitted)
			}
			if got := g.Contains(p); got != (tc.want == Denied) {
				t.Errorf("Contains = %v, want %v", got, tc.want == Denied)
			}
		})
	}
	if !g.InterceptAccept(nil) {
		t.Error("InterceptAccept refused before the peer is known")
	}
}

func TestGaterRefuseHook(t *testing.T) {
	c, st := standingCircle(t)
	a := &admission{state: st, blocks: map[protocol.Key]bool{}, boot: map[protocol.Key]bool{c.Actor("T").Key: true}, self: c.Actor("A").Key}
	cut := map[peer.ID]bool{peerOf(t, c, "B"): true, peerOf(t, c, "T"): true, peerOf(t, c, "S"): true, peerOf(t, c, "E"): true}
	g := newGater(a, func(p peer.ID) bool { return cut[p] })
	cases := []struct {
		name     string
		want     Standing
		contains bool
	}{
		{"B", Refused, true},   // sharing, but cut
		{"C", Sharing, false},  // sharing, not cut
		{"T", Refused, true},   // bootstrap, but cut
		{"S", Refused, true},   // refused anyway; cut, so blacklisted
		{"Y", Endorsed, false}, // endorsed, not cut
		{"E", Denied, true},    // revoked stays denied
		{"X", Endorsed, false},
	}
	for _, tc := range cases {
		p := peerOf(t, c, tc.name)
		if got := g.standing(p); got != tc.want {
			t.Errorf("%s: standing = %s, want %s", tc.name, got, tc.want)
		}
		if got := g.Contains(p); got != tc.contains {
			t.Errorf("%s: Contains = %v, want %v", tc.name, got, tc.contains)
		}
		if got, want := g.InterceptSecured(network.DirOutbound, p, nil), tc.want.admitted(); got != want {
			t.Errorf("%s: InterceptSecured = %v, want %v", tc.name, got, want)
		}
	}
}

func TestGaterSwapsSnapshots(t *testing.T) {
	c, st := standingCircle(t)
	b := c.Actor("B").Key
	g := newGater(&admission{state: st, self: c.Actor("A").Key}, nil)
	p := peerOf(t, c, "B")
	if got := g.standing(p); got != Sharing {
		t.Fatalf("B before the block: %s", got)
	}
	g.cur.Store(&admission{state: st, blocks: map[protocol.Key]bool{b: true}, self: c.Actor("A").Key})
	if got := g.standing(p); got != Denied || !g.Contains(p) || g.InterceptPeerDial(p) {
		t.Fatalf("B after the block: %s, Contains %v", got, g.Contains(p))
	}
}

func TestGaterNonEd25519Peer(t *testing.T) {
	_, st := standingCircle(t)
	g := newGater(&admission{state: st}, nil)
	_, pub, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from the key cache
		if got := g.standing(p); got != Refused {
			t.Fatalf("secp256k1 peer: %s, want refused", got)
		}
		if g.InterceptPeerDial(p) || g.Contains(p) {
			t.Fatal("secp256k1 peer dialled or blacklisted")
		}
	}
	if _, ok := PeerKey(p); ok {
		t.Fatal("PeerKey found a member key in a secp256k1 peer ID")
	}
}

func TestPeerIDRoundTrip(t *testing.T) {
	k := protocol.KeyOf(trusttest.KeyFor("A"))
	p, err := PeerID(k)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := PeerKey(p)
	if !ok || got != k {
		t.Fatalf("PeerKey(PeerID(k)) = %s, %v; want %s", got.Short(), ok, k.Short())
	}
}

func TestStandingString(t *testing.T) {
	for s, want := range map[Standing]string{
		Sharing: "sharing", Endorsed: "endorsed", Bootstrap: "bootstrap", Refused: "refused", Denied: "denied",
		0: "unknown", Denied + 1: "unknown", 255: "unknown",
	} {
		if got := s.String(); got != want {
			t.Errorf("Standing(%d).String() = %q, want %q", s, got, want)
		}
	}
}

// The gater keeps the keys of peers the circle knows, and only those: a
// stranger's fresh peer ID is converted every time and never kept.
func TestGaterKeepsOnlyKnownKeys(t *testing.T) {
	c, st := standingCircle(t)
	g := newGater(&admission{state: st, self: c.Actor("A").Key}, nil)
	member := peerOf(t, c, "B")
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := g.standing(member); got != Sharing {
			t.Fatalf("member: %s, want sharing", got)
		}
		if got := g.standing(stranger); got != Refused {
			t.Fatalf("stranger: %s, want refused", got)
		}
	}
	kept := 0
	g.keys.Range(func(k, v any) bool {
		kept++
		if k.(peer.ID) != member || v.(protocol.Key) != c.Actor("B").Key {
			t.Errorf("kept %s -> %s", k, v.(protocol.Key).Short())
		}
		return true
	})
	if kept != 1 {
		t.Fatalf("%d keys kept, want the member's alone", kept)
	}
}
