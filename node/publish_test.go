package node

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

func TestPublishChainsOwnOps(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A signed the genesis: its chain starts there.
	prev := c.Genesis.Hash()
	for seq := uint64(2); seq <= 4; seq++ {
		op, err := n.Publish(ctx, &protocol.Advisory{Title: "advisory", TLP: protocol.TLPGreen})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if op.Author != n.Key() || op.Seq != seq || op.Prev == nil || *op.Prev != prev {
			t.Fatalf("published %s (prev %v), want A#%d after %s", op, op.Prev, seq, prev.Short())
		}
		if !slices.Contains(op.Preds, prev) || op.Epoch != c.Genesis.Hash() || op.Group != n.Group() {
			t.Fatalf("published %s: preds %v, epoch %s", op, op.Preds, op.Epoch.Short())
		}
		if err := op.Verify(); err != nil {
			t.Fatalf("the published op does not verify: %v", err)
		}
		if ok, err := n.store.Has(op.Hash()); err != nil || !ok {
			t.Fatalf("store.Has(published) = %v, %v", ok, err)
		}
		next, err := n.store.NextSeq()
		if err != nil || next < seq+1 {
			t.Fatalf("NextSeq = %d, %v; want at least %d", next, err, seq+1)
		}
		if live, err := n.Live(ctx, op.Hash()); err != nil || !live {
			t.Fatalf("Live(published) = %v, %v", live, err)
		}
		prev = op.Hash()
	}
	if got := n.Verdicts()["accept/published"]; got != 3 {
		t.Fatalf("Verdicts accept/published = %d, want 3", got)
	}
}

func TestPublishFirstOpOfAFounder(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	op, err := n.Publish(ctx, &protocol.Advisory{Title: "first", TLP: protocol.TLPClear})
	if err != nil {
		t.Fatal(err)
	}
	if op.Seq != 1 || op.Prev != nil || !slices.Equal(op.Preds, []protocol.Hash{c.Genesis.Hash()}) {
		t.Fatalf("B's first op: %s, prev %v, preds %v; want seq 1 on the genesis", op, op.Prev, op.Preds)
	}
}

// TestPublishRefusedOpKeepsSeq: an op the circle would refuse is not
// signed into the chain; the next op takes the seq.
func TestPublishRefusedOpKeepsSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := n.Publish(ctx, &protocol.Vote{Motion: c.Suspend("B", "self")})
	if !errors.Is(err, trust.ErrSelfMotion) {
		t.Fatalf("Publish of a vote on a motion about itself = %v, want ErrSelfMotion", err)
	}
	op, err := n.Publish(ctx, &protocol.Advisory{Title: "next", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	if op.Seq != 1 {
		t.Fatalf("after a refused op, the next is seq %d, want 1", op.Seq)
	}
	if l, _ := n.store.Len(); l != 2 {
		t.Fatalf("the store holds %d ops, want the genesis and one advisory", l)
	}
}

// TestPublishRefusesPlaintextRed: a TLP:RED advisory is refused with
// ErrPlaintextRed before anything is signed or stored, even by a node not
// ready to publish; PublishPlaintextRed publishes it and logs a warning.
func TestPublishRefusesPlaintextRed(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	logs := &warnings{}
	n := startNode(t, c, "A", func(cfg *Config) { cfg.Logger = slog.New(logs) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	red := &protocol.Advisory{Title: "named recipients only", Summary: "do not forward", TLP: protocol.TLPRed}
	seq, err := n.store.NextSeq()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Publish(ctx, red); !errors.Is(err, ErrPlaintextRed) {
		t.Fatalf("Publish(RED) = %v, want ErrPlaintextRed", err)
	}
	for _, want := range []string{"every member and every future member in plaintext", "AMBER+STRICT", "out of band"} {
		if !strings.Contains(ErrPlaintextRed.Error(), want) {
			t.Errorf("ErrPlaintextRed says %q, without %q", ErrPlaintextRed, want)
		}
	}
	if l, _ := n.store.Len(); l != 1 {
		t.Fatalf("after a refused RED advisory the store holds %d ops, want only the genesis", l)
	}
	if next, err := n.store.NextSeq(); err != nil || next != seq {
		t.Fatalf("a refused RED advisory reserved a seq: NextSeq %d, %v; want %d", next, err, seq)
	}
	if got := n.Verdicts()["accept/published"]; got != 0 || len(logs.all()) != 0 {
		t.Fatalf("a refused RED advisory counted %d published, logged %q", got, logs.all())
	}
	// A node that may not publish at all refuses RED the same way, at once.
	s := startNode(t, c, "S", nil)
	if _, err := s.Publish(ctx, red); !errors.Is(err, ErrPlaintextRed) {
		t.Fatalf("Publish(RED) by a stranger = %v, want ErrPlaintextRed", err)
	}

	op, err := n.PublishPlaintextRed(ctx, red)
	if err != nil {
		t.Fatalf("PublishPlaintextRed: %v", err)
	}
	if ok, err := n.store.Has(op.Hash()); err != nil || !ok {
		t.Fatalf("store.Has(acknowledged RED advisory) = %v, %v", ok, err)
	}
	ad, err := n.Advisory(ctx, op.Hash())
	if err != nil || ad.Advisory.TLP != protocol.TLPRed || ad.Advisory.Title != red.Title {
		t.Fatalf("Advisory(acknowledged RED) = %+v, %v", ad.Advisory, err)
	}
	if w := logs.all(); len(w) != 1 || !strings.Contains(w[0], "TLP:RED") || !strings.Contains(w[0], "every member and future member can read it") {
		t.Fatalf("warnings after an acknowledged RED advisory: %q, want one that says every member can read it", w)
	}
	// The acknowledgement changes nothing for other labels.
	if _, err := n.PublishPlaintextRed(ctx, &protocol.Advisory{Title: "green", TLP: protocol.TLPGreen}); err != nil || len(logs.all()) != 1 {
		t.Fatalf("PublishPlaintextRed(GREEN) = %v, warnings %q", err, logs.all())
	}
}

// warnings is a slog.Handler that records the messages of warnings and
// errors; safe for concurrent use.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler           { return w }
func (w *warnings) WithGroup(string) slog.Handler                { return w }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, r.Message)
	return nil
}

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.msgs)
}

