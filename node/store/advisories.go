package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// prefixAdvisory is the prefix of the advisory index, v/<n> -> hash of the
// advisory stored n-th; doc.go describes the layout. An advisory's position
// is read from its o/ value (AdvisoryPos).
const prefixAdvisory = 'v'

func advisoryKey(n uint64) []byte { return key(prefixAdvisory, be(n)) }

// AdvisoryRef locates one stored advisory op.
type AdvisoryRef struct {
	// Pos is the op's stored position: the counter Range visits it at
	// (0 for the first op stored, the genesis).
	Pos uint64
	// Hash is the op's hash.
	Hash protocol.Hash
}

// stageAdvisory indexes the advisory h, stored at position n, in txn.
func stageAdvisory(txn *badger.Txn, n uint64, h protocol.Hash) error {
	return txn.Set(advisoryKey(n), h[:])
}

// Advisories returns, in stored order, at most limit stored advisory ops
// whose position is from or later. Every advisory op is indexed, void
// ones included: judging whether one counts is the caller's business.
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

// advisories reads the index from position at, forward or backward.
func (s *Store) advisories(at uint64, limit int, backward bool) ([]AdvisoryRef, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []AdvisoryRef
	err := s.view(fmt.Sprintf("advisories from %d", at), func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = prefix(prefixAdvisory)
		opt.Reverse = backward
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Seek(advisoryKey(at)); it.Valid() && len(out) < limit; it.Next() {
			b, err := suffix(it.Item().Key(), 8)
			if err != nil {
				return err
			}
			n, _ := uint64Of(b, "advisory position")
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading advisory %d: %w", n, err)
			}
			h, err := hashOf(v, fmt.Sprintf("hash of advisory %d", n))
			if err != nil {
				return err
			}
			out = append(out, AdvisoryRef{Pos: n, Hash: h})
		}
		return nil
	})
	return out, err
}

// AdvisoryPos returns the stored position of advisory h, and false when
// no advisory with that hash is stored. The position leads the op's o/
// value; the advisory index at that position tells an advisory from
// another op.
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
		v, found, err := get(txn, advisoryKey(n))
		if err != nil || !found {
			return err
		}
		at, err := hashOf(v, fmt.Sprintf("hash of advisory %d", n))
		if err != nil {
			return err
		}
		if at != h {
			return fmt.Errorf("%w: op %s holds position %d, where advisory %s is indexed", ErrCorrupt, h.Short(), n, at.Short())
		}
		ok = true
		return nil
	})
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
