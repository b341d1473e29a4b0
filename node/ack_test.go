package node

import (
	"context"
	"errors"
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
		k, err := n.store.Len()
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
	if _, err := n.sync.ingestRaw(ctx, [][]byte{adv.Bytes()}); err != nil {
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
	heads, err := n.store.Tips()
	if err != nil {
		t.Fatal(err)
	}
	tip := heads[n.Key()]
	ack, err := n.store.Get(tip.Hashes[0])
	if err != nil || ack.Kind != protocol.KindAck || !slices.Contains(ack.Preds, adv.Hash()) {
		t.Fatalf("the node's last op is %v, want an Ack citing B's advisory", ack)
	}
	next, ok := n.NextAck()
	if want := time.UnixMilli(ack.TS).Add(interval); !ok || !next.Equal(want) {
		t.Fatalf("after the Ack NextAck = %v, want %v", next, want)
	}
}

// Acknowledge signs an Ack at once, before the interval, citing what the
// node holds; with nothing new it refuses, and it refuses for an
// organisation that is not a member.
func TestAcknowledgeOnRequest(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if op, err := n.Acknowledge(ctx); !errors.Is(err, ErrNothingToAcknowledge) || op != nil {
		t.Fatalf("Acknowledge with nothing new = %v, %v; want ErrNothingToAcknowledge", op, err)
	}
	adv := must(t)(c.Do("B", &protocol.Advisory{Title: "from B", TLP: protocol.TLPGreen}))
	if _, err := n.sync.ingestRaw(ctx, [][]byte{adv.Bytes()}); err != nil {
		t.Fatal(err)
	}
	op, err := n.Acknowledge(ctx)
	if err != nil {
		t.Fatalf("Acknowledge: %v", err)
	}
	if op.Kind != protocol.KindAck || op.Author != n.Key() || !slices.Contains(op.Preds, adv.Hash()) {
		t.Fatalf("Acknowledge signed %v, want A's Ack citing B's advisory", op)
	}
	if got, err := n.store.Get(op.Hash()); err != nil || got.Hash() != op.Hash() {
		t.Fatalf("the Ack is not stored: %v", err)
	}
	if _, err := n.Acknowledge(ctx); !errors.Is(err, ErrNothingToAcknowledge) {
		t.Fatalf("a second Acknowledge = %v, want ErrNothingToAcknowledge", err)
	}

	x := startNode(t, c, "X", nil)
	if _, err := x.Acknowledge(ctx); !errors.Is(err, ErrCannotAcknowledge) {
		t.Fatalf("Acknowledge by a stranger = %v, want ErrCannotAcknowledge", err)
	}
}
