package node

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

func TestCausalOrder(t *testing.T) {
	d := newDiamond(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		batch := slices.Clone(d.ops)
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		// A part of the past may be missing from the batch, and an op
		// may come twice.
		batch = batch[rng.IntN(2):]
		in := map[protocol.Hash]bool{}
		for _, op := range batch {
			in[op.Hash()] = true
		}
		batch = append(batch, batch[rng.IntN(len(batch))])
		out := causalOrder(batch)
		if len(out) != len(in) {
			t.Fatalf("causalOrder(%s) = %s: %d ops, want %d", d.order(batch), d.order(out), len(out), len(in))
		}
		seen := map[protocol.Hash]bool{}
		for _, op := range out {
			for _, p := range op.Preds {
				if in[p] && !seen[p] {
					t.Fatalf("causalOrder(%s) = %s: %s before its pred %s", d.order(batch), d.order(out), d.names[op.Hash()], d.names[p])
				}
			}
			if seen[op.Hash()] {
				t.Fatalf("causalOrder(%s) = %s: %s twice", d.order(batch), d.order(out), d.names[op.Hash()])
			}
			seen[op.Hash()] = true
		}
	}
	if got := causalOrder(nil); len(got) != 0 {
		t.Fatalf("causalOrder(nil) = %v", got)
	}
}

// syncCircle is circle {A, B, C, D} where A published many advisories
// after A, B and C endorsed the applicant X. D is the node under test.
func syncCircle(t *testing.T, advisories int) (*trusttest.Circle, []*protocol.Op) {
	t.Helper()
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	for _, who := range []string{"A", "B", "C"} {
		op(c.Endorse(who, "X", "vetted"))
	}
	syncActor(t, c, "A", "B", "C")
	var advs []*protocol.Op
	for i := range advisories {
		advs = append(advs, op(c.Do("A", &protocol.Advisory{Title: "advisory", Summary: string(rune('a' + i%26)), TLP: protocol.TLPGreen})))
	}
	return c, advs
}

func submitAll(t *testing.T, n *Node, ops []*protocol.Op) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vs, err := n.submit(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v != accept() {
			t.Fatalf("%s: %+v", ops[i], v)
		}
	}
}

func TestServeRangeBounds(t *testing.T) {
	const advisories = protocol.MaxSyncOps + 3
	c, _ := syncCircle(t, advisories)
	n := startNode(t, c, "D", nil)
	submitAll(t, n, c.Ops[1:])
	a := c.Actor("A").Key
	// A's chain: the genesis (seq 1), a vote, then the advisories.
	last := uint64(2 + advisories)
	check := func(from uint64, wantFirst, wantN uint64, wantMore bool) {
		t.Helper()
		resp, err := n.sync.serveRange(a, from)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(resp.Ops)) != wantN || resp.More != wantMore {
			t.Fatalf("serveRange(A, %d): %d ops, More %v; want %d, %v", from, len(resp.Ops), resp.More, wantN, wantMore)
		}
		for i, b := range resp.Ops {
			op, err := protocol.Open(b, n.Group())
			if err != nil {
				t.Fatal(err)
			}
			if op.Author != a || op.Seq != wantFirst+uint64(i) {
				t.Fatalf("serveRange(A, %d) op %d: %s, want A#%d", from, i, op, wantFirst+uint64(i))
			}
		}
	}
	check(0, 1, protocol.MaxSyncOps, true)
	check(1, 1, protocol.MaxSyncOps, true)
	check(protocol.MaxSyncOps+1, protocol.MaxSyncOps+1, last-protocol.MaxSyncOps, false)
	check(last, last, 1, false)
	check(last+1, 0, 0, false)
	if resp, err := n.sync.serveRange(c.Actor("D").Key, 1); err != nil || len(resp.Ops) != 0 || resp.More {
		t.Fatalf("serveRange of an author without ops: %+v, %v", resp, err)
	}

	// serveGet is bounded the same way.
	var want []protocol.Hash
	for _, op := range c.Ops {
		want = append(want, op.Hash())
	}
	resp, err := n.sync.serveGet(context.Background(), want, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Ops) != protocol.MaxSyncOps || !resp.More {
		t.Fatalf("serveGet of %d ops: %d ops, More %v; want %d, true", len(want), len(resp.Ops), resp.More, protocol.MaxSyncOps)
	}
	for i, b := range resp.Ops {
		if !bytes.Equal(b, c.Ops[i].Bytes()) {
			t.Fatalf("serveGet op %d is not the one asked for", i)
		}
	}
}

