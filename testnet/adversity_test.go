package testnet

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Scenario 8: a member forwarding a forged op is penalised (Reject); a
// member forwarding a valid op whose author it could not yet know to be
// revoked is not (Ignore).
func TestForwardersOfForgedAndVoidOps(t *testing.T) {
	all := append(append([]string{}, founders...), "M", "F")
	net, ctx := circleStarting(t, all, founders)
	a := net.M("A")

	// E signs an op, then the circle revokes E without having seen it.
	e := net.M("E")
	voidOp := signNext(t, e)
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	revoke, err := net.Decide(ctx, e.Revoke(), "A", "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	if err := net.WaitHas(ctx, revoke.Hash(), "A", "B", "C", "D"); err != nil {
		t.Fatal(err)
	}

	// A forged op: a genuine advisory of B with one signature byte flipped.
	genuine := must[*protocol.Op](t)(net.M("B").Advise(ctx, "genuine advisory"))
	if err := net.WaitHas(ctx, genuine.Hash(), "A"); err != nil {
		t.Fatal(err)
	}
	forged := forge(t, net, "B")

	m := must[*Rogue](t)(net.NewRogue(ctx, net.M("M")))
	defer m.Close()
	f := must[*Rogue](t)(net.NewRogue(ctx, net.M("F")))
	defer f.Close()
	for _, r := range []*Rogue{m, f} {
		if err := r.Connect(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := WaitFor(ctx, "the rogue to see A on the topic", func() bool { return r.Peers() > 0 }); err != nil {
			t.Fatal(err)
		}
	}
	before := a.Node().Verdicts()
	if err := m.Publish(ctx, forged); err != nil {
		t.Fatal(err)
	}
	if err := f.Publish(ctx, voidOp.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "A to judge both ops", func() bool {
		v := a.Node().Verdicts()
		return v["reject/bad-signature"] > before["reject/bad-signature"] && v["ignore/void"] > before["ignore/void"]
	}); err != nil {
		t.Fatalf("%v; A's verdicts: %v", err, a.Node().Verdicts())
	}
	if err := WaitFor(ctx, "A to score M down", func() bool {
		s, ok := a.Node().PeerScore(net.M("M").ID)
		return ok && s < 0
	}); err != nil {
		t.Fatal(err)
	}
	// Through another score sample, F keeps a score of zero or more.
	if err := Throughout(ctx, "A not penalising F", 300*time.Millisecond, func() bool {
		s, ok := a.Node().PeerScore(net.M("F").ID)
		return ok && s >= 0
	}); err != nil {
		s, ok := a.Node().PeerScore(net.M("F").ID)
		t.Errorf("%v: A scores F at %v (known %v) for forwarding a void op; want no penalty", err, s, ok)
	}
	sm, _ := a.Node().PeerScore(net.M("M").ID)
	sf, _ := a.Node().PeerScore(net.M("F").ID)
	t.Logf("A's scores: forger M %.1f, uninformed forwarder F %.1f", sm, sf)
	if live, _ := a.Node().Live(ctx, voidOp.Hash()); live {
		t.Error("A counts the op of revoked E")
	}
}

// signNext signs member m's next advisory over its node's heads, without
// publishing it.
func signNext(t *testing.T, m *Member) *protocol.Op {
	t.Helper()
	st := m.Node()
	tips := must[map[protocol.Key]trust.Tip](t)(st.Tips())
	heads := must[[]protocol.Hash](t)(st.Heads())
	op := &protocol.Op{Group: m.net.Genesis.Hash(), Seq: 1, Preds: heads, Epoch: m.net.Genesis.Hash(), Kind: protocol.KindAdvisory, TS: 1}
	if tip, ok := tips[m.Key]; ok {
		prev := tip.Hashes[0]
		op.Seq, op.Prev = tip.Seq+1, &prev
		op.Preds = protocol.SortPreds(append(heads, prev))
	}
	if err := protocol.Sign(op, &protocol.Advisory{Title: "signed before the revocation", TLP: protocol.TLPGreen}, m.Priv); err != nil {
		t.Fatal(err)
	}
	return op
}

// forge returns a canonical op of member name's whose signature no longer
// verifies.
func forge(t *testing.T, net *Net, name string) []byte {
	t.Helper()
	op := signNext(t, net.M(name))
	b := bytes.Clone(op.Bytes())
	b[len(b)-1] ^= 0x01 // the last byte of sig, field 10, the map's last entry
	if _, err := protocol.Decode(b); err != nil {
		t.Fatalf("the forgery is not even well-formed: %v", err)
	}
	return b
}

// craft signs an op of member m by hand, as a misbehaving member's
// software could.
func craft(t *testing.T, net *Net, m *Member, seq uint64, prev *protocol.Hash, preds []protocol.Hash, title string) *protocol.Op {
	t.Helper()
	op := &protocol.Op{Group: net.Genesis.Hash(), Seq: seq, Prev: prev, Preds: protocol.SortPreds(preds), Epoch: net.Genesis.Hash(), Kind: protocol.KindAdvisory, TS: 1}
	if err := protocol.Sign(op, &protocol.Advisory{Title: title, TLP: protocol.TLPGreen}, m.Priv); err != nil {
		t.Fatal(err)
	}
	return op
}

// feed has a rogue holding member via's key gossip ops to m's node, one by
// one, and waits until m stores each.
func feed(t *testing.T, ctx context.Context, net *Net, via, m *Member, ops ...*protocol.Op) {
	t.Helper()
	r := must[*Rogue](t)(net.NewRogue(ctx, via))
	defer r.Close()
	if err := r.Connect(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "the rogue to see "+m.Name+" on the topic", func() bool { return r.Peers() > 0 }); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if err := r.Publish(ctx, op.Bytes()); err != nil {
			t.Fatal(err)
		}
		if err := net.WaitHas(ctx, op.Hash(), m.Name); err != nil {
			t.Fatal(err)
		}
	}
}

