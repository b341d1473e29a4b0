package testnet

import (
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

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