func TestPublishNotSharing(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "S", nil) // a stranger to the circle
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := n.Publish(ctx, &protocol.Advisory{Title: "nope", TLP: protocol.TLPGreen})
	if !errors.Is(err, ErrNotSharing) {
		t.Fatalf("Publish by a stranger = %v, want ErrNotSharing", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Publish took %v to refuse", d)
	}
	if l, _ := n.store.Len(); l != 1 {
		t.Fatalf("the store holds %d ops, want only the genesis", l)
	}
}

func TestPublishWaitsForSync(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	// The members would answer within a minute: the node waits for two.
	n := startNode(t, c, "B", func(cfg *Config) { cfg.SyncBeforePublish, cfg.PublishWait = 2, time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := n.Publish(ctx, &protocol.Advisory{Title: "too early", TLP: protocol.TLPGreen})
	if !errors.Is(err, ErrNotSynced) {
		t.Fatalf("Publish before any sync = %v, want ErrNotSynced", err)
	}
	// Syncs with members count; with one of the two other members the
	// node still waits, with both it publishes.
	for i, name := range []string{"A", "C"} {
		n.sync.syncedMember(peerOf(t, c, name))
		err := n.ready()
		if i == 0 && !errors.Is(err, ErrNotSynced) {
			t.Fatalf("ready after one sync = %v, want ErrNotSynced", err)
		}
		if i == 1 && err != nil {
			t.Fatalf("ready after two syncs = %v", err)
		}
	}
	// A sync with a non-member does not count.
	n.sync.mu.Lock()
	n.sync.synced = map[peer.ID]bool{peerOf(t, c, "A"): true, peerOf(t, c, "S"): true}
	n.sync.mu.Unlock()
	if err := n.ready(); !errors.Is(err, ErrNotSynced) {
		t.Fatalf("ready with a stranger among the syncs = %v, want ErrNotSynced", err)
	}
}

// TestClosedNodeAnswersErrClosed: once a node is closed (or stopped after
// a store failure), calls that need the loop return ErrClosed instead of
// waiting for a loop that no longer runs.
func TestClosedNodeAnswersErrClosed(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	n := startNode(t, c, "A", nil)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := n.Live(ctx, c.Genesis.Hash())
		cancel()
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("call %d on a closed node: %v, want ErrClosed", i, err)
		}
	}
}

// TestPublishWaitsOnOneSync checks that a publish pays one wait on the
// disk, not two: the own op and its reserved seq go into one write and
// one sync before the op is sent.
func TestPublishWaitsOnOneSync(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	dir := t.TempDir()
	n := startNode(t, c, "A", func(cfg *Config) { cfg.DataDir, cfg.Store = dir, store.DefaultOptions() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	const count = 5
	before := n.store.Syncs()
	var last *protocol.Op
	for range count {
		op, err := n.Publish(ctx, &protocol.Advisory{Title: "advisory", TLP: protocol.TLPGreen})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		last = op
	}
	if got := n.store.Syncs() - before; got != count {
		t.Fatalf("%d publishes synced the store %d times, want %d", count, got, count)
	}
	if next, err := n.store.NextSeq(); err != nil || next != last.Seq+1 {
		t.Fatalf("NextSeq = %d, %v; want %d", next, err, last.Seq+1)
	}
}

// TestOwnKeyOpsFromElsewhereLeaveTheSavedSeq checks that ops of this
// organisation's key signed elsewhere (a copy of the data dir on another
// host), delivered by a peer, neither stop the node nor move its saved
// next seq: a twin below it is stored as the fork it is, and an op beyond
// it stays beyond, which is what the daemon's second-signer alarm reads.
func TestOwnKeyOpsFromElsewhereLeaveTheSavedSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	op := must(t)
	b := startNode(t, c, "B", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var last *protocol.Op
	for range 3 {
		mine, err := b.Publish(ctx, &protocol.Advisory{Title: "mine", TLP: protocol.TLPGreen})
		if err != nil {
			t.Fatal(err)
		}
		last = mine
	}
	want := last.Seq + 1
	fromA := withForwarder(ctx, peerOf(t, c, "A"))
	var copies []*protocol.Op
	for range 4 {
		copies = append(copies, op(c.Advise("B", "signed by a copy of the data dir", protocol.TLPGreen)))
	}
	if copies[0].Seq >= last.Seq || copies[3].Seq < want {
		t.Fatalf("the copy's ops have seqs %d to %d; want from below %d to at least %d", copies[0].Seq, copies[3].Seq, last.Seq, want)
	}
	for _, cp := range copies {
		if _, err := b.submit(fromA, []*protocol.Op{cp}); err != nil {
			t.Fatalf("submitting the copy's seq %d: %v", cp.Seq, err)
		}
		if err := b.Err(); err != nil {
			t.Fatalf("B stopped on the copy's seq %d: %v", cp.Seq, err)
		}
		if next, err := b.store.NextSeq(); err != nil || next != want {
			t.Fatalf("after the copy's seq %d, NextSeq = %d, %v; want %d", cp.Seq, next, err, want)
		}
	}
}
