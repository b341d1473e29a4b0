package node

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// A member's vote joins the open suspension case against the same target,
// and once the votes reach s the node that voted enacts the motion itself.
func TestVoteJoinsOpenCaseAndAutoEnacts(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "A", func(cfg *Config) { cfg.AutoEnact = true })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	target := c.Actor("D").Key
	first := must(t)(c.Vote("B", c.Suspend("D", "leak-1")))
	if vs, err := n.submit(ctx, []*protocol.Op{first}); err != nil || vs[0].Reason != "accepted" {
		t.Fatalf("B's vote: %v %v", vs, err)
	}
	op, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionSuspend, Target: &target}, protocol.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	vote := op.Content().(*protocol.Vote)
	if !bytes.Equal(vote.Motion.Case, []byte("leak-1")) {
		t.Fatalf("the vote opened case %x, want B's case %q", vote.Motion.Case, "leak-1")
	}
	suspended := func() bool { return n.State().Key(target).Suspended }
	for !suspended() {
		select {
		case <-n.Changed():
		case <-ctx.Done():
			t.Fatalf("the node did not enact the suspension: %s", n.State().Key(target))
		}
	}
	tally, ok := n.State().Tally(vote.Motion.Hash())
	if !ok || !tally.Enacted {
		t.Fatalf("tally %+v: want enacted", tally)
	}
	evs, err := n.Explain(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if !explains(evs, "suspend") {
		t.Fatalf("Explain(D) does not mention the suspension: %v", evs)
	}
	if got := n.State().Suspensions(target); len(got) != 1 || got[0] != vote.Motion.Hash() {
		t.Fatalf("Suspensions(D) = %v", got)
	}
}

// Without AutoEnact the votes stand and nobody enacts; a suspension vote
// without an open case opens its own; an Unsuspend of a member that is not
// suspended, and a vote on oneself, are refused before anything is signed.
func TestVoteWithoutAutoEnact(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	target := c.Actor("D").Key
	op, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionSuspend, Target: &target}, protocol.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	m := op.Content().(*protocol.Vote).Motion
	if len(m.Case) != 16 {
		t.Fatalf("a first suspension vote has case %x, want 16 random bytes", m.Case)
	}
	// B's vote on A's case reaches s = 2 on A's node.
	if err := c.Deliver("B", op); err != nil {
		t.Fatal(err)
	}
	second := must(t)(c.Vote("B", m))
	if vs, err := n.submit(ctx, []*protocol.Op{second}); err != nil || vs[0].Reason != "accepted" {
		t.Fatalf("B's vote: %v %v", vs, err)
	}
	tally, _ := n.State().Tally(m.Hash())
	if len(tally.Voters) != 2 {
		t.Fatalf("tally %+v, want two voters", tally)
	}
	// autoEnact runs in the commit that applied B's vote, before submit
	// returns: with AutoEnact off it must not have started an enactment.
	n.mu.Lock()
	started := len(n.enacting)
	n.mu.Unlock()
	if started != 0 || tally.Enacted {
		t.Fatal("a node without AutoEnact enacted a motion")
	}
	if _, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &target}, protocol.Hash{}); !errors.Is(err, ErrNotSuspended) {
		t.Fatalf("unsuspending a member in good standing: err = %v, want ErrNotSuspended", err)
	}
	if _, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionRevoke, Target: ptr(n.Key())}, protocol.Hash{}); !errors.Is(err, trust.ErrSelfMotion) {
		t.Fatalf("voting to revoke oneself: err = %v, want trust.ErrSelfMotion", err)
	}
	if l, _ := n.Store().Len(); l != 3 {
		t.Fatalf("the store holds %d ops, want the genesis and two votes", l)
	}
}

func ptr(k protocol.Key) *protocol.Key { return &k }

func explains(evs []trust.Event, word string) bool {
	for _, ev := range evs {
		if bytes.Contains(bytes.ToLower([]byte(ev.What)), []byte(word)) {
			return true
		}
	}
	return false
}
