package node

import (
	"context"
	"errors"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/kring-circle/kring/protocol"
)

// An honest fork (script 26-honest-fork-keep of trust's scenarios): D
// restores a backup and signs a second op at seq 3, and the fork suspends
// it. An unsuspend must name the twin to keep, one of the twins; once r′
// members voted for the lift keeping D's first seq-3 op, the node enacts
// it: D is back in the sharing set, the kept twin counts again, the other
// stays void.
func TestUnsuspendKeepsTheNamedTwin(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	n := startNode(t, c, "A", func(cfg *Config) { cfg.AutoEnact = true })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := c.Actor("D").Key
	first := must(t)(c.Advise("D", "first", protocol.TLPGreen))
	kept := must(t)(c.Advise("D", "second", protocol.TLPGreen))
	twin := must(t)(c.Fork("D", &protocol.Advisory{Title: "signed again from the backup", TLP: protocol.TLPGreen}))
	if vs, err := n.submit(ctx, []*protocol.Op{first, kept, twin}); err != nil {
		t.Fatal(err)
	} else if vs[2].Result == pubsub.ValidationReject {
		t.Fatalf("the twin: %v", vs[2])
	}
	ks := n.State().Key(d)
	if !ks.Suspended || ks.ForkSuspended != kept.Seq {
		t.Fatalf("D after the fork: %s (fork-suspended at %d), want suspended from seq %d", ks, ks.ForkSuspended, kept.Seq)
	}
	twins, err := n.Twins(d)
	if err != nil || len(twins) != 2 || !twins[0].Hash().Less(twins[1].Hash()) {
		t.Fatalf("Twins(D) = %v, %v; want both seq-%d ops sorted", twins, err, kept.Seq)
	}
	unsuspend := protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &d}
	if _, err := n.Vote(ctx, unsuspend, protocol.Hash{}); !errors.Is(err, ErrKeepRequired) {
		t.Fatalf("unsuspend without keep: err %v, want ErrKeepRequired", err)
	}
	wrong := first.Hash()
	unsuspend.Keep = &wrong
	if _, err := n.Vote(ctx, unsuspend, protocol.Hash{}); !errors.Is(err, ErrNotATwin) {
		t.Fatalf("keep D's seq-2 op: err %v, want ErrNotATwin", err)
	}
	unsuspend.Keep = ptrHash(kept.Hash())
	op, err := n.Vote(ctx, unsuspend, protocol.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	m := op.Content().(*protocol.Vote).Motion
	if m.Keep == nil || *m.Keep != kept.Hash() || len(m.Lifts) != 0 {
		t.Fatalf("the vote's motion %+v, want keep %s and no lifts", m, kept.Hash().Short())
	}
	c.Ops = append(c.Ops, op)
	for _, name := range []string{"B", "C"} {
		syncActor(t, c, name, "A", "D")
		if err := c.Deliver(name, twin); err != nil {
			t.Fatalf("the twin to %s: %v", name, err)
		}
		v := must(t)(c.Vote(name, m))
		if vs, err := n.submit(ctx, []*protocol.Op{v}); err != nil || vs[0].Reason != ReasonAccepted {
			t.Fatalf("%s's vote: %v %v", name, vs, err)
		}
	}
	untilChanged(t, ctx, n, "the node did not enact the keep-lift", func() bool { return !n.State().Key(d).Suspended })
	if ks := n.State().Key(d); ks.ForkSuspended != 0 || !ks.InSharingSet() {
		t.Fatalf("D after the lift: %s (fork-suspended at %d)", ks, ks.ForkSuspended)
	}
	for h, want := range map[protocol.Hash]bool{kept.Hash(): true, twin.Hash(): false, first.Hash(): true} {
		if live, err := n.Live(ctx, h); err != nil || live != want {
			t.Errorf("op %s counts: %v (%v), want %v", h.Short(), live, err, want)
		}
	}
	if _, err := n.Vote(ctx, unsuspend, protocol.Hash{}); !errors.Is(err, ErrNotForked) {
		t.Fatalf("keep once the fork is lifted: err %v, want ErrNotForked", err)
	}
}

func ptrHash(h protocol.Hash) *protocol.Hash { return &h }
