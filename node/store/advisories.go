package store

import (
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
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading op %d of the index: %w", n, err)
			}
			e, err := parseIndexEntry(n, v)
			if err != nil {
				return err
			}
			if e.advisory {
				out = append(out, AdvisoryRef{Pos: n, Hash: e.hash})
			}
		}
		return nil
	})
	return out, err
}

// AdvisoryPos returns the stored position of advisory h, and false when
// no advisory with that hash is stored. The position is in the op's o/
// value; the i/ value at that position tells an advisory from another op.
func (s *Store) AdvisoryPos(h protocol.Hash) (uint64, bool, error) {
	var n uint64
	var ok bool
	err := s.view("advisory "+h.Short(), func(txn *badger.Txn) error {
		v, found, err := get(txn, opKey(h))
		if err != nil || !found {
			return err
		}
		l, err := parseOpLoc(h, v)
		if err != nil {
			return err
		}
		v, found, err = get(txn, indexKey(l.pos))
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: op %s holds position %d, which is not indexed", ErrCorrupt, h.Short(), l.pos)
		}
		e, err := parseIndexEntry(l.pos, v)
		if err != nil {
			return err
		}
		if e.hash != h {
			return fmt.Errorf("%w: op %s holds position %d, where op %s is indexed", ErrCorrupt, h.Short(), l.pos, e.hash.Short())
		}
		n, ok = l.pos, e.advisory
		return nil
	})
	if !ok {
		n = 0
	}
	return n, ok, err
}
