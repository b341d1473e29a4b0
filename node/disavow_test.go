package node

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// stolenKeyCircle is script 27-disavow of trust's scenarios on a real
// node: five founders with k=2; A and B admit X; then a thief with A's key
// endorses a made-up S (A's seq 4; the genesis is A's seq 1) with B, S is admitted, the
// thief publishes an advisory as A (seq 5), and B, C, D, E and X
// acknowledge everything, so that S's admission settles; then S publishes
// an advisory. The node is B's;
// it holds every op, and S's admission is settled there.
func stolenKeyCircle(t *testing.T, adjust func(*Config)) (*trusttest.Circle, *Node) {
	t.Helper()
	ch := protocol.DefaultCharter("test")
	ch.Admit = 2
	c, err := trusttest.NewCircle(ch, "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, c, "B", adjust)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	submit := func(ops ...*protocol.Op) {
		t.Helper()
		vs, err := n.submit(ctx, ops)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			if v.Reason != ReasonAccepted {
				t.Fatalf("%s: %v", ops[i], v)
			}
		}
	}
	// A's seq 2 and 3: an advisory, then its endorsement of X.
	submit(must(t)(c.Advise("A", "before the theft", protocol.TLPGreen)))
	submit(must(t)(c.Endorse("A", "X", "x-vetting")))
	syncActor(t, c, "B", "A")
	submit(must(t)(c.Endorse("B", "X", "x-vetting")))
	syncActor(t, c, "X", "A", "B")
	submit(must(t)(c.Do("X", &protocol.Enact{Motion: c.Admit("X"), Votes: c.Votes("X", c.Admit("X"))})))
	// The thief signs with A's key from seq 4 on.
	syncActor(t, c, "A", "B", "X")
	submit(must(t)(c.Endorse("A", "S", "made up")))
	syncActor(t, c, "B", "A")
	submit(must(t)(c.Endorse("B", "S", "fooled")))
	syncActor(t, c, "S", "A", "B", "X")
	submit(must(t)(c.Do("S", &protocol.Enact{Motion: c.Admit("S"), Votes: c.Votes("S", c.Admit("S"))})))
	syncActor(t, c, "A", "S")
	submit(must(t)(c.Advise("A", "thief's advisory", protocol.TLPGreen)))
	acknowledge(t, c, n, "C", "D", "E", "X", "C")
	submit(must(t)(c.Advise("S", "sybil's advisory", protocol.TLPGreen)))
	st := n.State()
	if !st.IsMember(c.Actor("S").Key) || !st.IsMember(c.Actor("X").Key) {
		t.Fatalf("before the disavowal S and X should be members:\n%s", st)
	}
	return c, n
}

// The preview of a disavowal lists what enacting it would do, computed by
// the rules on a private copy of the log, and changes nothing on the node.
func TestPreviewDisavow(t *testing.T) {
	c, n := stolenKeyCircle(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before, _ := n.store.Len()
	a, s := c.Actor("A").Key, c.Actor("S").Key
	p, err := n.PreviewDisavow(ctx, a, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Applies || p.Why != "" {
		t.Fatalf("preview: applies=%v why=%q, want it to apply", p.Applies, p.Why)
	}
	// Seven members, default c = max(ceil(14/3), 4) = 5: c′ = 5.
	if p.Needed != 5 || len(p.Voters) != 0 {
		t.Fatalf("needed %d with voters %v, want 5 and none", p.Needed, p.Voters)
	}
	if p.TargetOps != 2 || p.TargetTip != 5 || p.TargetCounting != 2 {
		t.Fatalf("target ops %d (tip %d, %d counting), want A#4 and A#5, both counting", p.TargetOps, p.TargetTip, p.TargetCounting)
	}
	if got := p.Lapses(); !slices.Equal(got, []protocol.Key{s}) {
		t.Fatalf("lapses %v, want S alone", got)
	}
	changed := map[protocol.Key]string{}
	for _, ch := range p.Changes {
		changed[ch.Key] = ch.Before.Status.String() + ">" + ch.After.Status.String()
	}
	if len(changed) != 2 || changed[a] != "member>revoked" || changed[s] != "member>lapsed" {
		t.Fatalf("changes %v, want A revoked and S lapsed", changed)
	}
	// Void: the thief's endorsement and advisory, and S's admission
	// (settled, but tainted by the thief's endorsement). S's advisory
	// stays: the voters' own votes acknowledge it, and a settled op that
	// no disavowed op taints keeps its standing (docs/membership.md §4.6).
	if p.Voided != 3 || p.Advisories != 1 {
		t.Fatalf("voided %d ops, %d advisories; want 3 and 1", p.Voided, p.Advisories)
	}
	if after, _ := n.store.Len(); after != before || !n.State().IsMember(s) {
		t.Fatalf("the preview changed the node: %d ops, was %d; S member=%v", after, before, n.State().IsMember(s))
	}
	if _, err := n.PreviewDisavow(ctx, a, 0); !errors.Is(err, ErrBadFrom) {
		t.Fatalf("from 0: err %v, want ErrBadFrom", err)
	}
	// From beyond A's chain: nothing it signed is reached, nobody lapses,
	// A is still removed.
	p, err = n.PreviewDisavow(ctx, a, 9)
	if err != nil || p.TargetOps != 0 || len(p.Lapses()) != 0 || p.Voided != 0 {
		t.Fatalf("from 9: %+v, %v; want nothing reached", p, err)
	}
}

// A node that voted for a Disavow enacts it once the counting votes reach
// c′, as for a suspension, and the outcome is what the preview said.
func TestAutoEnactDisavow(t *testing.T) {
	c, n := stolenKeyCircle(t, func(cfg *Config) { cfg.AutoEnact = true })
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, s := c.Actor("A").Key, c.Actor("S").Key
	m := protocol.Motion{Kind: protocol.MotionDisavow, Target: &a, From: 4}
	if got := threshold(n.State(), m); got != 5 {
		t.Fatalf("threshold of a disavowal = %d, want c′ = 5", got)
	}
	if _, err := n.Vote(ctx, m, protocol.Hash{}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"C", "D", "E", "X"} {
		v := must(t)(c.Vote(name, m))
		if vs, err := n.submit(ctx, []*protocol.Op{v}); err != nil || vs[0].Reason != ReasonAccepted {
			t.Fatalf("%s's vote: %v %v", name, vs, err)
		}
		if i < 3 {
			if tally, _ := n.State().Tally(m.Hash()); tally.Enacted {
				t.Fatalf("enacted with %d votes, c′ is 5", len(tally.Voters))
			}
		}
	}
	untilChanged(t, ctx, n, "the node did not enact the disavowal", func() bool { return n.State().Key(a).Status == trust.StatusRevoked })
	st := n.State()
	if tally, ok := st.Tally(m.Hash()); !ok || !tally.Enacted || len(tally.Voters) != 5 {
		t.Fatalf("tally %+v: want enacted with 5 voters", tally)
	}
	if st.Key(s).Status != trust.StatusLapsed || !st.IsMember(c.Actor("X").Key) {
		t.Fatalf("after the disavowal: S %s, X %s; want S lapsed, X member", st.Key(s), st.Key(c.Actor("X").Key))
	}
	if p, err := n.PreviewDisavow(ctx, a, 4); err != nil || p.Applies || !strings.Contains(p.Why, "enacted already") || len(p.Voters) != 5 {
		t.Fatalf("preview once enacted: %+v, %v", p, err)
	}
}
