package testnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// propagationGoal is how soon an advisory published by one of two
// running members is stored by the other.
const propagationGoal = time.Second

// A weekend night: of five members only A and B run, both restarted
// since the others went offline. Each waits node.publish_wait for the
// others to answer, then publishes after its sync with the other alone,
// and the advisory reaches the other within the propagation goal. When
// C, D and E return they catch up. B restored from an old copy of its
// data dir, with no member reachable, refuses to sign rather than fork;
// once a member answers it fetches its own newest ops first and signs the
// seq after them.
func TestFewMembersOnline(t *testing.T) {
	net, ctx := circle(t, founders...)
	a, b := net.M("A"), net.M("B")
	if err := WaitFor(ctx, "A and B to remember where the others listen", func() bool {
		ab, aerr := a.Node().AddrBook()
		bb, berr := b.Node().AddrBook()
		return aerr == nil && berr == nil && len(ab) == 4 && len(bb) == 4
	}); err != nil {
		t.Fatal(err)
	}
	// An old copy of B's data dir, then three more ops of B's.
	backup := t.TempDir()
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(backup, os.DirFS(b.Dir)); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var last *protocol.Op
	for i := range 3 {
		last = must[*protocol.Op](t)(b.Advise(ctx, fmt.Sprintf("B's advisory %d after the copy", i)))
	}
	if err := net.WaitHas(ctx, last.Hash(), founders...); err != nil {
		t.Fatal(err)
	}

	// C, D and E go offline; A and B restart.
	for _, name := range []string{"C", "D", "E", "A", "B"} {
		if err := net.M(name).Stop(); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []*Member{a, b} {
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, pair := range [][2]*Member{{a, b}, {b, a}} {
		from, to := pair[0], pair[1]
		var r node.Readiness
		pub, cancel := context.WithTimeout(ctx, 10*time.Second)
		op, err := from.Node().Publish(node.WithReadiness(pub, &r), &protocol.Advisory{Title: "urgent: from " + from.Name, TLP: protocol.TLPGreen})
		cancel()
		if err != nil {
			t.Fatalf("%s publishing with three of five members offline: %v", from.Name, err)
		}
		if len(r.SyncedWith) != 1 || r.SyncedWith[0] != to.Key || r.Members != 4 || r.Unreachable != 3 {
			t.Errorf("%s signed after %+v, want a sync with %s alone, of 4 members, 3 unreachable", from.Name, r, to.Name)
		}
		wait, cancel := context.WithTimeout(ctx, propagationGoal)
		err = net.WaitHas(wait, op.Hash(), to.Name)
		cancel()
		if err != nil {
			t.Fatalf("%s's advisory did not reach %s within %v: %v", from.Name, to.Name, propagationGoal, err)
		}
	}

	// The others return and catch up.
	for _, name := range []string{"C", "D", "E"} {
		if err := net.M(name).Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := net.WaitConverged(ctx, founders...); err != nil {
		t.Fatal(err)
	}
	mine := ownSeq(t, b)

	// B is restored from the old copy while every other member is offline:
	// it cannot know its newest ops, and signs nothing.
	for _, m := range net.Running() {
		if err := m.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(b.Dir); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(b.Dir, os.DirFS(backup)); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ownSeq(t, b); got+4 != mine {
		t.Fatalf("the restored copy holds B's chain up to seq %d, want %d", got, mine-4)
	}
	refuse, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := b.Advise(refuse, "would fork")
	cancel()
	if !errors.Is(err, node.ErrNoMemberReachable) {
		t.Fatalf("the restored B publishing alone: %v, want ErrNoMemberReachable", err)
	}
	if got := ownSeq(t, b); got+4 != mine {
		t.Fatalf("the restored B signed seq %d alone", got)
	}
	// A returns. Until B holds its own chain back it is never ready.
	var early atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if nd := b.Node(); nd != nil && nd.Ready() == nil {
				if tip, err := nd.Tips(); err == nil && tip[b.Key].Seq < mine {
					early.Store(fmt.Sprintf("B was ready to sign holding its chain up to seq %d of %d", tip[b.Key].Seq, mine))
				}
			}
		}
	}()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	op, err := b.Advise(ctx, "after the restore")
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("the restored B publishing once A is back: %v", err)
	}
	if msg := early.Load(); msg != nil {
		t.Error(msg)
	}
	if op.Seq != mine+1 {
		t.Errorf("the restored B signed seq %d, want %d (after the ops it fetched back)", op.Seq, mine+1)
	}
	if err := net.WaitHas(ctx, op.Hash(), "A"); err != nil {
		t.Fatal(err)
	}
	if ks := a.Node().State().Key(b.Key); !ks.InSharingSet() || ks.Equivocated != 0 {
		t.Errorf("A sees B as %s after the restore, want a sharing member that never forked", ks)
	}
}

// ownSeq returns the last seq of m's own chain that m's node stores.
func ownSeq(t *testing.T, m *Member) uint64 {
	t.Helper()
	tips, err := m.Node().Tips()
	if err != nil {
		t.Fatal(err)
	}
	return tips[m.Key].Seq
}
