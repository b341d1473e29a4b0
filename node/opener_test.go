package node

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/kring-circle/kring/protocol"
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
