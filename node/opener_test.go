package node

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// startOpener starts an opener for group that stops with the test.
func startOpener(t *testing.T, group protocol.Hash) (*opener, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	o := newOpener(ctx, group, &wg)
	t.Cleanup(func() { cancel(); wg.Wait() })
	return o, cancel
}

// openAll keeps the order of a batch and reports the first bad op.
func TestOpenAllKeepsOrderAndFindsTheBadOp(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	o, _ := startOpener(t, c.Genesis.Hash())
	other, _ := startOpener(t, protocol.Hash{9})
	var raw [][]byte
	var want []protocol.Hash
	for range 100 {
		op := must(t)(c.Advise("A", "batch advisory", protocol.TLPGreen))
		raw = append(raw, op.Bytes())
		want = append(want, op.Hash())
	}
	ops, err := o.openAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i, op := range ops {
		if op.Hash() != want[i] {
			t.Fatalf("op %d is %s, want %s", i, op.Hash().Short(), want[i].Short())
		}
	}
	bad := append([]byte(nil), raw[70]...)
	bad[len(bad)-1] ^= 1 // the signature's last byte
	raw[70] = bad
	if _, err := o.openAll(raw); !errors.Is(err, protocol.ErrBadSignature) {
		t.Fatalf("a batch with a forged op: err = %v, want ErrBadSignature", err)
	}
	if _, err := other.openAll(raw[:1]); !errors.Is(err, protocol.ErrWrongGroup) {
		t.Fatalf("an op of another circle: err = %v, want ErrWrongGroup", err)
	}
}

// A stopped opener fails what it is handed instead of blocking.
func TestOpenerStopped(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	o, stop := startOpener(t, c.Genesis.Hash())
	op := must(t)(c.Advise("A", "advisory", protocol.TLPGreen))
	got, err := o.open(op.Bytes())
	if err != nil || got.Hash() != op.Hash() {
		t.Fatalf("open = %v, %v; want %s", got, err, op.Hash().Short())
	}
	stop()
	if _, err := o.openAll([][]byte{op.Bytes(), op.Bytes()}); !errors.Is(err, errOpenerStopped) {
		t.Fatalf("openAll after the stop: err = %v, want errOpenerStopped", err)
	}
}

// openAll reports the first bad op in the order given even when the ops
// fail in different workers' chunks, each checked in its own batch.
func TestOpenAllReportsTheFirstBadOpAcrossChunks(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	o, _ := startOpener(t, c.Genesis.Hash())
	fresh := func() [][]byte {
		var raw [][]byte
		for range 256 {
			raw = append(raw, must(t)(c.Advise("B", "chunked advisory", protocol.TLPGreen)).Bytes())
		}
		return raw
	}
	forged := func(b []byte) []byte {
		f := append([]byte(nil), b...)
		f[len(f)-3] ^= 1
		return f
	}
	raw := fresh()
	raw[20], raw[230] = forged(raw[20]), raw[230][:40]
	if _, err := o.openAll(raw); !errors.Is(err, protocol.ErrBadSignature) {
		t.Errorf("a forged op at 20 and a broken one at 230: err = %v, want ErrBadSignature", err)
	}
	raw = fresh()
	raw[20], raw[230] = raw[20][:40], forged(raw[230])
	if _, err := o.openAll(raw); err == nil || errors.Is(err, protocol.ErrBadSignature) {
		t.Errorf("a broken op at 20 and a forged one at 230: err = %v, want the broken op's", err)
	}
	raw = fresh()
	raw[255] = forged(raw[255])
	if _, err := o.openAll(raw); !errors.Is(err, protocol.ErrBadSignature) {
		t.Errorf("a forged last op: err = %v, want ErrBadSignature", err)
	}
}

// start hands a whole range answer to one worker and returns before its
// verdicts; two answers open side by side, each keeping its order and
// reporting its own first bad op, and a stopped opener fails what it is
// handed.
func TestOpenerStartOpensAnswersSideBySide(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	o, stop := startOpener(t, c.Genesis.Hash())
	answer := func() ([][]byte, []protocol.Hash) {
		var raw [][]byte
		var hs []protocol.Hash
		for range protocol.MaxSyncOps {
			op := must(t)(c.Advise("A", "range answer", protocol.TLPGreen))
			raw, hs = append(raw, op.Bytes()), append(hs, op.Hash())
		}
		return raw, hs
	}
	good, want := answer()
	bad, _ := answer()
	bad[200] = forge(must(t)(protocol.Decode(bad[200])))
	jg, jb := o.start(good), o.start(bad)
	ops, err := jg.result()
	if err != nil {
		t.Fatal(err)
	}
	for i, op := range ops {
		if op.Hash() != want[i] {
			t.Fatalf("op %d is %s, want %s", i, op.Hash().Short(), want[i].Short())
		}
	}
	if _, err := jb.result(); !errors.Is(err, protocol.ErrBadSignature) {
		t.Errorf("an answer with a forged op: err = %v, want ErrBadSignature", err)
	}
	stop()
	if _, err := o.start(good).result(); !errors.Is(err, errOpenerStopped) {
		t.Errorf("start after the stop: err = %v, want errOpenerStopped", err)
	}
}

// BenchmarkOpenAll opens a sync batch of 256 advisories on every core, as
// a sync client does with each response.
func BenchmarkOpenAll(b *testing.B) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("bench"), "A", "B", "C")
	if err != nil {
		b.Fatal(err)
	}
	var raw [][]byte
	for range protocol.MaxSyncOps {
		op, err := c.Advise("B", "benchmark advisory", protocol.TLPGreen)
		if err != nil {
			b.Fatal(err)
		}
		raw = append(raw, op.Bytes())
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	o := newOpener(ctx, c.Genesis.Hash(), &wg)
	defer func() { cancel(); wg.Wait() }()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.openAll(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(raw)), "ns/op-opened")
}
