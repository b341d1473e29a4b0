package store

import (
	"bytes"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The keys and values an op is staged under, cut from one buffer, are
// those the key and value functions build one by one, and each ends where
// its capacity does, so no append to one can overwrite the next.
func TestOpEntriesCut(t *testing.T) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("store test"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	op, err := c.Advise("B", "entries", protocol.TLPGreen)
	if err != nil {
		t.Fatal(err)
	}
	h := op.Hash()
	var e opEntries
	seq, o, loc, idx, ival := e.cut(op, h, 7)
	want := [][]byte{
		seqKey(op.Author, op.Seq, h),
		opKey(h),
		opLoc{author: op.Author, seq: op.Seq, pos: 7}.value(),
		indexKey(7),
		indexEntry{author: op.Author, seq: op.Seq, hash: h, advisory: op.Kind == protocol.KindAdvisory}.value(),
	}
	for i, got := range [][]byte{seq, o, loc, idx, ival} {
		if !bytes.Equal(got, want[i]) {
			t.Errorf("entry %d: %x, want %x", i, got, want[i])
		}
		if cap(got) != len(got) {
			t.Errorf("entry %d: capacity %d past its length %d", i, cap(got), len(got))
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		buf := new(opEntries)
		seq, _, _, _, ival = buf.cut(op, h, 8)
	})
	if allocs > 1 {
		t.Fatalf("cutting an op's entries made %.0f allocations, want 1", allocs)
	}
}

// value encodes l as an o/ value on its own, the reference opEntries.cut
// is checked against.
func (l opLoc) value() []byte { return l.appendValue(make([]byte, 0, opLocSize)) }

// value encodes e as an i/ value on its own, the reference opEntries.cut
// is checked against.
func (e indexEntry) value() []byte { return e.appendValue(make([]byte, 0, indexEntrySize)) }
