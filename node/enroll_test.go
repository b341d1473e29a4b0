package node

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// TestEnactmentKeepsItsSeq signs a newcomer's Admit enactment, which the
// node cannot store yet, and checks that the node never signs a second
// op with its seq: not on a second try, not after a restart, and only
// after dropping a refused enactment may it sign anew.
func TestEnactmentKeepsItsSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var votes []protocol.Hash
	for _, v := range []string{"A", "B", "C"} {
		votes = append(votes, must(t)(c.Endorse(v, "X", "vetted")).Hash())
	}
	adm := &protocol.SyncResponse{Votes: votes, Heads: votes, Epoch: c.Genesis.Hash()}
	dir := t.TempDir()

	l, n := newTestLoop(t, c, "X", dir, nil)
	first, err := l.signEnact(m, adm)
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || l.outstanding() != first {
		t.Fatalf("signed %s, outstanding %v; want seq 1, outstanding", first, l.outstanding())
	}
	l.commit()
	if again, err := l.signEnact(m, adm); err != nil || again.Hash() != first.Hash() {
		t.Fatalf("a second try signed %v (%v); want the same enactment", again, err)
	}
	if _, err := l.sign(&protocol.Advisory{Title: "too early", TLP: protocol.TLPGreen}); err == nil {
		t.Fatal("the node signed an op while its enactment is outstanding")
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}

	l, n = newTestLoop(t, c, "X", dir, nil)
	if own := l.outstanding(); own == nil || own.Hash() != first.Hash() {
		t.Fatalf("after a restart the outstanding enactment is %v; want %s", own, first)
	}
	if again, err := l.signEnact(m, adm); err != nil || again.Hash() != first.Hash() {
		t.Fatalf("after a restart a try signed %v (%v); want the same enactment", again, err)
	}

	l.dropOwn(first)
	l.commit()
	if own, err := n.store.Outstanding(); err != nil || own != nil || l.outstanding() != nil {
		t.Fatalf("after dropping: store keeps %v (%v), loop %v", own, err, l.outstanding())
	}
	adm.Epoch = protocol.Hash{9} // a corrected answer yields another op
	second, err := l.signEnact(m, adm)
	if err != nil || second.Seq != 1 || second.Hash() == first.Hash() {
		t.Fatalf("after dropping, signed %v (%v); want a new seq-1 op", second, err)
	}
}

// TestInvalidEnactmentFreesItsSeq: once the node holds the past of its
// outstanding enactment and its own log refuses the op (here: a wrong
// epoch, as a lying member would have it sign), the seq is free again.
func TestInvalidEnactmentFreesItsSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var votes []*protocol.Op
	var hashes []protocol.Hash
	for _, v := range []string{"A", "B", "C"} {
		op := must(t)(c.Endorse(v, "X", "vetted"))
		votes, hashes = append(votes, op), append(hashes, op.Hash())
	}
	l, n := newTestLoop(t, c, "X", t.TempDir(), nil)
	lie := &protocol.SyncResponse{Votes: hashes, Heads: hashes, Epoch: protocol.Hash{9}}
	bad, err := l.signEnact(m, lie)
	if err != nil {
		t.Fatal(err)
	}
	l.commit()
	for _, op := range votes {
		l.ingest(op, true)
	}
	l.commit()
	if l.outstanding() != nil {
		t.Fatalf("the refused enactment %s is still outstanding", bad)
	}
	if own, err := n.store.Outstanding(); err != nil || own != nil {
		t.Fatalf("the store still keeps %v (%v)", own, err)
	}
	if has, _ := n.store.Has(bad.Hash()); has {
		t.Fatal("the refused enactment was stored")
	}
	good, err := l.signEnact(m, &protocol.SyncResponse{Votes: hashes, Heads: hashes, Epoch: c.Genesis.Hash()})
	if err != nil || good.Seq != 1 {
		t.Fatalf("signing anew: %v (%v), want seq 1", good, err)
	}
	l.commit()
	if has, _ := n.store.Has(good.Hash()); !has || l.outstanding() != nil {
		t.Fatalf("the valid enactment is stored %v, outstanding %v; want stored and settled", has, l.outstanding())
	}
}
