package trust_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The engine keeps a data op's header, not the op: once applied, the op
// itself (its encoding, body and signature) can be collected, and the
// engine still answers for it; membership ops it keeps whole.
func TestEngineKeepsDataOpHeaders(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("headers"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	e, err := trust.New(c.Genesis)
	if err != nil {
		t.Fatal(err)
	}
	g := c.Genesis.Hash()
	sign := func(seq uint64, prev *protocol.Hash, body protocol.Body) *protocol.Op {
		t.Helper()
		op := &protocol.Op{Group: g, Seq: seq, Prev: prev, Preds: []protocol.Hash{g}, Epoch: g, Kind: body.Kind(), TS: 1234}
		if prev != nil {
			op.Preds = protocol.SortPreds([]protocol.Hash{g, *prev})
		}
		if err := protocol.Sign(op, body, c.Actor("B").Priv); err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(op); err != nil {
			t.Fatal(err)
		}
		return op
	}
	collected := make(chan struct{})
	adv := func() protocol.Hash {
		op := sign(1, nil, &protocol.Advisory{Title: "kept as a header", TLP: protocol.TLPGreen})
		runtime.SetFinalizer(op, func(*protocol.Op) { close(collected) })
		return op.Hash()
	}()
	prev := adv
	vote := sign(2, &prev, &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionSuspend, Target: &c.Actor("C").Key, Case: []byte{1}}})
	for deadline := time.Now().Add(10 * time.Second); ; {
		runtime.GC()
		select {
		case <-collected:
		case <-time.After(10 * time.Millisecond):
			if time.Now().Before(deadline) {
				continue
			}
			t.Fatal("the applied advisory is still held after GC")
		}
		break
	}
	if _, ok := e.Op(adv); ok {
		t.Error("Op answers for an advisory the engine keeps as a header")
	}
	h, ok := e.Header(adv)
	if want := (trust.Header{Author: c.Actor("B").Key, Seq: 1, Kind: protocol.KindAdvisory, TS: 1234, Hash: adv}); !ok || h != want {
		t.Errorf("Header(advisory) = %+v, %v; want %+v", h, ok, want)
	}
	if h, ok := e.Header(vote.Hash()); !ok || h.Prev == nil || *h.Prev != adv || h.Seq != 2 {
		t.Errorf("Header(vote) = %+v, %v; want seq 2 after the advisory", h, ok)
	}
	if op, ok := e.Op(vote.Hash()); !ok || op != vote {
		t.Errorf("Op(vote) = %v, %v; want the vote itself", op, ok)
	}
	if !e.Has(adv) || e.Len() != 3 {
		t.Errorf("Has(advisory) = %v, Len = %d; want true, 3", e.Has(adv), e.Len())
	}
}
