package store_test

import (
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// checkPending fails unless the pending buffer holds want, oldest first.
func checkPending(t *testing.T, s *store.Store, want ...*protocol.Op) {
	t.Helper()
	got, err := s.Pending()
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	if !slices.Equal(hashes(got), hashes(want)) || s.PendingLen() != len(want) {
		t.Fatalf("Pending = %v (PendingLen %d), want %v", hashes(got), s.PendingLen(), hashes(want))
	}
}

// putPending adds op and fails unless exactly want were evicted.
func putPending(t *testing.T, s *store.Store, op *protocol.Op, want ...*protocol.Op) {
	t.Helper()
	evicted, err := s.PutPending(op)
	if err != nil {
		t.Fatalf("PutPending(%s): %v", op, err)
	}
	if !slices.Equal(evicted, hashes(want)) {
		t.Fatalf("PutPending(%s) evicted %v, want %v", op, evicted, hashes(want))
	}
}

func TestPendingBound(t *testing.T) {
	dir := t.TempDir()
	o := diskOptions()
	o.PendingMax = 3
	ops := chains(t, 7, "A").Ops[1:]
	s, err := store.Open(dir, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	checkPending(t, s)
	putPending(t, s, ops[0])
	putPending(t, s, ops[1])
	putPending(t, s, ops[2])
	putPending(t, s, ops[1]) // already pending: nothing changes
	checkPending(t, s, ops[0], ops[1], ops[2])
	putPending(t, s, ops[3], ops[0])
	putPending(t, s, ops[4], ops[1])
	checkPending(t, s, ops[2], ops[3], ops[4])

	var absent protocol.Hash
	if err := s.DeletePending(ops[3].Hash(), absent); err != nil {
		t.Fatalf("DeletePending: %v", err)
	}
	checkPending(t, s, ops[2], ops[4])
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// The order and the bound survive a restart.
	s = open(t, dir, o)
	checkPending(t, s, ops[2], ops[4])
	putPending(t, s, ops[5])
	putPending(t, s, ops[6], ops[2])
	checkPending(t, s, ops[4], ops[5], ops[6])
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// A smaller bound evicts every op over it at the next PutPending.
	o.PendingMax = 1
	s = open(t, dir, o)
	putPending(t, s, ops[0], ops[4], ops[5], ops[6])
	checkPending(t, s, ops[0])
}
