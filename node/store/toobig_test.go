package store_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// TestTooBig fills one Put past what one transaction of the smallest
// memtable holds: it must fail whole, wrapping ErrTooBig, and the same ops
// must then go in smaller batches. The largest possible op fits alone.
func TestTooBig(t *testing.T) {
	c := chains(t, 0)
	big := bytes.Repeat([]byte{'x'}, 200<<10)
	for range 8 {
		if _, err := c.Do("A", &protocol.Advisory{Title: "big", TLP: protocol.TLPGreen, Content: big}); err != nil {
			t.Fatalf("advising: %v", err)
		}
	}
	largest, err := c.Do("B", &protocol.Advisory{Title: "largest", TLP: protocol.TLPGreen, Content: bytes.Repeat([]byte{'y'}, protocol.MaxContent)})
	if err != nil {
		t.Fatalf("advising the largest op: %v", err)
	}
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Genesis)
	batch := c.Ops[1:9]
	err = s.Put(batch...)
	if !errors.Is(err, store.ErrTooBig) || !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("Put of %d ops of 200 KiB: error %v, want ErrTooBig and badger.ErrTxnTooBig", len(batch), err)
	}
	if n, _ := s.Len(); n != 1 {
		t.Fatalf("a failed Put left Len %d, want 1", n)
	}
	if ok, _ := s.Has(batch[0].Hash()); ok {
		t.Fatal("a failed Put stored its first op")
	}
	if err := errors.Join(s.Put(batch[:4]...), s.Put(batch[4:]...), s.Put(largest)); err != nil {
		t.Fatalf("Put in smaller batches: %v", err)
	}
	if n, _ := s.Len(); n != 10 {
		t.Fatalf("Len = %d after storing everything, want 10", n)
	}
}
