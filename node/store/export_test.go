package store

import (
	"log/slog"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// PutRaw writes value under key directly, bypassing every check, so that
// tests can corrupt a database.
func (s *Store) PutRaw(key, value []byte) error {
	return s.write("raw write", func(txn *badger.Txn) error { return txn.Set(key, value) }, nil)
}

// Keys of the layout, for PutRaw.
var (
	OpKey      = opKey
	IndexKey   = indexKey
	SeqKey     = seqKey
	TipKey     = tipKey
	BlockKey   = blockKey
	AddrKey    = addrKey
	PendingKey = pendingKey
	FormatKey  = keyFormat
)

// PendingCounter returns the p/ counter of the pending op h.
func (s *Store) PendingCounter(h protocol.Hash) (uint64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.pending {
		if r.hash == h {
			return r.n, true
		}
	}
	return 0, false
}

// BadgerLogger is the adapter Open gives badger.
func BadgerLogger(l *slog.Logger) badger.Logger { return slogAdapter{l} }

// PutRawVisible is PutRaw left unsynced, as PutVisible leaves a write.
func (s *Store) PutRawVisible(key, value []byte) error {
	return s.writeThen("raw write", func(txn *badger.Txn) error {
		s.noteValue(value)
		return txn.Set(key, value)
	}, nil, false)
}

// WithLevelZero returns o compacting at n level-0 tables (and stalling
// flushes at 3n), so that a test reaches compactions with few writes.
func WithLevelZero(o Options, n int) Options {
	o.levelZero = n
	return o
}

// WithCompressedTables returns o writing compressed tables, as the store
// did before it wrote them uncompressed.
func WithCompressedTables(o Options) Options {
	o.compressed = true
	return o
}

// TableSizes returns, for each table of the tree, its size on disk and the
// size of its blocks before compression: a compressed table of
// compressible data is smaller on disk, an uncompressed one larger (it
// adds its index).
func (s *Store) TableSizes() (onDisk, blocks []int) {
	for _, t := range s.db.Tables() {
		onDisk = append(onDisk, int(t.OnDiskSize))
		blocks = append(blocks, int(t.UncompressedSize))
	}
	return onDisk, blocks
}

// Tables returns the number of tables in level 0 of the tree and in the
// levels below it.
func (s *Store) Tables() (levelZero, below int) {
	for _, l := range s.db.Levels() {
		if l.Level == 0 {
			levelZero += l.NumTables
		} else {
			below += l.NumTables
		}
	}
	return levelZero, below
}

// GetRaw reads the value under key directly.
func (s *Store) GetRaw(key []byte) ([]byte, bool, error) {
	var v []byte
	var ok bool
	err := s.view("raw read", func(txn *badger.Txn) error {
		var err error
		v, ok, err = get(txn, key)
		return err
	})
	return v, ok, err
}

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

// KeysByPrefix counts the live keys of the store by their prefix byte.
func (s *Store) KeysByPrefix() (map[byte]int, error) {
	n := map[byte]int{}
	err := s.db.View(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.PrefetchValues = false
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n[it.Item().Key()[0]]++
		}
		return nil
	})
	return n, err
}
