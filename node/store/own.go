package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// SetOutstanding durably keeps op, an op of this node's own that it signed
// and is about to hand to another node before it can store it itself (a
// newcomer's Admit enactment, whose past it does not hold yet). Unlike the
// pending buffer, nothing evicts it: until ClearOutstanding, the node knows
// that its seq is taken, even after a crash.
func (s *Store) SetOutstanding(op *protocol.Op) error {
	if len(op.Bytes()) == 0 {
		return fmt.Errorf("store: set outstanding: op %s has no encoding", op.Hash().Short())
	}
	return s.write("set outstanding", func(txn *badger.Txn) error {
		s.noteValue(op.Bytes())
		return txn.Set(keyOwn, op.Bytes())
	}, nil)
}

// Outstanding returns the op kept by SetOutstanding, or nil.
func (s *Store) Outstanding() (*protocol.Op, error) {
	var op *protocol.Op
	err := s.view("outstanding", func(txn *badger.Txn) error {
		v, ok, err := get(txn, keyOwn)
		if err != nil || !ok {
			return err
		}
		if op, err = protocol.Decode(v); err != nil {
			return fmt.Errorf("%w: outstanding op: %v", ErrCorrupt, err)
		}
		return nil
	})
	return op, err
}

// ClearOutstanding forgets the op kept by SetOutstanding: it is stored, or
// every node refused it for good.
func (s *Store) ClearOutstanding() error {
	return s.write("clear outstanding", func(txn *badger.Txn) error {
		return txn.Delete(keyOwn)
	}, nil)
}
