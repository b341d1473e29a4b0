package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// AdvisoryRef locates one stored advisory op.
type AdvisoryRef struct {
	// Pos is the op's stored position: the counter Range visits it at
	// (0 for the first op stored, the genesis).
	Pos uint64
	// Hash is the op's hash.
	Hash protocol.Hash
}

// Advisories returns, in stored order, at most limit stored advisory ops
// whose position is from or later. Every advisory op is indexed, void
// ones included: judging whether one counts is the caller's business.
// It reads the i/ keys from from on, passing over the ops that are not
// advisories (their i/ values say which are).
func (s *Store) Advisories(from uint64, limit int) ([]AdvisoryRef, error) {
	return s.advisories(from, limit, false)
}

// AdvisoriesBefore returns, newest first, at most limit stored advisory
// ops whose position is below before; void ones are included, as in
// Advisories.
func (s *Store) AdvisoriesBefore(before uint64, limit int) ([]AdvisoryRef, error) {
	if before == 0 {
		return nil, nil
	}
	return s.advisories(before-1, limit, true)
}

// advisories reads the i/ index from position at, forward or backward,
// and keeps the ops flagged as advisories.
func (s *Store) advisories(at uint64, limit int, backward bool) ([]AdvisoryRef, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []AdvisoryRef
	err := s.view(fmt.Sprintf("advisories from %d", at), func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = prefix(prefixIndex)
		opt.Reverse = backward
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Seek(indexKey(at)); it.Valid() && len(out) < limit; it.Next() {
			b, err := suffix(it.Item().Key(), 8)
			if err != nil {
				return err
			}
			n, _ := uint64Of(b, "op counter")
			var h protocol.Hash
			var advisory bool
			err = it.Item().Value(func(v []byte) error {
				var err error
				h, advisory, err = parseIndexValue(n, v)
				return err
			})
			if err != nil {
				return fmt.Errorf("reading op %d of the index: %w", n, err)
			}
			if advisory {
				out = append(out, AdvisoryRef{Pos: n, Hash: h})
			}
		}
		return nil
	})
	return out, err
}

// AdvisoryPos returns the stored position of advisory h, and false when
// no advisory with that hash is stored. The position leads the op's o/
// value; the i/ value at that position tells an advisory from another op.
func (s *Store) AdvisoryPos(h protocol.Hash) (uint64, bool, error) {
	var n uint64
	var ok bool
	err := s.view("advisory "+h.Short(), func(txn *badger.Txn) error {
		var found bool
		var err error
		n, found, err = opPos(txn, h)
		if err != nil || !found {
			return err
		}
		v, found, err := get(txn, indexKey(n))
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: op %s holds position %d, which is not indexed", ErrCorrupt, h.Short(), n)
		}
		at, advisory, err := parseIndexValue(n, v)
		if err != nil {
			return err
		}
		if at != h {
			return fmt.Errorf("%w: op %s holds position %d, where op %s is indexed", ErrCorrupt, h.Short(), n, at.Short())
		}
		ok = advisory
		return nil
	})
	if !ok {
		n = 0
	}
	return n, ok, err
}

// opPos reads the stored position of op h from its o/ value, copying no
// more of the value than the position.
func opPos(txn *badger.Txn, h protocol.Hash) (uint64, bool, error) {
	item, err := txn.Get(opKey(h))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading op %s: %w", h.Short(), err)
	}
	var n uint64
	err = item.Value(func(v []byte) error {
		var err error
		n, _, err = splitOpValue(h, v)
		return err
	})
	return n, err == nil, err
}
