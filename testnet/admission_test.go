package testnet

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// connected reports whether a's node has a live connection to b.
func connected(a, b *Member) bool {
	nd := a.Node()
	return nd != nil && nd.Connected(b.ID)
}

// neverConnected checks, for a while, that none of the members' nodes
// holds a connection to outsider.
func neverConnected(t *testing.T, outsider *Member, members ...*Member) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		for _, m := range members {
			if connected(m, outsider) {
				t.Fatalf("%s is connected to %s, which it must refuse", m.Name, outsider.Name)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noConnectionStands checks, for a while, that no member's node holds a
// connection to the removed member outsider for longer than a knock takes
// (knockGrace): a member that holds a decision about it not handed over
// yet lets it in only to push that, then hangs up (docs/node.md).
func noConnectionStands(t *testing.T, outsider *Member, members ...*Member) {
	t.Helper()
	deadline := time.Now().Add(2 * knockGrace)
	since := map[string]time.Time{}
	for time.Now().Before(deadline) {
		for _, m := range members {
			if !connected(m, outsider) {
				delete(since, m.Name)
				continue
			}
			if _, ok := since[m.Name]; !ok {
				since[m.Name] = time.Now()
			}
			if d := time.Since(since[m.Name]); d > knockGrace {
				t.Fatalf("%s has held a connection to %s for %v, which it must refuse", m.Name, outsider.Name, d.Round(time.Millisecond))
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func members(net *Net, names ...string) []*Member {
	out := make([]*Member, len(names))
	for i, n := range names {
		out[i] = net.M(n)
	}
	return out
}

// Scenario 2: an applicant with k endorsements connects, enacts its Admit
// and then receives new advisories; an applicant with k-1 endorsements
// connects to learn its progress (k-1 of k) and receives nothing else; a
// stranger with a fresh key is refused at the gate and receives nothing.
func TestEndorsedApplicantJoinsOthersAreRefused(t *testing.T) {
	net, ctx := circle(t, founders...)
	a := net.M("A")
	x := must[*Member](t)(net.Add("X"))
	y := must[*Member](t)(net.Add("Y"))
	z := must[*Member](t)(net.Add("Z"))
	k := int(net.Genesis.Content().(*protocol.Genesis).Charter.Admit)
	for _, v := range founders[:k] {
		must[*protocol.Op](t)(net.M(v).Vote(ctx, x.Admit()))
	}
	for _, v := range founders[:k-1] {
		must[*protocol.Op](t)(net.M(v).Vote(ctx, y.Admit()))
	}
	if err := WaitFor(ctx, "A to count the endorsements", func() bool {
		st := a.Node().State()
		return st.Key(x.Key).Missing() == 0 && st.Key(y.Key).Missing() == 1
	}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Member{x, y, z} {
		m.SetPeers(a)
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}

	if err := WaitFor(ctx, "X to reach A", func() bool { return connected(x, a) }); err != nil {
		t.Fatal(err)
	}
	enact, err := x.Node().Enroll(ctx, x.Application())
	if err != nil {
		t.Fatal(err)
	}
	if err := net.WaitHas(ctx, enact.Hash(), append(founders, "X")...); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "every node to see X as a member", func() bool {
		for _, m := range members(net, append(founders, "X")...) {
			if m.Node().State().Key(x.Key).Status != trust.StatusMember {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	adv := must[*protocol.Op](t)(a.Advise(ctx, "Phishing wave against grid operators"))
	if err := net.WaitHas(ctx, adv.Hash(), "X"); err != nil {
		t.Fatal(err)
	}

	if s := a.Node().Standing(z.ID); s != node.Refused {
		t.Errorf("A's standing of Z is %s, want refused", s)
	}
	if s := a.Node().Standing(y.ID); s != node.Endorsed {
		t.Errorf("A's standing of Y is %s, want endorsed (to learn its progress)", s)
	}
	neverConnected(t, z, members(net, founders...)...)
	for _, out := range []*Member{y, z} {
		if n, _ := out.Node().StoredOps(); n != 1 {
			t.Errorf("%s stores %d ops, want only the genesis", out.Name, n)
		}
		if has, _ := out.Node().Has(adv.Hash()); has {
			t.Errorf("%s received the advisory", out.Name)
		}
	}
	if err := WaitFor(ctx, "Y to reach A", func() bool { return connected(y, a) }); err != nil {
		t.Fatal(err)
	}
	if _, err := y.Node().Enroll(ctx, y.Application()); !errors.Is(err, node.ErrNotEndorsed) {
		t.Errorf("Y enrolling with k-1 endorsements: got %v, want ErrNotEndorsed", err)
	}
	if e, ok := y.Node().Enrolment(); !ok || !e.Known || len(e.Endorsers) != k-1 || e.Missing() != 1 {
		t.Errorf("Y's progress: %+v, want %d of %d endorsements known", e, k-1, k)
	}
	if own, err := y.Node().Outstanding(); err != nil || own != nil {
		t.Errorf("Y signed %v (%v) with k-1 endorsements", own, err)
	}
	if n, _ := y.Node().StoredOps(); n != 1 {
		t.Errorf("Y stores %d ops after asking its progress, want only the genesis", n)
	}
}

// Scenario 3: after s suspend votes (and separately r revoke votes) every
// node has closed its connections to the target, refuses its redial, and
// rejects ops it authors afterwards.
func TestSuspendedOrRevokedMemberIsCutOff(t *testing.T) {
	cases := []struct {
		name   string
		motion func(*Member) protocol.Motion
		voters []string
	}{
		{"suspend", func(m *Member) protocol.Motion { return m.Suspend("leaked TLP:AMBER") }, []string{"A", "B"}},
		{"revoke", func(m *Member) protocol.Motion { return m.Revoke() }, []string{"A", "B", "C"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net, ctx := circle(t, founders...)
			e := net.M("E")
			rest := members(net, "A", "B", "C", "D")
			if err := WaitFor(ctx, "everyone connected to E", func() bool {
				for _, m := range rest {
					if !connected(m, e) {
						return false
					}
				}
				return true
			}); err != nil {
				t.Fatal(err)
			}
			enact, err := net.Decide(ctx, tc.motion(e), "A", tc.voters...)
			if err != nil {
				t.Fatal(err)
			}
			enacted := time.Now()
			cutOff := func() bool {
				for _, m := range rest {
					if connected(m, e) || m.Node().Standing(e.ID) != node.Denied {
						return false
					}
				}
				return true
			}
			for !cutOff() { // polled finely: the delay is a figure we report
				if ctx.Err() != nil {
					t.Fatal("E was never cut off everywhere")
				}
				time.Sleep(time.Millisecond)
			}
			t.Logf("all four nodes refused and disconnected E %v after A enacted", time.Since(enacted).Round(100*time.Microsecond))
			if err := net.WaitHas(ctx, enact.Hash(), "A", "B", "C", "D"); err != nil {
				t.Fatal(err)
			}

			// E redials everyone: refused at every gate, or let in
			// only to be handed the decision about it.
			for _, m := range rest {
				_ = e.Node().Connect(ctx, m.Node().AddrInfo())
			}
			noConnectionStands(t, e, rest...)

			// E's own node was handed its removal before the members
			// closed their connections: it knows, and refuses to publish.
			if err := WaitFor(ctx, "E's node knows its removal", func() bool {
				return !e.Node().State().InSharingSet(e.Key)
			}); err != nil {
				t.Fatal(err)
			}
			// Publish waits for the node to be able to publish: give it
			// a moment, not the test's whole deadline.
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			_, err = e.Node().Publish(short, &protocol.Advisory{Title: "after the decision", TLP: protocol.TLPGreen})
			cancel()
			if !errors.Is(err, node.ErrNotSharing) {
				t.Fatalf("E's node published after its removal: err = %v, want ErrNotSharing", err)
			}

			// An op E signs anyway, handed over by a member in good
			// standing, is not accepted anywhere.
			late, err := e.SignAnyway(&protocol.Advisory{Title: "after the decision", TLP: protocol.TLPGreen})
			if err != nil {
				t.Fatal(err)
			}
			n, err := net.M("D").Node().Push(ctx, net.M("A").ID, late)
			if n != 0 || !errors.Is(err, node.ErrRefused) {
				t.Fatalf("A accepted %d of E's later ops (err %v), want 0 and a refusal", n, err)
			}
			t.Logf("E's later op handed to A by D: %v", err)
			for _, m := range rest {
				if live, _ := m.Node().Live(ctx, late.Hash()); live {
					t.Errorf("%s counts E's later op", m.Name)
				}
			}
		})
	}
}

// A local block is one node's own, immediate and liftable: A refuses E at
// once while the others keep sharing with E, and after the lift E is back.
func TestLocalBlockIsLocalAndLiftable(t *testing.T) {
	net, ctx := circle(t, founders...)
	a, e := net.M("A"), net.M("E")
	if err := WaitFor(ctx, "A connected to E", func() bool { return connected(a, e) }); err != nil {
		t.Fatal(err)
	}
	if err := a.Node().Block(ctx, e.Key, "shared TLP:RED outside the circle"); err != nil {
		t.Fatal(err)
	}
	if connected(a, e) || a.Node().Standing(e.ID) != node.Denied {
		t.Fatalf("right after the block, A is connected to E (%v) or does not deny it (%s)", connected(a, e), a.Node().Standing(e.ID))
	}
	neverConnected(t, e, a)
	for _, m := range members(net, "B", "C", "D") {
		if !connected(m, e) || m.Node().Standing(e.ID) != node.Sharing {
			t.Errorf("%s stopped sharing with E over A's local block", m.Name)
		}
		if !m.Node().State().Equal(a.Node().State()) {
			t.Errorf("A's local block changed the State: %s differs from A", m.Name)
		}
	}
	adv := must[*protocol.Op](t)(e.Advise(ctx, "E keeps sharing with the others"))
	if err := net.WaitHas(ctx, adv.Hash(), "B", "C", "D"); err != nil {
		t.Fatal(err)
	}
	if err := a.Node().Unblock(ctx, e.Key); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "A and E to reconnect after the lift", func() bool { return connected(a, e) }); err != nil {
		t.Fatal(err)
	}
	if err := net.WaitHas(ctx, adv.Hash(), "A"); err != nil {
		t.Fatal(err)
	}
}

// An endorsed applicant may connect, but gossip carries nothing to it and
// takes nothing from it, even when its software subscribes to the topic.
func TestEndorsedApplicantGetsNoGossip(t *testing.T) {
	net, ctx := circle(t, founders...)
	a := net.M("A")
	x := must[*Member](t)(net.Add("X"))
	for _, v := range founders[:3] {
		must[*protocol.Op](t)(net.M(v).Vote(ctx, x.Admit()))
	}
	if err := WaitFor(ctx, "A to count X's endorsements", func() bool { return a.Node().State().Key(x.Key).Missing() == 0 }); err != nil {
		t.Fatal(err)
	}
	r := must[*Rogue](t)(net.NewRogue(ctx, x))
	defer r.Close()
	if err := r.Connect(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "A to admit X's connection", func() bool {
		return a.Node().Connected(x.ID)
	}); err != nil {
		t.Fatal(err)
	}
	if s := a.Node().Standing(x.ID); s != node.Endorsed {
		t.Fatalf("A's standing of X is %s, want endorsed", s)
	}
	time.Sleep(300 * time.Millisecond) // let X's subscription reach A
	adv := must[*protocol.Op](t)(a.Advise(ctx, "TLP:AMBER indicators for members only"))
	if got := r.Received(ctx, time.Second); got != 0 {
		t.Errorf("the endorsed applicant received %d gossip messages, want 0", got)
	}
	own := craft(t, net, x, 1, nil, must[[]protocol.Hash](t)(a.Node().Heads()), "an applicant's advisory")
	before := a.Node().Verdicts()
	if err := r.Publish(ctx, own.Bytes()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if has, _ := a.Node().Has(own.Hash()); has {
		t.Error("A stored an op the applicant gossiped")
	}
	if after := a.Node().Verdicts(); len(after) != len(before) || after["accept/accepted"] != before["accept/accepted"] {
		t.Errorf("A judged the applicant's gossip: verdicts %v, before %v", after, before)
	}
	if has, _ := a.Node().Has(adv.Hash()); !has {
		t.Fatal("A lost its own advisory")
	}
}
