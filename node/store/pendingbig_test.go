package store_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// bigOps returns n advisories of about size bytes each, by one author.
func bigOps(t *testing.T, n, size int) []*protocol.Op {
	t.Helper()
	c := chains(t, 0, "A")
	pad := bytes.Repeat([]byte{'x'}, size)
	for i := range n {
		if _, err := c.Do("A", &protocol.Advisory{Title: fmt.Sprint("big ", i), TLP: protocol.TLPGreen, Content: pad}); err != nil {
			t.Fatalf("advising: %v", err)
		}
	}
	return c.Ops[1:]
}

// TestPutPendingSplitsTheWrite parks in one PutPending more ops than one
// badger transaction of the smallest memtable holds (600 ops of 8.9 KB,
// as the review saw them fail with ErrTxnTooBig): the write must succeed,
// every op must be readable, and the buffer's bound must hold, evicting
// the oldest.
func TestPutPendingSplitsTheWrite(t *testing.T) {
	ops := bigOps(t, 600, 8900)
	if size := len(ops[0].Bytes()); size < 8900 {
		t.Fatalf("an op is %d bytes, want at least 8900", size)
	}

	s := open(t, "", store.DefaultLocalOptions())
	evicted, err := s.PutPending(ops...)
	if err != nil {
		t.Fatalf("PutPending of %d ops of %d bytes: %v", len(ops), len(ops[0].Bytes()), err)
	}
	if len(evicted) != 0 {
		t.Fatalf("PutPending under the bound evicted %d ops", len(evicted))
	}
	checkPending(t, s, ops...)

	o := store.DefaultLocalOptions()
	o.PendingMax = 500
	s = open(t, "", o)
	evicted, err = s.PutPending(ops...)
	if err != nil {
		t.Fatalf("PutPending of %d ops over a bound of %d: %v", len(ops), o.PendingMax, err)
	}
	if !slices.Equal(evicted, hashes(ops[:100])) {
		t.Fatalf("PutPending evicted %d ops, want the oldest 100", len(evicted))
	}
	checkPending(t, s, ops[100:]...)
}
