package node

import (
	"context"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/kring-circle/kring/protocol"
)

// batchesTaken returns how many batches n's gossip batcher has taken to
// decode and verify so far.
func batchesTaken(n *Node) uint64 {
	n.batcher.mu.Lock()
	defer n.batcher.mu.Unlock()
	return n.batcher.taken
}

// An op the node stores already, gossiped again (as after pubsub's seen
// cache has expired), is answered as a duplicate without reaching the
// batcher, so its signature is not checked again; a new op, and a forged
// copy of the held op (other bytes, so another hash), still are. Run on
// the memory store and the badger store.
func TestReplayedOpIsNotVerifiedAgain(t *testing.T) {
	for _, durable := range []bool{false, true} {
		name := map[bool]string{false: "memory", true: "badger"}[durable]
		t.Run(name, func(t *testing.T) {
			c := newCircle(t, "A", "B", "C", "D")
			op := must(t)
			held := op(c.Advise("B", "held already", protocol.TLPGreen))
			history := c.Ops[1:]
			fresh := op(c.Advise("B", "new", protocol.TLPGreen))
			n := startNode(t, c, "D", func(cfg *Config) {
				if durable {
					cfg.Store.InMemory, cfg.DataDir = false, t.TempDir()
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			vs, err := n.submit(ctx, history)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range vs {
				if v != accept() {
					t.Fatalf("%s: %+v, want accept", history[i], v)
				}
			}
			B := peerOf(t, c, "B")

			taken, dups := batchesTaken(n), n.Verdicts()["ignore/duplicate"]
			for range 3 {
				if got := n.validate(ctx, B, msg(held.Bytes())); got != pubsub.ValidationIgnore {
					t.Fatalf("held op replayed: %s, want ignore", resultName(got))
				}
			}
			if got := batchesTaken(n); got != taken {
				t.Errorf("a held op replayed 3 times went to the batcher to be verified: %d batches taken, want %d", got, taken)
			}
			if got := n.Verdicts()["ignore/duplicate"]; got != dups+3 {
				t.Errorf("ignore/duplicate = %d, want %d; verdicts %v", got, dups+3, n.Verdicts())
			}

			if got := n.validate(ctx, B, msg(forge(held))); got != pubsub.ValidationReject {
				t.Errorf("forged copy of a held op: %s, want reject", resultName(got))
			}
			if got := n.Verdicts()["reject/bad-signature"]; got != 1 {
				t.Errorf("reject/bad-signature = %d, want 1; verdicts %v", got, n.Verdicts())
			}
			if got := n.validate(ctx, B, msg(fresh.Bytes())); got != pubsub.ValidationAccept {
				t.Errorf("new op: %s, want accept", resultName(got))
			}
			if got := batchesTaken(n); got != taken+2 {
				t.Errorf("%d batches taken for the forged copy and the new op, want 2", got-taken)
			}
		})
	}
}

// Ops stored before a restart count as held after it: a replay of one is
// not verified again (the filter is filled as the engine loads the log).
func TestReplayAfterRestartIsNotVerified(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	held := must(t)(c.Advise("B", "held before the restart", protocol.TLPGreen))
	dir := t.TempDir()
	durable := func(cfg *Config) { cfg.Store.InMemory, cfg.DataDir = false, dir }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := testConfig(c, "D")
	durable(&cfg)
	first, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.submit(ctx, c.Ops[1:]); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, c, "D", durable)
	if ok, err := n.Has(held.Hash()); !ok || err != nil {
		t.Fatalf("Has(held) after the restart = %v, %v", ok, err)
	}
	taken := batchesTaken(n)
	if got := n.validate(ctx, peerOf(t, c, "B"), msg(held.Bytes())); got != pubsub.ValidationIgnore {
		t.Fatalf("held op replayed after a restart: %s, want ignore", resultName(got))
	}
	if got := batchesTaken(n); got != taken {
		t.Errorf("a held op replayed after a restart went to the batcher: %d batches taken, want %d", got, taken)
	}
	if got := n.Verdicts()["ignore/duplicate"]; got != 1 {
		t.Errorf("ignore/duplicate = %d, want 1; verdicts %v", got, n.Verdicts())
	}
}
