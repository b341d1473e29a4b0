package node

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// TestCatchUpWithALaterMember has a fresh node sync from a member a log in
// which a member admitted after the genesis, X, published a long chain.
// X's key sorts before the founders', so X's range arrives before the votes
// that admit it: X's ops come while the State does not know X yet, and are
// not parked (unknown-author). The same sync must still bring every op:
// parking only known authors costs no honest op its causal closure.
func TestCatchUpWithALaterMember(t *testing.T) {
	founders := []string{"A", "B", "C", "D"}
	x := ""
	for i := range 100 {
		name := fmt.Sprint("X", i)
		k := protocol.KeyOf(trusttest.KeyFor(name))
		first := true
		for _, f := range founders {
			fk := protocol.KeyOf(trusttest.KeyFor(f))
			if bytes.Compare(k[:], fk[:]) > 0 {
				first = false
			}
		}
		if first {
			x = name
			break
		}
	}
	if x == "" {
		t.Fatal("no candidate key sorts first")
	}
	c := newCircle(t, founders...)
	op := must(t)
	for _, who := range []string{"A", "B", "C"} {
		op(c.Endorse(who, x, "vetted"))
	}
	syncActor(t, c, x, "A", "B", "C")
	op(c.Enact(x, c.Admit(x)))
	for i := range 100 {
		op(c.Advise(x, fmt.Sprint("x ", i), protocol.TLPGreen))
	}
	syncActor(t, c, "A", x)
	op(c.Advise("A", "after", protocol.TLPGreen))

	d := syncFromHolder(t, c, 10*time.Second)
	n, _ := d.store.Len()
	t.Logf("after one sync D stores %d of %d ops; verdicts %v", n, len(c.Ops), d.Verdicts())
	if n != len(c.Ops) {
		t.Errorf("D stores %d of %d ops after one sync", n, len(c.Ops))
	}
}

// syncFromHolder starts B holding every op of c and a fresh D, both
// without periodic syncs, connects D to B and has D sync once the sync the
// connection kicked has ended, within timeout. It returns D.
func syncFromHolder(t *testing.T, c *trusttest.Circle, timeout time.Duration) *Node {
	t.Helper()
	noPeriodicSync := func(cfg *Config) { cfg.SyncInterval = time.Hour }
	b := startNode(t, c, "B", noPeriodicSync)
	submitAll(t, b, c.Ops[1:])
	d := startNode(t, c, "D", noPeriodicSync)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := d.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	// The connection kicks a sync of its own; two syncs at once split the
	// authors between them, and either may return before the other has
	// pulled its share. Let the kicked one end: it, or the explicit one
	// after it, is the one sync that must bring everything.
	waitUntil(t, ctx, "the sync the connection kicked to end", func() bool {
		return d.sync.attempts.Load() > 0 && !d.sync.turns.busy(b.ID())
	})
	if err := d.SyncWith(ctx, b.ID()); err != nil {
		t.Fatal(err)
	}
	return d
}
