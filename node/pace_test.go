package node

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The pacer's buckets: a burst passes, the next op is refused and takes
// nothing, the classes are apart, and a sync's charge puts the author in
// debt that gossip then waits out.
func TestPacerBurstClassesAndDebt(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	adv := func(i int) *protocol.Op { return must(t)(c.Advise("B", fmt.Sprint("flood ", i), protocol.TLPGreen)) }
	vote := must(t)(c.Vote("B", c.Suspend("A", "test")))
	pace := Pace{OpsPerSecond: 1, Burst: 3, BytesPerSecond: 1 << 20, BurstBytes: 2 * protocol.MaxOpSize}
	p := newPacer(pace, pace)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if !p.allow(adv(i), now) {
			t.Fatalf("advisory %d of a burst of 3 refused", i)
		}
	}
	if p.allow(adv(3), now) {
		t.Fatal("a 4th advisory in the same instant passed a burst of 3")
	}
	if !p.allow(vote, now) {
		t.Fatal("a flood of advisories held back the author's vote")
	}
	if got := p.budget(c.Actor("B").Key, paceAdvisories, now); got != 0 {
		t.Errorf("budget after the burst = %d, want 0", got)
	}
	later := now.Add(2 * time.Second)
	if got := p.budget(c.Actor("B").Key, paceAdvisories, later); got != 2 {
		t.Errorf("budget 2 s later at 1 op/s = %d, want 2 (the refused op took nothing)", got)
	}
	p.charge(c.Actor("B").Key, paceAdvisories, 10, 10_000, later)
	if p.allow(adv(4), later.Add(5*time.Second)) {
		t.Error("an advisory passed 5 s after a sync took 10 ops over a budget of 2")
	}
	if !p.allow(adv(5), later.Add(9*time.Second)) {
		t.Error("an advisory was refused once the debt of 8 ops was repaid at 1 op/s")
	}
	// The byte bucket: ops pass until their bytes would pass the burst.
	big := Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1, BurstBytes: protocol.MaxOpSize}
	q := newPacer(big, big)
	sum := 0
	for i := 0; ; i++ {
		op := adv(10 + i)
		if !q.allow(op, now) {
			if sum+len(op.Bytes()) <= protocol.MaxOpSize {
				t.Fatalf("refused at %d bytes, under the byte burst of %d", sum+len(op.Bytes()), protocol.MaxOpSize)
			}
			break
		}
		sum += len(op.Bytes())
		if sum > protocol.MaxOpSize {
			t.Fatalf("%d bytes passed a byte burst of %d", sum, protocol.MaxOpSize)
		}
	}
}

// slow is a pace whose burst of 5 ops a test can exceed and whose rate
// refills nothing within a test.
var slow = Pace{OpsPerSecond: 0.001, Burst: 5, BytesPerSecond: 1 << 20, BurstBytes: 64 << 20}

// authorTip returns the highest seq of author's ops that n stores.
func authorTip(t *testing.T, n *Node, author protocol.Key) uint64 {
	t.Helper()
	tips, err := n.store.Tips()
	if err != nil {
		t.Fatal(err)
	}
	return tips[author].Seq
}

// onTopic waits until a and b list each other among their topic peers and
// their syncs with each other are over. Both ways matter: a node publishes
// an op only to the peers it knows are on the topic, and one it did not
// know then gets the op only by sync (pubsub's gossip of recent message
// ids goes only to peers outside the mesh, and a newly known peer may be
// grafted into it first).
func onTopic(t *testing.T, ctx context.Context, a, b *Node) {
	t.Helper()
	waitUntil(t, ctx, "the two nodes to meet on the topic", func() bool {
		if b.sync.turns.busy(a.ID()) || a.sync.turns.busy(b.ID()) {
			return false
		}
		return slices.Contains(a.topic.ListPeers(), b.ID()) && slices.Contains(b.topic.ListPeers(), a.ID())
	})
}

