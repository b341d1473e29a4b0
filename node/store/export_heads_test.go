package store

import "github.com/dgraph-io/badger/v4"

// HeadEntries counts the badger entries under the head prefix, every
// version of every key, deletions included.
func (s *Store) HeadEntries() (int, error) {
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.AllVersions = true
		opt.PrefetchValues = false
		opt.Prefix = []byte{prefixHead}
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}
