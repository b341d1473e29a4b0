package node

import (
	"errors"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// openAll keeps the order of a batch and reports the first bad op.
func TestOpenAllKeepsOrderAndFindsTheBadOp(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	var raw [][]byte
	var want []protocol.Hash
	for range 100 {
		op := must(t)(c.Advise("A", "batch advisory", protocol.TLPGreen))
		raw = append(raw, op.Bytes())
		want = append(want, op.Hash())
	}
	ops, err := openAll(raw, c.Genesis.Hash())
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
	if _, err := openAll(raw, c.Genesis.Hash()); !errors.Is(err, protocol.ErrBadSignature) {
		t.Fatalf("a batch with a forged op: err = %v, want ErrBadSignature", err)
	}
	if _, err := openAll(raw[:1], protocol.Hash{9}); !errors.Is(err, protocol.ErrWrongGroup) {
		t.Fatalf("an op of another circle: err = %v, want ErrWrongGroup", err)
	}
}
