package store

import (
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// pendingRef is one pending op: its p/ counter and its hash.
type pendingRef struct {
	n    uint64
	hash protocol.Hash
}

// PutPending adds op to the pending buffer, which holds ops that wait for
// their preds. When the buffer already holds Options.PendingMax ops, the
// oldest are evicted to make room and their hashes returned. Putting an op
// that is already pending does nothing. The buffer is independent of the
// stored ops: the caller deletes an op from it once the op is stored.
func (s *Store) PutPending(op *protocol.Op) (evicted []protocol.Hash, err error) {
	h := op.Hash()
	if len(op.Bytes()) == 0 {
		return nil, fmt.Errorf("store: put pending: op %s has no encoding (not from protocol.Sign or Decode)", h.Short())
	}
	var drop int
	var added bool
	err = s.write("put pending", func(txn *badger.Txn) error {
		if s.isPending(h) {
			return nil
		}
		drop = max(0, len(s.pending)+1-s.opts.PendingMax)
		for _, r := range s.pending[:drop] {
			if err := deletePending(txn, r); err != nil {
				return err
			}
			evicted = append(evicted, r.hash)
		}
		if err := txn.Set(pendingKey(s.pendNum), op.Bytes()); err != nil {
			return err
		}
		added = true
		return txn.Set(pendingIdxKey(h), be(s.pendNum))
	}, func() {
		if added {
			s.pending = append(s.pending[drop:], pendingRef{n: s.pendNum, hash: h})
			s.pendNum++
		}
	})
	if err != nil {
		return nil, err
	}
	return evicted, nil
}

// isPending reports whether h is in the buffer; the caller holds wmu or mu.
func (s *Store) isPending(h protocol.Hash) bool {
	return slices.ContainsFunc(s.pending, func(r pendingRef) bool { return r.hash == h })
}

func deletePending(txn *badger.Txn, r pendingRef) error {
	if err := txn.Delete(pendingKey(r.n)); err != nil {
		return err
	}
	return txn.Delete(pendingIdxKey(r.hash))
}

// DeletePending removes the ops with hashes hs from the pending buffer;
// hashes that are not pending are ignored.
func (s *Store) DeletePending(hs ...protocol.Hash) error {
	gone := map[protocol.Hash]bool{}
	for _, h := range hs {
		gone[h] = true
	}
	return s.write("delete pending", func(txn *badger.Txn) error {
		for _, r := range s.pending {
			if gone[r.hash] {
				if err := deletePending(txn, r); err != nil {
					return err
				}
			}
		}
		return nil
	}, func() {
		s.pending = slices.DeleteFunc(s.pending, func(r pendingRef) bool { return gone[r.hash] })
	})
}

// Pending returns the pending ops, oldest first. A pending value that does
// not decode makes it return an error wrapping ErrCorrupt.
func (s *Store) Pending() ([]*protocol.Op, error) {
	var ops []*protocol.Op
	err := s.view("pending", func(txn *badger.Txn) error {
		return scan(txn, prefixPending, true, func(k, v []byte) error {
			op, err := protocol.Decode(v)
			if err != nil {
				return fmt.Errorf("%w: pending op %x does not decode: %w", ErrCorrupt, k[2:], err)
			}
			ops = append(ops, op)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return ops, nil
}

// PendingLen returns the number of pending ops, from memory. It answers
// even after Close, with the number at Close.
func (s *Store) PendingLen() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.pending)
}