// A member that floods advisories past the circle's pace gets its burst
// stored and nothing more: the rest is ignored at the gossip validator
// (ignore/paced), charged to its own gossip score, and not taken by sync
// either. An honest member that cites the flood's last op still gets its
// own advisory through: the cited ops are fetched by hash, unpaced, so
// causal closure holds.
func TestFloodPastThePaceIsIgnoredChargedAndClosureKept(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", func(cfg *Config) {
		cfg.PaceAdvisories = slow
		cfg.SyncInterval = time.Hour
	})
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncInterval = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	onTopic(t, ctx, a, b)

	const flood = 30
	bk := protocol.KeyOf(trusttest.KeyFor("B"))
	for i := range flood {
		if _, err := b.Publish(ctx, &protocol.Advisory{Title: "flood", TLP: protocol.TLPGreen, Summary: string(rune('a' + i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, ctx, "A to judge the whole flood", func() bool {
		return authorTip(t, a, bk)+a.Verdicts()["ignore/paced"] >= flood
	})
	// Gossip may hand A a later op of the burst before an earlier one that
	// it then refuses; the fetch of the later op's preds brings the earlier
	// one, unpaced but charged. So A stores at least the burst, and every
	// op it stores beyond the burst is owed.
	stored := authorTip(t, a, bk)
	if stored < uint64(slow.Burst) {
		t.Errorf("A stores B's ops up to seq %d, want at least the burst of %d", stored, slow.Burst)
	}
	if tokens := a.pace.of(bk, paceAdvisories).ops.TokensAt(time.Now()); tokens > float64(slow.Burst)-float64(stored)+0.5 {
		t.Errorf("B's bucket at A holds %.2f ops after A stored %d of them, want %d", tokens, stored, slow.Burst-int(stored))
	}
	paced := a.Verdicts()["ignore/paced"]
	if got := a.penalties.of(b.ID(), time.Now()); got < float64(paced)-1 {
		t.Errorf("B's penalty at A is %.1f after %d paced ops, want about %d", got, paced, paced)
	}
	// A sync with the flooder takes none of the rest.
	if err := a.SyncWith(ctx, b.ID()); err != nil {
		t.Fatal(err)
	}
	if got := authorTip(t, a, bk); got != stored {
		t.Errorf("after a sync with B, A stores B's ops up to seq %d, want still %d", got, stored)
	}

	// C holds the whole flood and publishes an advisory citing its last op.
	cn := startNode(t, c, "C", func(cfg *Config) { cfg.SyncInterval = time.Hour })
	if err := cn.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "C to hold the flood", func() bool { return authorTip(t, cn, bk) == flood })
	if err := cn.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	onTopic(t, ctx, a, cn)
	adv, err := cn.Publish(ctx, &protocol.Advisory{Title: "honest, citing the flood", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "A to store C's advisory", func() bool {
		has, _ := a.store.Has(adv.Hash())
		return has
	})
	// The store's tips follow its write a moment after Has sees the op.
	waitUntil(t, ctx, "A to store B's whole flood, which C's advisory cites", func() bool {
		return authorTip(t, a, bk) == flood
	})
	if got := a.penalties.of(cn.ID(), time.Now()); got != 0 {
		t.Errorf("C, an honest forwarder, has a penalty of %.1f at A", got)
	}
}

// A fork storm, 40 twins of one member's op at one seq, costs a node that
// syncs with a holder of all of them no more than the member's pace: it
// fetches the twins its bucket holds and leaves the rest. Each twin it
// takes is charged.
func TestForkStormCostsNoMoreThanThePace(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	bk := c.Actor("B").Key
	first := must(t)(c.Advise("B", "the op B forks", protocol.TLPGreen))
	storm := []*protocol.Op{first}
	for i := range 40 {
		storm = append(storm, must(t)(c.Fork("B", &protocol.Advisory{Title: "twin", Summary: string(rune('a'+i%26)) + string(rune('a'+i/26)), TLP: protocol.TLPGreen})))
	}
	a := startNode(t, c, "A", func(cfg *Config) {
		cfg.PaceAdvisories = slow
		cfg.SyncInterval = time.Hour
	})
	cn := startNode(t, c, "C", func(cfg *Config) { cfg.SyncInterval = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := cn.submit(ctx, storm); err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, op := range storm {
		if has, _ := cn.store.Has(op.Hash()); has {
			held++
		}
	}
	if held != len(storm) {
		t.Fatalf("C holds %d of the %d twins, want all (the test needs a holder of the storm)", held, len(storm))
	}
	if err := a.Connect(ctx, cn.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	onTopic(t, ctx, a, cn)
	for range 3 {
		if err := a.SyncWith(ctx, cn.ID()); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for _, op := range storm {
		if has, _ := a.store.Has(op.Hash()); has {
			got++
		}
	}
	if got == 0 || got > slow.Burst+1 {
		t.Errorf("A stores %d of the %d twins after three syncs, want 1 to %d (its pace of B)", got, len(storm), slow.Burst+1)
	}
	if tokens := a.pace.of(bk, paceAdvisories).ops.TokensAt(time.Now()); tokens > float64(slow.Burst-got)+0.5 {
		t.Errorf("B's bucket at A holds %.2f ops after A took %d twins, want %d", tokens, got, slow.Burst-got)
	}
}

// A node keeps to paceMargin of the circle's pace when it gossips its own
// ops: the receivers' buckets, filling on their own clocks, then never
// refuse an honest member.
func TestOwnPaceKeepsAMargin(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	pace := Pace{OpsPerSecond: 0.01, Burst: 10, BytesPerSecond: 1 << 20, BurstBytes: 64 << 20}
	own := newOwnPacer(pace, pace)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for i := range 8 {
		if err := own.wait(ctx, must(t)(c.Advise("A", "bulk", protocol.TLPGreen))); err != nil {
			t.Fatalf("own advisory %d of 8 (80 %% of a burst of 10) waited: %v", i, err)
		}
	}
	if err := own.wait(ctx, must(t)(c.Advise("A", "bulk", protocol.TLPGreen))); err == nil {
		t.Fatal("a 9th own advisory went out at once, past 80 % of a burst of 10")
	}
	vote := must(t)(c.Vote("A", c.Suspend("B", "test")))
	if err := own.wait(ctx, vote); err != nil {
		t.Fatalf("the node's own vote waited behind its advisories: %v", err)
	}
}
