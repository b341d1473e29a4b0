package node

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// A node of a circle of five whose other members are offline but one
// waits Config.PublishWait for them to answer, then publishes once it has
// synced with the one that answered, and says so.
func TestReadyWithOneReachableMember(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	const wait = 500 * time.Millisecond
	a := startNode(t, c, "A", nil)
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncBeforePublish, cfg.PublishWait = 2, wait })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Ready(); !errors.Is(err, ErrNotSynced) || !strings.Contains(err.Error(), "synced with 0 of 4 members, waiting for more to answer (up to 500ms after start)") {
		t.Fatalf("Ready at start = %v, want ErrNotSynced waiting for members to answer", err)
	}
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	var r Readiness
	op, err := b.Publish(WithReadiness(ctx, &r), &protocol.Advisory{Title: "urgent, on a weekend night", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatalf("Publish with one of four members reachable: %v", err)
	}
	if op.Seq != 1 {
		t.Errorf("published seq %d, want 1", op.Seq)
	}
	if len(r.SyncedWith) != 1 || r.SyncedWith[0] != c.Actor("A").Key || r.Members != 4 || r.Unreachable != 3 {
		t.Errorf("readiness at signing = %+v, want synced with A alone, of 4 members, 3 unreachable", r)
	}
	if err := b.Ready(); err != nil {
		t.Errorf("Ready after publishing = %v", err)
	}
	waitUntil(t, ctx, "A to store B's advisory", func() bool { ok, _ := a.store.Has(op.Hash()); return ok })
}

// Past the wait, a node with two members answering syncs with both before
// it signs (two when two answer), not with the first alone.
func TestReadyWaitsForTwoWhenTwoAnswer(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	a := startNode(t, c, "A", nil)
	cn := startNode(t, c, "C", nil)
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncBeforePublish, cfg.PublishWait = 2, 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, o := range []*Node{a, cn} {
		if err := b.Connect(ctx, o.AddrInfo()); err != nil {
			t.Fatal(err)
		}
	}
	var r Readiness
	if _, err := b.Publish(WithReadiness(ctx, &r), &protocol.Advisory{Title: "two answered", TLP: protocol.TLPGreen}); err != nil {
		t.Fatal(err)
	}
	if len(r.SyncedWith) != 2 || r.Members != 4 || r.Unreachable != 2 {
		t.Errorf("readiness at signing = %+v, want synced with A and C, of 4 members, 2 unreachable", r)
	}
}

// With no member reachable the node refuses to publish once the wait is
// over, saying so and what to do, and signs nothing.
func TestReadyRefusesWithNoMemberReachable(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncBeforePublish, cfg.PublishWait = 2, 200*time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := b.Publish(ctx, &protocol.Advisory{Title: "alone", TLP: protocol.TLPGreen})
	if !errors.Is(err, ErrNoMemberReachable) {
		t.Fatalf("Publish with no member reachable = %v, want ErrNoMemberReachable", err)
	}
	for _, want := range []string{"no member of the circle answered: none of the 4 others did within 200ms", "signs nothing", "kring peers", "once a member is online"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q lacks %q", err, want)
		}
	}
	if l, _ := b.store.Len(); l != 1 {
		t.Errorf("the store holds %d ops, want only the genesis", l)
	}
}

// A node whose store lacks its own newest ops (restored from an old copy
// of its data dir) and that a member has shown them refuses to sign,
// naming the problem and the way out, until it has fetched them; then it
// signs the next seq instead of forking its chain.
func TestOwnChainBehindBlocksSigning(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	op := must(t)
	var mine []*protocol.Op
	for _, title := range []string{"one", "two", "three"} {
		mine = append(mine, op(c.Advise("B", title, protocol.TLPGreen)))
	}
	a := startNode(t, c, "A", nil)
	submitAll(t, a, mine)
	w := &warnings{}
	b := startNode(t, c, "B", func(cfg *Config) { cfg.SyncInterval, cfg.Logger = time.Hour, slog.New(w) })
	// A's tips show B's chain up to seq 3; B holds none of it.
	b.sync.noteOwnTip(peerOf(t, c, "A"), []protocol.SyncTip{{Author: c.Actor("B").Key, Seq: 3, Hashes: []protocol.Hash{mine[2].Hash()}}})
	if got := w.all(); len(got) != 1 || !strings.Contains(got[0], "restored from a backup") {
		t.Errorf("B warned %q, want one warning that asks whether its data dir was restored from a backup", got)
	}
	err := b.Ready()
	if !errors.Is(err, ErrOwnChainBehind) {
		t.Fatalf("Ready with a member ahead on B's own chain = %v, want ErrOwnChainBehind", err)
	}
	for _, want := range []string{"Org A", "up to seq 3, this node only up to seq 0", "restored from a backup", "fork", "keep it running and connected"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q lacks %q", err, want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var serr error
	if err := b.do(ctx, func(l *loop) { _, serr = l.sign(&protocol.Advisory{Title: "fork", TLP: protocol.TLPGreen}) }); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(serr, ErrOwnChainBehind) {
		t.Fatalf("signing past the readiness check = %v, want ErrOwnChainBehind", serr)
	}
	if l, _ := b.store.Len(); l != 1 {
		t.Fatalf("B stores %d ops after refusing, want the genesis alone", l)
	}
	// Connected, B syncs its chain back from A and signs seq 4.
	if err := b.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	next, err := b.Publish(ctx, &protocol.Advisory{Title: "after the restore", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatalf("Publish once connected: %v", err)
	}
	if next.Seq != 4 {
		t.Errorf("B signed seq %d after fetching its chain, want 4", next.Seq)
	}
}
