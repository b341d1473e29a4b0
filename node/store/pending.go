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

// PutPending adds ops to the pending buffer, which holds ops that wait for
// their preds. When the buffer would hold more than Options.PendingMax ops,
// the oldest are evicted to make room and their hashes returned. Putting an
// op that is already pending does nothing. The buffer is independent of the
// stored ops: the caller deletes an op from it once the op is stored.
//
// The ops are written in order, in badger transactions of at most
// pendingWriteBytes (or one op), so that any number of them fits: the
// buffer needs no atomicity across ops. If a write fails, the ops of the
// earlier writes stay pending and the hashes they evicted are returned with
// the error; putting the same ops again is safe.
func (s *Store) PutPending(ops ...*protocol.Op) (evicted []protocol.Hash, err error) {
	for _, op := range ops {
		if len(op.Bytes()) == 0 {
			return nil, fmt.Errorf("store: put pending: op %s has no encoding (not from protocol.Sign or Decode)", op.Hash().Short())
		}
	}
	limit := s.pendingWriteBytes()
	for rest := ops; len(rest) > 0; {
		n, size := 0, 0
		for n < len(rest) && (n == 0 || size+pendingEntryBytes(rest[n]) <= limit) {
			size += pendingEntryBytes(rest[n])
			n++
		}
		ev, err := s.putPending(rest[:n])
		evicted = append(evicted, ev...)
		if err != nil {
			return evicted, err
		}
		rest = rest[n:]
	}
	return evicted, nil
}

// pendingWriteBytes bounds the bytes of one pending-buffer write: a third
// of what badger lets one transaction hold (15% of a memtable), leaving
// room for the deletes of evicted ops. A largest op fits alone (see
// minMemTableSize).
func (s *Store) pendingWriteBytes() int { return int(s.opts.MemTableSize / 20) }

// pendingEntryBytes is what putting op costs a transaction: its encoding,
// its two keys and the evictions it may cause.
func pendingEntryBytes(op *protocol.Op) int { return len(op.Bytes()) + 128 }

// putPending writes ops to the pending buffer in one transaction.
func (s *Store) putPending(ops []*protocol.Op) (evicted []protocol.Hash, err error) {
	var next []pendingRef
	var num uint64
	err = s.write(fmt.Sprintf("put of %d pending ops", len(ops)), func(txn *badger.Txn) error {
		evicted = nil
		next, num = slices.Clone(s.pending), s.pendNum
		in := make(map[protocol.Hash]bool, len(next))
		for _, r := range next {
			in[r.hash] = true
		}
		for _, op := range ops {
			h := op.Hash()
			if in[h] {
				continue
			}
			in[h] = true
			for len(next) > 0 && len(next) >= s.opts.PendingMax {
				if err := deletePending(txn, next[0]); err != nil {
					return err
				}
				evicted = append(evicted, next[0].hash)
				next = next[1:]
			}
			s.noteValue(op.Bytes())
			if err := txn.Set(pendingKey(num), op.Bytes()); err != nil {
				return err
			}
			if err := txn.Set(pendingIdxKey(h), be(num)); err != nil {
				return err
			}
			next = append(next, pendingRef{n: num, hash: h})
			num++
		}
		return nil
	}, func() {
		s.pending, s.pendNum = next, num
	})
	if err != nil {
		return nil, err
	}
	return evicted, nil
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
