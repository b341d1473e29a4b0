package node

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// TestSecondSignerStopsSigning: once B's node has signed since its start,
// an op of B's key that it never signed, delivered by a peer, means
// another node signs with the key (a copy of the data dir): B's node warns,
// refuses to sign (ErrSecondSigner, in its readiness too), and stores
// nothing more of its own; the copy's twin suspends B too, but the
// refusal names the copy first. Before it has signed, such an op is what a
// restored data dir learns back, and stops nothing.
func TestSecondSignerStopsSigning(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	op := must(t)
	w := &warnings{}
	b := startNode(t, c, "B", func(cfg *Config) { cfg.Logger = slog.New(w) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fromA := withForwarder(ctx, peerOf(t, c, "A"))

	// Learnt back before B's node signed: taken, no alarm.
	back := op(c.Advise("B", "signed before a restore", protocol.TLPGreen))
	if vs, err := b.submit(fromA, []*protocol.Op{back}); err != nil || vs[0] != accept() {
		t.Fatalf("B's own earlier op learnt back: %v %v", vs, err)
	}
	if err := b.secondSignerErr(); err != nil {
		t.Fatalf("an own op learnt back before signing stopped the node: %v", err)
	}
	mine, err := b.Publish(ctx, &protocol.Advisory{Title: "mine", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	if mine.Seq != back.Seq+1 {
		t.Fatalf("B signed seq %d after learning seq %d back", mine.Seq, back.Seq)
	}

	// The copy signs seq 2 too (a twin of B's own op): delivered by A.
	twin := op(c.Advise("B", "signed by a copy of the data dir", protocol.TLPGreen))
	if twin.Seq != mine.Seq {
		t.Fatalf("the copy's op has seq %d, want %d", twin.Seq, mine.Seq)
	}
	if _, err := b.submit(fromA, []*protocol.Op{twin}); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); !slices.ContainsFunc(got, func(m string) bool { return strings.Contains(m, "stopped signing") }) {
		t.Errorf("B warned %q, want that it stopped signing", got)
	}
	_, err = b.Publish(ctx, &protocol.Advisory{Title: "after", TLP: protocol.TLPGreen})
	if !errors.Is(err, ErrSecondSigner) || !strings.Contains(err.Error(), "Stop the other node") {
		t.Fatalf("Publish after a second signer = %v, want ErrSecondSigner", err)
	}
	var serr error
	if err := b.do(ctx, func(l *loop) { _, serr = l.sign(&protocol.Advisory{Title: "past the check", TLP: protocol.TLPGreen}) }); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(serr, ErrSecondSigner) {
		t.Fatalf("signing past the readiness check = %v, want ErrSecondSigner", serr)
	}
	if r := b.Readiness(); !errors.Is(r.Err, ErrSecondSigner) {
		t.Errorf("Readiness = %v, want ErrSecondSigner", r.Err)
	}
	if next, err := b.NextSeq(); err != nil || next != mine.Seq+1 {
		t.Errorf("B reserved seq %d after stopping (%v), want %d", next, err, mine.Seq+1)
	}
}