// A member that forks its chain with advisories alone is suspended on
// every node that sees both branches, and the nodes still exchange both
// branches by sync, including ops that build on the branch the other node
// lacks.
func TestEquivocatorIsSuspendedAndBothBranchesSync(t *testing.T) {
	net, ctx := circleStarting(t, founders, nil)
	a, b, c, e := net.M("A"), net.M("B"), net.M("C"), net.M("E")
	g := net.Genesis.Hash()
	c1 := craft(t, net, c, 1, nil, []protocol.Hash{g}, "c1")
	h1 := c1.Hash()
	c2a := craft(t, net, c, 2, &h1, []protocol.Hash{h1}, "c2a")
	c2b := craft(t, net, c, 2, &h1, []protocol.Hash{h1}, "c2b")
	h2b := c2b.Hash()
	c3 := craft(t, net, c, 3, &h2b, []protocol.Hash{h2b}, "c3 on c2b")

	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	feed(t, ctx, net, e, b, c1, c2a)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	feed(t, ctx, net, e, a, c1, c2b, c3)
	if st := a.Node().State().Key(c.Key); st.Suspended || a.Node().Standing(c.ID) != node.Sharing {
		t.Fatalf("with one branch only, A already sees C as %s", st)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := net.ConnectAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := net.WaitConverged(ctx, "A", "B"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Member{a, b} {
		st := m.Node().State().Key(c.Key)
		if !st.Suspended || st.Equivocated != 2 || m.Node().Standing(c.ID) != node.Denied {
			t.Errorf("%s sees C as %s, standing %s; want suspended, equivocated@2, denied", m.Name, st, m.Node().Standing(c.ID))
		}
		if has, _ := m.Node().Has(c3.Hash()); !has {
			t.Errorf("%s lacks c3", m.Name)
		}
	}
}
