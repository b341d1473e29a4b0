package testnet

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The adversarial suite of issue 12: a hostile member, run as a rogue
// that does whatever it is told, against honest nodes. Each test asserts
// counts that do not depend on the machine's speed: ops stored, paced,
// parked, the hostile member's score, and every honest advisory
// delivered.

// hostile founds a circle of the five founders and M, starts the
// founders' nodes with adjust applied, and returns M as a rogue connected
// to A.
func hostile(t *testing.T, adjust func(*node.Config)) (*Net, context.Context, *Rogue) {
	t.Helper()
	all := append(append([]string{}, founders...), "M")
	net, ctx := circleWith(t, all, founders, func(_ string, c *node.Config) {
		if adjust != nil {
			adjust(c)
		}
	})
	m := must[*Rogue](t)(net.NewRogue(ctx, net.M("M")))
	t.Cleanup(func() { m.Close() })
	if err := m.Connect(ctx, net.M("A")); err != nil {
		t.Fatal(err)
	}
	if err := WaitFor(ctx, "the rogue to see A on the topic", func() bool { return m.Peers() > 0 }); err != nil {
		t.Fatal(err)
	}
	return net, ctx, m
}

// chainOf crafts n advisories of member m, a chain from seq 1, the first
// citing preds.
func chainOf(t *testing.T, net *Net, m *Member, n int, preds []protocol.Hash) []*protocol.Op {
	t.Helper()
	var out []*protocol.Op
	var prev *protocol.Hash
	for i := range n {
		ps := preds
		if prev != nil {
			ps = []protocol.Hash{*prev}
		}
		op := craft(t, net, m, uint64(i+1), prev, ps, fmt.Sprintf("flood %d", i))
		h := op.Hash()
		prev = &h
		out = append(out, op)
	}
	return out
}

// honestAdvisoryArrives has B publish an advisory and waits until every
// honest node running stores it.
func honestAdvisoryArrives(t *testing.T, ctx context.Context, net *Net) {
	t.Helper()
	adv := must[*protocol.Op](t)(net.M("B").Advise(ctx, "honest advisory during the attack"))
	var running []string
	for _, name := range founders {
		if net.M(name).Node() != nil {
			running = append(running, name)
		}
	}
	if err := net.WaitHas(ctx, adv.Hash(), running...); err != nil {
		t.Fatal(err)
	}
}

// mStored returns how many of M's ops n stores: its chain is contiguous
// from seq 1, so its tip's seq.
func mStored(t *testing.T, net *Net, name string) uint64 {
	t.Helper()
	tips := must[map[protocol.Key]trust.Tip](t)(net.M(name).Node().Tips())
	return tips[net.M("M").Key].Seq
}