func TestServeGetMembershipOnlyForNonMembers(t *testing.T) {
	c, advs := syncCircle(t, 3)
	n := startNode(t, c, "D", nil)
	submitAll(t, n, c.Ops[1:])
	var want []protocol.Hash
	for _, op := range c.Ops {
		want = append(want, op.Hash())
	}
	want = append(want, protocol.Hash{0xee}) // unknown: skipped
	all, err := n.sync.serveGet(context.Background(), want, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Ops) != len(c.Ops) || all.More {
		t.Fatalf("serveGet for a member: %d ops, More %v; want %d", len(all.Ops), all.More, len(c.Ops))
	}
	some, err := n.sync.serveGet(context.Background(), want, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(some.Ops) != len(c.Ops)-len(advs) {
		t.Fatalf("serveGet for an applicant: %d ops, want %d", len(some.Ops), len(c.Ops)-len(advs))
	}
	for _, b := range some.Ops {
		op, err := protocol.Open(b, n.Group())
		if err != nil {
			t.Fatal(err)
		}
		if !op.Kind.IsMembership() {
			t.Fatalf("an applicant was served %s", op)
		}
	}

	// Through answer: the endorsed applicant X gets membership ops by
	// hash and nothing else; a stranger gets nothing.
	ctx := context.Background()
	x, s, b := peerOf(t, c, "X"), peerOf(t, c, "S"), peerOf(t, c, "B")
	if got := n.Standing(x); got != Endorsed {
		t.Fatalf("X is %s, want endorsed", got)
	}
	get := &protocol.SyncRequest{Group: n.Group(), Kind: protocol.SyncGet, Want: want}
	if resp := n.sync.answer(ctx, x, get); resp.Refused != "" || len(resp.Ops) != len(some.Ops) {
		t.Fatalf("SyncGet by X: refused %q, %d ops; want %d", resp.Refused, len(resp.Ops), len(some.Ops))
	}
	for _, kind := range []protocol.SyncKind{protocol.SyncTips, protocol.SyncRange, protocol.SyncAddrs} {
		if resp := n.sync.answer(ctx, x, &protocol.SyncRequest{Group: n.Group(), Kind: kind}); resp.Refused != ReasonNotMember.String() {
			t.Errorf("%s by X: refused %q, want not-member", kind, resp.Refused)
		}
	}
	if resp := n.sync.answer(ctx, s, get); resp.Refused != ReasonNotMember.String() || len(resp.Ops) != 0 {
		t.Errorf("SyncGet by a stranger: refused %q, %d ops", resp.Refused, len(resp.Ops))
	}
	if resp := n.sync.answer(ctx, b, &protocol.SyncRequest{Group: protocol.Hash{1}, Kind: protocol.SyncTips}); resp.Refused != ReasonWrongGroup.String() {
		t.Errorf("SyncTips for another circle: refused %q, want wrong-group", resp.Refused)
	}
	if resp := n.sync.answer(ctx, b, get); resp.Refused != "" || len(resp.Ops) != len(c.Ops) {
		t.Errorf("SyncGet by member B: refused %q, %d ops; want %d", resp.Refused, len(resp.Ops), len(c.Ops))
	}
	tips := n.sync.answer(ctx, b, &protocol.SyncRequest{Group: n.Group(), Kind: protocol.SyncTips})
	if tips.Refused != "" || len(tips.Tips) != 3 || len(tips.Heads) != 1 || tips.Heads[0] != advs[len(advs)-1].Hash() {
		t.Errorf("SyncTips by B: %+v; want tips of A, B and C and the last advisory as head", tips)
	}
}

func TestServeRangeByteBound(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	big := bytes.Repeat([]byte{'x'}, 900<<10)
	var advs []*protocol.Op
	for range 5 {
		advs = append(advs, must(t)(c.Do("B", &protocol.Advisory{Title: "big", TLP: protocol.TLPGreen, Content: big})))
	}
	n := startNode(t, c, "D", nil)
	for _, op := range advs { // one commit each: see TestSubmitLargeBatch
		submitAll(t, n, []*protocol.Op{op})
	}
	resp, err := n.sync.serveRange(c.Actor("B").Key, 1)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, b := range resp.Ops {
		size += len(b)
	}
	if len(resp.Ops) != 4 || !resp.More || size > protocol.MaxSyncBytes {
		t.Fatalf("serveRange of 5 ops of 900 KiB: %d ops, %d bytes, More %v; want 4, at most %d, true", len(resp.Ops), size, resp.More, protocol.MaxSyncBytes)
	}
}

// TestSubmitLargeBatch submits, in one call, ops that one sync response
// may carry (at most MaxSyncBytes = 4 MiB): ingestRaw does exactly this.
// The loop commits them in one store write, which must not fail the node.
func TestSubmitLargeBatch(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	big := bytes.Repeat([]byte{'x'}, 900<<10)
	var advs []*protocol.Op
	for range 3 {
		advs = append(advs, must(t)(c.Do("B", &protocol.Advisory{Title: "big", TLP: protocol.TLPGreen, Content: big})))
	}
	n := startNode(t, c, "D", func(cfg *Config) {
		cfg.Store = store.DefaultOptions() // a daemon's memtables
		cfg.Store.InMemory, cfg.Store.SyncWrites = true, false
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var raw [][]byte
	for _, op := range advs {
		raw = append(raw, op.Bytes())
	}
	_, ierr := n.sync.ingestRaw(ctx, raw)
	if err := n.Err(); err != nil {
		t.Fatalf("the node stopped after one sync response of %d bytes: %v", 3*len(advs[0].Bytes()), err)
	}
	if ierr != nil {
		t.Fatalf("ingestRaw: %v", ierr)
	}
	for _, op := range advs {
		if ok, _ := n.store.Has(op.Hash()); !ok {
			t.Fatalf("%s is not stored", op)
		}
	}
}

// TestServeRangeCutsAForkedSeq checks a seq whose forks alone exceed the
// byte bound: the answer stays within MaxSyncBytes and encodes into a
// frame, and the ops left out are still reachable as heads.
func TestServeRangeCutsAForkedSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	big := bytes.Repeat([]byte{'x'}, 900<<10)
	first := must(t)(c.Do("B", &protocol.Advisory{Title: "fork 0", TLP: protocol.TLPGreen, Content: big}))
	forks := []*protocol.Op{first}
	for i := 1; i < 6; i++ {
		forks = append(forks, must(t)(c.Fork("B", &protocol.Advisory{Title: fmt.Sprintf("fork %d", i), TLP: protocol.TLPGreen, Content: big})))
	}
	n := startNode(t, c, "D", nil)
	for _, op := range forks { // the twins are void, but stored
		if _, err := n.submit(context.Background(), []*protocol.Op{op}); err != nil {
			t.Fatal(err)
		}
	}
	if hs, _ := n.store.BySeq(first.Author, first.Seq); len(hs) != len(forks) {
		t.Fatalf("the node holds %d ops at the forked seq, want %d", len(hs), len(forks))
	}
	resp, err := n.sync.serveRange(first.Author, 1)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, b := range resp.Ops {
		size += len(b)
	}
	if len(resp.Ops) == 0 || len(resp.Ops) >= len(forks) || !resp.More || size > protocol.MaxSyncBytes {
		t.Fatalf("serveRange of %d forks of 900 KiB at one seq: %d ops, %d bytes, More %v", len(forks), len(resp.Ops), size, resp.More)
	}
	if err := protocol.WriteSync(io.Discard, resp); err != nil {
		t.Fatalf("the answer does not fit a frame: %v", err)
	}
	tips, err := n.sync.serveTips()
	if err != nil {
		t.Fatal(err)
	}
	heads := map[protocol.Hash]bool{}
	for _, h := range tips.Heads {
		heads[h] = true
	}
	for _, op := range forks {
		if !heads[op.Hash()] {
			t.Errorf("fork %s is not among the heads a client fetches", op)
		}
	}
}
