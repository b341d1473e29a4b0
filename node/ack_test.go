package node

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// The node signs an Ack once the charter's interval has passed since its
// last own op, and only when it holds ops that op does not cite.
func TestAckSignedWhenDueAndSomethingIsNew(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	interval := time.Duration(c.Genesis.Content().(*protocol.Genesis).Charter.AckSeconds()) * time.Second

	at, ok := n.NextAck()
	if want := time.UnixMilli(c.Genesis.TS).Add(interval); !ok || !at.Equal(want) {
		t.Fatalf("NextAck = %v, %v; want %v, true (the genesis, A's own op, plus the interval)", at, ok, want)
	}
	ops := func() int {
		t.Helper()
		k, err := n.Store().Len()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	before := ops()
	n.ackIfDue(at.Add(time.Hour))
	if got := ops(); got != before {
		t.Fatalf("with nothing new to acknowledge the node signed: %d ops, want %d", got, before)
	}

	adv := must(t)(c.Do("B", &protocol.Advisory{Title: "from B", TLP: protocol.TLPGreen}))
	if _, err := n.ingestRaw(ctx, [][]byte{adv.Bytes()}); err != nil {
		t.Fatal(err)
	}
	before = ops()
	n.ackIfDue(at.Add(-time.Minute))
	if got := ops(); got != before {
		t.Fatalf("before the interval passed the node signed: %d ops, want %d", got, before)
	}
	n.ackIfDue(at.Add(time.Minute))
	if got := ops(); got != before+1 {
		t.Fatalf("an acknowledgement was due: %d ops, want %d", got, before+1)
	}
	heads, err := n.Store().Tips()
	if err != nil {
		t.Fatal(err)
	}
	tip := heads[n.Key()]
	ack, err := n.Store().Get(tip.Hashes[0])
	if err != nil || ack.Kind != protocol.KindAck || !slices.Contains(ack.Preds, adv.Hash()) {
		t.Fatalf("the node's last op is %v, want an Ack citing B's advisory", ack)
	}
	next, ok := n.NextAck()
	if want := time.UnixMilli(ack.TS).Add(interval); !ok || !next.Equal(want) {
		t.Fatalf("after the Ack NextAck = %v, want %v", next, want)
	}
}
