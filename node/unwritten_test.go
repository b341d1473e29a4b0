package node

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// writeGate is a Config.beforeWrite that holds every store write of ops
// until released, and tells when one is held.
type writeGate struct {
	held    chan []*protocol.Op
	release chan struct{}
	once    sync.Once
}

func newWriteGate() *writeGate {
	return &writeGate{held: make(chan []*protocol.Op, 1), release: make(chan struct{})}
}

// open releases the held write and every later one.
func (g *writeGate) open() { g.once.Do(func() { close(g.release) }) }

func (g *writeGate) hold(ops []*protocol.Op) error {
	g.held <- ops
	<-g.release
	return nil
}

// TestReceivedOpVisibleBeforeWritten holds node B's store write of two
// ops received from A, a vote and an advisory, and checks that while the
// write is held B's members see both: the State counts the vote, the
// reads the API serves (Op, Has, StoredOps, AdvisoryPosition, Advisory,
// Advisories, AdvisoriesBefore) return the advisory from memory, at the
// position the store then gives it, and none of them waits for the
// write; OnVisible has fired, OnStored and the sender's acknowledgement
// wait for the write and its sync.
func TestReceivedOpVisibleBeforeWritten(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	op := must(t)
	m := c.Revoke("C")
	vote := op(c.Vote("A", m))
	adv := op(c.Advise("A", "held", protocol.TLPGreen))

	gate := newWriteGate()
	var mu sync.Mutex
	var visible, stored []protocol.Hash
	n := startNode(t, c, "B", func(cfg *Config) {
		cfg.Store.InMemory, cfg.Store.SyncWrites = false, true
		cfg.DataDir = t.TempDir()
		cfg.beforeWrite = gate.hold
		cfg.OnVisible = func(op *protocol.Op, _ time.Time) { mu.Lock(); visible = append(visible, op.Hash()); mu.Unlock() }
		cfg.OnStored = func(op *protocol.Op, _ time.Time) { mu.Lock(); stored = append(stored, op.Hash()); mu.Unlock() }
	})
	t.Cleanup(gate.open) // before B's Close, should the test stop early
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	base, err := n.store.Len()
	if err != nil {
		t.Fatal(err)
	}

	acked := make(chan error, 1)
	go func() {
		_, err := n.submit(ctx, []*protocol.Op{vote, adv})
		acked <- err
	}()
	var held []*protocol.Op
	select {
	case held = <-gate.held:
	case <-ctx.Done():
		t.Fatal("the write of A's ops never began")
	}
	if len(held) != 2 {
		t.Fatalf("the held write has %d ops, want the vote and the advisory", len(held))
	}

	// Held: the store lacks both ops, members see both.
	if has, _ := n.store.Has(adv.Hash()); has {
		t.Fatal("the store holds the advisory while its write is held")
	}
	if tally, ok := n.State().Tally(m.Hash()); !ok || len(tally.Votes) != 1 || tally.Votes[0] != vote.Hash() {
		t.Errorf("State's tally of the motion while the write is held: %+v, %v; want A's vote", tally, ok)
	}
	if got, err := n.Op(adv.Hash()); err != nil || got.Hash() != adv.Hash() {
		t.Errorf("Op(advisory) while held = %v, %v", got, err)
	}
	if has, err := n.Has(vote.Hash()); err != nil || !has {
		t.Errorf("Has(vote) while held = %v, %v", has, err)
	}
	if l, err := n.StoredOps(); err != nil || l != base+2 {
		t.Errorf("StoredOps while held = %d, %v; want %d", l, err, base+2)
	}
	pos, ok, err := n.AdvisoryPosition(adv.Hash())
	if err != nil || !ok {
		t.Fatalf("AdvisoryPosition(advisory) while held = %d, %v, %v", pos, ok, err)
	}
	if _, ok, _ := n.AdvisoryPosition(vote.Hash()); ok {
		t.Error("AdvisoryPosition(vote) found an advisory")
	}
	readCtx, readCancel := context.WithTimeout(ctx, 2*time.Second)
	defer readCancel()
	if ad, err := n.Advisory(readCtx, adv.Hash()); err != nil || ad.Advisory.Title != "held" || ad.Pos != pos {
		t.Errorf("Advisory while held = %+v, %v", ad, err)
	}
	ads, next, err := n.Advisories(readCtx, 0, 10)
	if err != nil || len(ads) != 1 || ads[0].Op.Hash() != adv.Hash() || next != pos+1 {
		t.Errorf("Advisories while held = %v, next %d, %v; want the advisory, next %d", titles(ads), next, err, pos+1)
	}
	if ads, _, err := n.AdvisoriesBefore(readCtx, pos+1, 10); err != nil || len(ads) != 1 || ads[0].Pos != pos {
		t.Errorf("AdvisoriesBefore while held = %v, %v", titles(ads), err)
	}
	mu.Lock()
	if len(visible) != 2 || len(stored) != 0 {
		t.Errorf("while held: OnVisible saw %d ops, OnStored %d; want 2 and 0", len(visible), len(stored))
	}
	mu.Unlock()
	select {
	case err := <-acked:
		t.Fatalf("submit returned (%v) before its write", err)
	default:
	}

	gate.open()
	if err := <-acked; err != nil {
		t.Fatalf("submit: %v", err)
	}
	if got, ok, err := n.store.AdvisoryPos(adv.Hash()); err != nil || !ok || got != pos {
		t.Errorf("stored position %d, %v, %v; memory said %d", got, ok, err, pos)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(stored, visible) {
		t.Errorf("OnStored saw %v, OnVisible %v", stored, visible)
	}
}

// TestCrashBeforeWriteLosesOnlyWhatSyncFetches makes node B's store
// refuse the write of A's advisory after B's members saw it, as a crash
// between the two would leave it: B stops, its store lacks the advisory,
// and B, restarted on the same data dir, gets it back by sync from A,
// which stored it before sending it.
func TestCrashBeforeWriteLosesOnlyWhatSyncFetches(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	adv := must(t)(c.Advise("A", "lost in a crash", protocol.TLPGreen))
	a := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := a.submit(ctx, []*protocol.Op{adv}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	durable := func(cfg *Config) {
		cfg.Store.InMemory, cfg.Store.SyncWrites = false, true
		cfg.DataDir = dir
	}
	crash := errors.New("the machine crashed")
	var seen sync.Once
	visible := make(chan struct{})
	b, err := New(context.Background(), func() Config {
		cfg := testConfig(c, "B")
		durable(&cfg)
		cfg.OnVisible = func(op *protocol.Op, _ time.Time) {
			if op.Hash() == adv.Hash() {
				seen.Do(func() { close(visible) })
			}
		}
		cfg.beforeWrite = func(ops []*protocol.Op) error {
			if slices.ContainsFunc(ops, func(op *protocol.Op) bool { return op.Hash() == adv.Hash() }) {
				return crash
			}
			return nil
		}
		return cfg
	}())
	if err != nil {
		t.Fatal(err)
	}
	// As gossip would hand it over; B stops at the write, so the verdict
	// may be Ignore.
	b.batcher.verdict(ctx, "", adv.Bytes())
	select {
	case <-b.Done():
	case <-ctx.Done():
		t.Fatal("B did not stop when its write failed")
	}
	select {
	case <-visible:
	default:
		t.Error("B's members never saw the advisory")
	}
	if !errors.Is(b.Err(), crash) {
		t.Errorf("B stopped with %v, want the refused write", b.Err())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = startNode(t, c, "B", func(cfg *Config) {
		durable(cfg)
		cfg.Peers = a.P2PAddrs()
	})
	untilChanged(t, ctx, b, "B to sync the lost advisory from A", func() bool {
		has, err := b.store.Has(adv.Hash())
		return err == nil && has
	})
	if live, err := b.Live(ctx, adv.Hash()); err != nil || !live {
		t.Errorf("Live(advisory) at B after the restart = %v, %v", live, err)
	}
}

// TestMergeRefs merges the store's advisory refs with those being
// written: in order either way, one ref per position when the write
// stored an op while it was also read from memory, and at most limit.
func TestMergeRefs(t *testing.T) {
	ref := func(pos uint64) store.AdvisoryRef { return store.AdvisoryRef{Pos: pos, Hash: protocol.Hash{byte(pos)}} }
	positions := func(refs []store.AdvisoryRef) []uint64 {
		var out []uint64
		for _, r := range refs {
			out = append(out, r.Pos)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		refs     []store.AdvisoryRef
		limit    int
		backward bool
		want     []uint64
	}{
		{"memory after the store", []store.AdvisoryRef{ref(3), ref(5), ref(7), ref(9)}, 10, false, []uint64{3, 5, 7, 9}},
		{"written meanwhile", []store.AdvisoryRef{ref(3), ref(7), ref(9), ref(7), ref(9)}, 10, false, []uint64{3, 7, 9}},
		{"limit", []store.AdvisoryRef{ref(3), ref(5), ref(7)}, 2, false, []uint64{3, 5}},
		{"backward", []store.AdvisoryRef{ref(5), ref(3), ref(7), ref(9)}, 3, true, []uint64{9, 7, 5}},
		{"backward, written meanwhile", []store.AdvisoryRef{ref(9), ref(5), ref(9)}, 10, true, []uint64{9, 5}},
	} {
		if got := positions(mergeRefs(tc.refs, tc.limit, tc.backward)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
