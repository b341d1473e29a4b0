package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// oldFormatError reports a data dir written by an older store format,
// which this version does not read: it wraps ErrFormat and says what to do.
type oldFormatError struct{ version byte }

func (e oldFormatError) Error() string {
	return fmt.Sprintf("store: this data dir was written by Kring store format %d; this Kring reads format %d and keeps no compatibility (no circle runs format %d in production): start a new data dir (kring init) and re-join the circle",
		e.version, formatVersion, e.version)
}

func (oldFormatError) Unwrap() error { return ErrFormat }

// load checks the layout version (writing it into a new database) and
// fills the caches from the database.
func (s *Store) load() error {
	err := s.db.Update(func(txn *badger.Txn) error {
		v, ok, err := get(txn, keyFormat)
		switch {
		case err != nil:
			return err
		case !ok:
			return txn.Set(keyFormat, []byte{formatVersion})
		case len(v) == 1 && v[0] >= 1 && v[0] < formatVersion:
			return oldFormatError{v[0]}
		case len(v) != 1 || v[0] != formatVersion:
			return fmt.Errorf("%w: version %x, this program knows %d", ErrFormat, v, formatVersion)
		}
		return nil
	})
	var old oldFormatError
	if errors.As(err, &old) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: checking the layout: %w", err)
	}
	s.tips = map[protocol.Key]trust.Tip{}
	s.heads = map[protocol.Hash]bool{}
	err = s.db.View(func(txn *badger.Txn) error {
		for _, step := range []func(*badger.Txn) error{s.loadLen, s.loadHeads, s.loadTips, s.loadPending} {
			if err := step(txn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: loading: %w", err)
	}
	return nil
}

// loadLen sets n from the last i/ key: counters are dense from 0.
func (s *Store) loadLen(txn *badger.Txn) error {
	k := last(txn, prefixIndex)
	if k == nil {
		return nil
	}
	b, err := suffix(k, 8)
	if err != nil {
		return err
	}
	n, err := uint64Of(b, "op counter")
	if err != nil {
		return err
	}
	s.n = n + 1
	return nil
}

func (s *Store) loadHeads(txn *badger.Txn) error {
	err := scan(txn, prefixHead, false, func(k, _ []byte) error {
		b, err := suffix(k, protocol.HashSize)
		if err != nil {
			return err
		}
		h, _ := hashOf(b, "head")
		s.heads[h] = true
		return nil
	})
	if err == nil && s.n > 0 && len(s.heads) == 0 {
		err = fmt.Errorf("%w: %d ops stored but no head", ErrCorrupt, s.n)
	}
	return err
}

func (s *Store) loadTips(txn *badger.Txn) error {
	return scan(txn, prefixTip, true, func(k, v []byte) error {
		b, err := suffix(k, len(protocol.Key{}))
		if err != nil {
			return err
		}
		author, _ := keyOf(b, "author")
		seq, err := uint64Of(v, "tip seq")
		if err != nil {
			return err
		}
		hs, err := bySeq(txn, author, seq)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return fmt.Errorf("%w: tip %s#%d has no op", ErrCorrupt, author.Short(), seq)
		}
		s.tips[author] = trust.Tip{Seq: seq, Hashes: hs}
		return nil
	})
}

func (s *Store) loadPending(txn *badger.Txn) error {
	err := scan(txn, prefixPendingIdx, true, func(k, v []byte) error {
		b, err := suffix(k, protocol.HashSize)
		if err != nil {
			return err
		}
		h, _ := hashOf(b, "pending hash")
		n, err := uint64Of(v, "pending counter")
		if err != nil {
			return err
		}
		s.pending = append(s.pending, pendingRef{n: n, hash: h})
		s.pendNum = max(s.pendNum, n+1)
		return nil
	})
	slices.SortFunc(s.pending, func(a, b pendingRef) int { return cmp.Compare(a.n, b.n) })
	return err
}
