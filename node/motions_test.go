package node

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
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
	if vs, err := n.submit(ctx, []*protocol.Op{first}); err != nil || vs[0].Reason != ReasonAccepted {
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
	untilChanged(t, ctx, n, "the node did not enact the suspension", func() bool { return n.State().Key(target).Suspended })
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
	if vs, err := n.submit(ctx, []*protocol.Op{second}); err != nil || vs[0].Reason != ReasonAccepted {
		t.Fatalf("B's vote: %v %v", vs, err)
	}
	tally, _ := n.State().Tally(m.Hash())
	if len(tally.Voters) != 2 {
		t.Fatalf("tally %+v, want two voters", tally)
	}
	// autoEnact runs in the commit that applied B's vote, before submit
	// returns: with AutoEnact off it must not have started an enactment.
	var started int
	if err := n.doNow(ctx, func(l *loop) { started = len(l.enacting) }); err != nil {
		t.Fatal(err)
	}
	if started != 0 || tally.Enacted {
		t.Fatal("a node without AutoEnact enacted a motion")
	}
	if _, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &target}, protocol.Hash{}); !errors.Is(err, ErrNotSuspended) {
		t.Fatalf("unsuspending a member in good standing: err = %v, want ErrNotSuspended", err)
	}
	if _, err := n.Vote(ctx, protocol.Motion{Kind: protocol.MotionRevoke, Target: ptr(n.Key())}, protocol.Hash{}); !errors.Is(err, trust.ErrSelfMotion) {
		t.Fatalf("voting to revoke oneself: err = %v, want trust.ErrSelfMotion", err)
	}
	if l, _ := n.store.Len(); l != 3 {
		t.Fatalf("the store holds %d ops, want the genesis and two votes", l)
	}
}

func ptr(k protocol.Key) *protocol.Key { return &k }

// acknowledge hands the circle's actors names, in turn, every op node n
// holds, and has each sign an Ack that the next one sees; then it submits
// the Acks to n. The last Ack has every actor's acknowledgement of what n
// held in its past.
func acknowledge(t *testing.T, c *trusttest.Circle, n *Node, names ...string) {
	t.Helper()
	var held []*protocol.Op
	if err := n.store.Range(func(op *protocol.Op) error { held = append(held, op); return nil }); err != nil {
		t.Fatal(err)
	}
	var acks []*protocol.Op
	for _, name := range names {
		for _, op := range append(held, acks...) {
			if !c.Actor(name).Engine.Has(op.Hash()) && op.Kind != protocol.KindGenesis {
				if err := c.Deliver(name, op); err != nil {
					t.Fatalf("delivering %s to %s: %v", op, name, err)
				}
			}
		}
		acks = append(acks, must(t)(c.Do(name, &protocol.Ack{})))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vs, err := n.submit(ctx, acks)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Reason != ReasonAccepted {
			t.Fatalf("%s's Ack: %v", names[i], v)
		}
	}
}

func explains(evs []trust.Event, word string) bool {
	for _, ev := range evs {
		if bytes.Contains(bytes.ToLower([]byte(ev.What)), []byte(word)) {
			return true
		}
	}
	return false
}

// A Charter motion is enacted automatically once the votes reach c′ with
// the floors applied: in a circle of three under the default change quorum
// (max(ceil(2n/3), 4) = 4 > n), c′ = 3, so the three members' votes are
// enough, and the node that voted puts the new charter in force.
func TestAutoEnactCharter(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", func(cfg *Config) { cfg.AutoEnact = true })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	next := n.State().Charter
	next.Version = 2
	next.Admit, next.AckInterval = 2, 48*60*60
	next.Topics = []string{"ransomware"}
	m := protocol.Motion{Kind: protocol.MotionCharter, Charter: &next}
	if got, want := threshold(n.State(), m), trust.ThresholdsFor(&next, 3).Change; got != 3 || want != 3 {
		t.Fatalf("threshold of a charter change with 3 members = %d (trust says %d), want 3", got, want)
	}
	if _, err := n.Vote(ctx, m, protocol.Hash{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"B", "C"} {
		v := must(t)(c.Vote(name, m))
		if vs, err := n.submit(ctx, []*protocol.Op{v}); err != nil || vs[0].Reason != ReasonAccepted {
			t.Fatalf("%s's vote: %v %v", name, vs, err)
		}
	}
	untilChanged(t, ctx, n, "the node did not enact the charter change", func() bool {
		tally, _ := n.State().Tally(m.Hash())
		return tally.Enacted
	})
	// The change takes effect once settled (docs/membership.md §4.7): the
	// three members acknowledge the enactment, and C's Ack, which has all
	// three acknowledgements in its past, settles it.
	acknowledge(t, c, n, "B", "C")
	untilChanged(t, ctx, n, "the charter change did not take effect", func() bool { return n.State().Charter.Version == 2 })
	st := n.State()
	if st.Charter.Admit != 2 || st.Charter.AckSeconds() != 48*60*60 || len(st.Charter.Topics) != 1 {
		t.Fatalf("charter in force %+v, want the proposal", st.Charter)
	}
	if tally, ok := st.Tally(m.Hash()); !ok || !tally.Enacted || len(tally.Voters) != 3 {
		t.Fatalf("tally %+v", tally)
	}
	// A stale proposal (v2 again, now that v2 is in force) is never enacted.
	stale := next
	stale.Admit = 1
	if got := threshold(st, protocol.Motion{Kind: protocol.MotionCharter, Charter: &stale}); got <= protocol.MaxVotes {
		t.Fatalf("threshold of a stale charter motion = %d, want more than any motion can gather", got)
	}
}
