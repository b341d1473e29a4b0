package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// Range reads ops in chunks of at most rangeChunkOps ops or about
// rangeChunkBytes bytes, so that no badger transaction or lock is held while
// fn runs.
const (
	rangeChunkOps   = 256
	rangeChunkBytes = 1 << 20
)

// Range implements trust.Store: it visits the ops stored when it starts, in
// the order they were stored (the i/ counter), and returns fn's first error
// as is. Ops stored while Range runs are not visited. fn may call any
// method of the store, Put and Close included.
func (s *Store) Range(fn func(*protocol.Op) error) error {
	end, err := s.Len()
	if err != nil {
		return err
	}
	for next := uint64(0); next < uint64(end); {
		ops, err := s.chunk(next, uint64(end))
		if err != nil {
			return err
		}
		for _, op := range ops {
			if err := fn(op); err != nil {
				return err
			}
		}
		next += uint64(len(ops))
	}
	return nil
}

// chunk reads the ops stored with counters from, from+1, ... below end.
func (s *Store) chunk(from, end uint64) ([]*protocol.Op, error) {
	var ops []*protocol.Op
	err := s.view(fmt.Sprintf("range from op %d", from), func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.Prefix = prefix(prefixIndex)
		it := txn.NewIterator(opt)
		defer it.Close()
		size := 0
		want := from
		for it.Seek(indexKey(from)); it.Valid() && want < end; it.Next() {
			if len(ops) == rangeChunkOps || size >= rangeChunkBytes {
				break
			}
			b, err := suffix(it.Item().Key(), 8)
			if err != nil {
				return err
			}
			if n, _ := uint64Of(b, "op counter"); n != want {
				return fmt.Errorf("%w: op counter %d where %d belongs", ErrCorrupt, n, want)
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("reading op %d: %w", want, err)
			}
			e, err := parseIndexEntry(want, v)
			if err != nil {
				return err
			}
			raw, ok, err := get(txn, e.seqKey())
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: op %d (%s) is indexed but not stored", ErrCorrupt, want, e.hash.Short())
			}
			op, err := decodeOp(e.hash, raw)
			if err != nil {
				return err
			}
			ops = append(ops, op)
			size += len(raw)
			want++
		}
		if len(ops) == 0 {
			return fmt.Errorf("%w: op %d is missing from the index", ErrCorrupt, from)
		}
		return nil
	})
	return ops, err
}