// A member flooding valid advisories past the circle's pace gets its
// burst stored and nothing more, anywhere; its score at the node it
// floods falls below zero; honest advisories still arrive everywhere.
func TestHostileFloodOfValidOpsIsPaced(t *testing.T) {
	const burst, flood = 20, 200
	net, ctx, m := hostile(t, func(c *node.Config) {
		c.PaceAdvisories = node.Pace{OpsPerSecond: 0.01, Burst: burst, BytesPerSecond: 1 << 20, BurstBytes: 64 << 20}
	})
	a := net.M("A")
	heads := must[[]protocol.Hash](t)(a.Node().Heads())
	for _, op := range chainOf(t, net, net.M("M"), flood, heads) {
		if err := m.Publish(ctx, op.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	// A paces the flood; the ops it took out of order wait for preds M
	// does not serve (this rogue speaks no sync): they expire, and the
	// paced ops cost M its score.
	if err := WaitFor(ctx, "A to pace the flood and score M below zero", func() bool {
		s, ok := a.Node().PeerScore(net.M("M").ID)
		return a.Node().Verdicts()["ignore/paced"] > 0 && ok && s < 0
	}); err != nil {
		t.Fatalf("%v; A's verdicts: %v", err, a.Node().Verdicts())
	}
	honestAdvisoryArrives(t, ctx, net)
	for _, name := range founders {
		if got := mStored(t, net, name); got > burst {
			t.Errorf("%s stores %d of M's flood, want at most the burst of %d", name, got, burst)
		}
	}
	t.Logf("A: %d of %d ops stored, verdicts %v", mStored(t, net, "A"), flood, a.Node().Verdicts())
}

// A member flooding orphans (valid ops citing preds nobody has) fills no
// more than its quota of A's pending buffer, pays for every orphan that
// never completes, and costs honest advisories nothing.
func TestHostileOrphanFloodIsBounded(t *testing.T) {
	const quota, orphans = 16, 100
	net, ctx, m := hostile(t, func(c *node.Config) {
		c.PendingPeerOps = quota
		c.PendingTTL = 500 * time.Millisecond
	})
	m.ServeSync(SyncEmpty) // asked for the orphans' preds, it has none
	a := net.M("A")
	mm := net.M("M")
	peak := 0
	for i := range orphans {
		var prev protocol.Hash
		_, _ = rand.Read(prev[:])
		preds := []protocol.Hash{prev}
		for range 3 {
			var h protocol.Hash
			_, _ = rand.Read(h[:])
			preds = append(preds, h)
		}
		op := craft(t, net, mm, uint64(1000+i), &prev, preds, fmt.Sprintf("orphan %d", i))
		if err := m.Publish(ctx, op.Bytes()); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, a.Node().PendingOps())
	}
	// A asks M for the orphans' preds; M answers it has none, so each
	// orphan still parked costs it 100 points at once, and once its score is
	// below the publish threshold (−1000) A's pubsub prunes it and its
	// flood dries up.
	if err := WaitFor(ctx, "A to judge the orphans, or to stop taking them", func() bool {
		s, _ := a.Node().PeerScore(mm.ID)
		return a.Node().Verdicts()["ignore/missing-preds"] >= orphans || s < -1000
	}); err != nil {
		s, ok := a.Node().PeerScore(mm.ID)
		t.Fatalf("%v; A's verdicts: %v; M's score %v (%v)", err, a.Node().Verdicts(), s, ok)
	}
	peak = max(peak, a.Node().PendingOps())
	if peak > quota {
		t.Errorf("A's pending buffer held %d ops, over M's quota of %d", peak, quota)
	}
	// Honest traffic commits, and the orphans expire with each commit.
	honestAdvisoryArrives(t, ctx, net)
	if err := WaitFor(ctx, "the orphans to expire and M to pay", func() bool {
		s, ok := a.Node().PeerScore(mm.ID)
		if a.Node().PendingOps() > 0 {
			honestAdvisoryArrives(t, ctx, net)
		}
		return ok && s < 0 && a.Node().PendingOps() == 0
	}); err != nil {
		t.Fatalf("%v; pending %d", err, a.Node().PendingOps())
	}
	if got := mStored(t, net, "A"); got != 0 {
		t.Errorf("A stores %d of M's orphans", got)
	}
}

// A member whose node answers syncs slowly, with a truncated frame, or
// with tips it never serves, costs a sync partner one failed or empty
// sync, bounded by the stream timeout; the partner's backlog does not
// keep the lie; honest advisories still arrive.
func TestHostileSyncServers(t *testing.T) {
	net, ctx, m := hostile(t, func(c *node.Config) { c.StreamTimeout = time.Second })
	a := net.M("A")
	for _, tc := range []struct {
		name string
		b    SyncBehaviour
		ok   bool
	}{
		{"silent", SyncSilent, false},
		{"truncated", SyncTruncated, false},
		{"lying tips", SyncLyingTips, true},
	} {
		m.ServeSync(tc.b, net.M("B").Key, net.M("C").Key)
		start := time.Now()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.Node().SyncWith(sctx, net.M("M").ID)
		cancel()
		took := time.Since(start)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: the sync failed: %v", tc.name, err)
		case !tc.ok && err == nil:
			t.Errorf("%s: the sync succeeded", tc.name)
		}
		if took > 20*time.Second {
			t.Errorf("%s: the sync took %v with a stream timeout of 1 s", tc.name, took)
		}
		t.Logf("%s: %v after %v", tc.name, err, took.Round(time.Millisecond))
	}
	if b := a.Node().Backlog(); b != 0 {
		t.Errorf("A's backlog is %d after a completed sync with a liar, want 0", b)
	}
	honestAdvisoryArrives(t, ctx, net)
}

// A revoked member that keeps publishing through a colluding member's
// relay reaches nobody: every honest node refuses its ops, and the relay
// loses score for forwarding them.
func TestRevokedMemberThroughAColludingRelay(t *testing.T) {
	net, ctx, relay := hostile(t, nil)
	a, e := net.M("A"), net.M("E")
	revoke, err := net.Decide(ctx, e.Revoke(), "A", "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	if err := net.WaitHas(ctx, revoke.Hash(), "A", "B", "C", "D"); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	// E signs on, citing the revocation it has seen.
	tips := must[map[protocol.Key]trust.Tip](t)(a.Node().Tips())
	heads := must[[]protocol.Hash](t)(a.Node().Heads())
	tip := tips[e.Key]
	var prev *protocol.Hash
	if len(tip.Hashes) > 0 {
		prev = &tip.Hashes[0]
	}
	var sent []*protocol.Op
	for i := range 5 {
		preds := append([]protocol.Hash{}, heads...)
		if prev != nil {
			preds = append(preds, *prev)
		}
		op := craft(t, net, e, tip.Seq+1+uint64(i), prev, preds, fmt.Sprintf("after my revocation %d", i))
		h := op.Hash()
		prev, heads = &h, nil
		sent = append(sent, op)
		if err := relay.Publish(ctx, op.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := WaitFor(ctx, "A to refuse the revoked member's ops", func() bool {
		v := a.Node().Verdicts()
		refused := uint64(0)
		for k, n := range v {
			if k != "accept/accepted" && k != "accept/published" {
				refused += n
			}
		}
		return refused >= uint64(len(sent))
	}); err != nil {
		t.Fatalf("%v; A's verdicts: %v", err, a.Node().Verdicts())
	}
	honestAdvisoryArrives(t, ctx, net)
	for _, name := range []string{"A", "B", "C", "D"} {
		for _, op := range sent {
			if has, _ := net.M(name).Node().Has(op.Hash()); has {
				t.Errorf("%s stores the revoked member's op %s", name, op.Hash().Short())
			}
		}
	}
	if err := WaitFor(ctx, "A to score the relay below zero", func() bool {
		s, ok := a.Node().PeerScore(net.M("M").ID)
		return ok && s < 0
	}); err != nil {
		t.Errorf("%v: the relay forwarded a revoked member's ops", err)
	}
	s, _ := a.Node().PeerScore(net.M("M").ID)
	t.Logf("A's verdicts %v; the relay's score %.1f", a.Node().Verdicts(), s)
}
