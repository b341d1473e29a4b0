package testnet

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Issue 21: an honest fork is not the end. D publishes an advisory at seq
// N while only E is online; D's data dir is then restored from a copy
// taken before seq N and, with E offline, signs a different op at seq N
// after a sync with A. A and E each sign an op that cites the twin they
// hold. When E returns, every node suspends D as an equivocator, A's node
// tells who holds which twin, and D's own node says so (Node.OwnFork), after a restart
// too. Three members (r′)
// vote to lift the suspension keeping E's twin; D is a sharing member
// again under the same key and publishes again.
func TestRestoredNodeForksAndIsReadmittedByVote(t *testing.T) {
	names := []string{"A", "B", "C", "D", "E"}
	net, ctx := circleWith(t, names, names, func(_ string, c *node.Config) { c.SyncBeforePublish = 1 })
	if err := net.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	d, e := net.M("D"), net.M("E")
	backup := t.TempDir() + "/d-backup"

	// D's operator takes a copy of the data dir; later only E is online
	// when D publishes.
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(backup, os.DirFS(d.Dir)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"A", "B", "C"} {
		if err := net.M(name).Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if err := net.StartNodes(ctx, "D"); err != nil {
		t.Fatal(err)
	}
	first := must[*protocol.Op](t)(d.Advise(ctx, "published while only E was online"))
	if err := net.WaitHas(ctx, first.Hash(), "E"); err != nil {
		t.Fatal(err)
	}
	seenByE := must[*protocol.Op](t)(e.Advise(ctx, "E saw D's first op"))

	// D's host is restored from the copy while E is offline; D signs
	// seq N again after a sync with A, which never saw the first op.
	for _, m := range []*Member{e, d} {
		if err := m.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(d.Dir, os.DirFS(backup)); err != nil {
		t.Fatal(err)
	}
	if err := net.StartNodes(ctx, "A", "D"); err != nil {
		t.Fatal(err)
	}
	twin := must[*protocol.Op](t)(d.Advise(ctx, "published again from the restored copy"))
	if twin.Seq != first.Seq {
		t.Fatalf("the restored node signed seq %d, want %d (the seq of its lost op)", twin.Seq, first.Seq)
	}
	if err := net.WaitHas(ctx, twin.Hash(), "A"); err != nil {
		t.Fatal(err)
	}
	must[*protocol.Op](t)(net.M("A").Advise(ctx, "A saw D's restored op"))

	// E returns with the first op, and B and C come back: every node
	// suspends D as an equivocator.
	for _, name := range []string{"B", "C", "E"} {
		if err := net.M(name).Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := net.connectAll(ctx, "A", "B", "C", "E"); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "every node to suspend D for the fork", func() bool {
		for _, m := range net.Running() {
			if m.Node().State().Key(d.Key).ForkSuspended != first.Seq {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	// Who holds which twin, as A's node can tell: E's later op cites the
	// first, A's own the twin.
	if err := net.WaitHas(ctx, seenByE.Hash(), "A"); err != nil {
		t.Fatal(err)
	}
	holders := must[map[protocol.Hash][]protocol.Key](t)(net.M("A").Node().TwinHolders(ctx, d.Key))
	if h := holders[first.Hash()]; len(h) != 1 || h[0] != e.Key {
		t.Errorf("holders of D's first op: %v, want E", h)
	}
	if h := holders[twin.Hash()]; len(h) != 1 || h[0] != net.M("A").Key {
		t.Errorf("holders of D's restored op: %v, want A", h)
	}

	// D's node says so, and still does after a restart: it holds both
	// twins, and its chain continues from the one it signed.
	for _, when := range []string{"after the fork", "after a restart"} {
		if when == "after a restart" {
			if err := d.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := d.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		f := must[*node.OwnFork](t)(d.Node().OwnFork(ctx))
		if f == nil || f.Seq != first.Seq || f.Held != twin.Hash() || len(f.Twins) != 2 {
			t.Fatalf("D's own fork %s: %+v, want seq %d, holding %s", when, f, first.Seq, twin.Hash().Short())
		}
	}

	// Three members lift the suspension keeping E's twin.
	keep := first.Hash()
	lift := protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &d.Key, Keep: &keep}
	start := time.Now()
	if _, err := net.Decide(ctx, lift, "A", "A", "B", "C"); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "every node to readmit D", func() bool {
		for _, m := range net.Running() {
			if !m.Node().State().InSharingSet(d.Key) {
				return false
			}
		}
		return true
	}); err != nil {
		for _, m := range net.Running() {
			t.Logf("%s: D is %s", m.Name, m.Node().State().Key(d.Key))
		}
		t.Fatal(err)
	}
	t.Logf("D shares again %v after the first vote", time.Since(start).Round(time.Millisecond))
	if f := must[*node.OwnFork](t)(d.Node().OwnFork(ctx)); f != nil {
		t.Errorf("D's own fork after the lift: %+v, want none", f)
	}
	again := must[*protocol.Op](t)(d.Advise(ctx, "back in the circle"))
	if err := net.WaitHas(ctx, again.Hash(), names...); err != nil {
		t.Fatal(err)
	}
	for _, m := range net.Running() {
		if live, err := m.Node().Live(ctx, again.Hash()); err != nil || !live {
			t.Errorf("%s: D's advisory after the lift counts: %v (%v)", m.Name, live, err)
		}
	}
}

// connectAll dials every named member's running node from every other one.
func (n *Net) connectAll(ctx context.Context, names ...string) error {
	for i, a := range names {
		for _, b := range names[i+1:] {
			if err := connect(ctx, n.M(a), n.M(b)); err != nil {
				return err
			}
		}
	}
	return nil
}
