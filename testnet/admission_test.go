package testnet

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// members returns the named members of net.
func members(net *Net, names ...string) []*Member {
	out := make([]*Member, len(names))
	for i, n := range names {
		out[i] = net.M(n)
	}
	return out
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
					if !m.Connected(e) {
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
					if m.Connected(e) || m.Node().Standing(e.ID) != node.Denied {
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
			if err := net.NoConnectionStands(ctx, "E", "A", "B", "C", "D"); err != nil {
				t.Fatal(err)
			}

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
		return a.Connected(x)
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
	own := craft(t, net, x, 1, nil, must[Snapshot](t)(a.Snapshot()).Heads, "an applicant's advisory")
	before := a.Node().Verdicts()
	if err := r.Publish(ctx, own.Bytes()); err != nil {
		t.Fatal(err)
	}
	judged := func() bool {
		after := a.Node().Verdicts()
		return len(after) != len(before) || after["accept/accepted"] != before["accept/accepted"]
	}
	if err := Throughout(ctx, "A ignoring the applicant's gossip", 500*time.Millisecond, func() bool {
		return !a.Has(own.Hash()) && !judged()
	}); err != nil {
		t.Errorf("%v: A stored the op: %v; verdicts %v, before %v", err, a.Has(own.Hash()), a.Node().Verdicts(), before)
	}
	if !a.Has(adv.Hash()) {
		t.Fatal("A lost its own advisory")
	}
}
