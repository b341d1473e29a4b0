package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Store is a trust.Store on badger, with the node's own durable state
// beside the ops (next seq, pending buffer, local blocks, address book).
// It is safe for concurrent use: writes are serialised, reads are not.
// Tips, Heads, Len and PendingLen reflect every write that has returned;
// Get and Has may find an op a moment before its Put returns. The zero
// value is not usable; call Open.
type Store struct {
	db   *badger.DB
	opts Options
	dir  string

	// life is held for reading by every call that uses db and for writing
	// by Close, so that db is never used after it is closed.
	life   sync.RWMutex
	closed bool

	// compact is the store's own compaction, nil while badger's
	// compactors run (Options.NumCompactors).
	compact *compactor

	// wmu serialises writers: each reads the caches below, writes one
	// badger transaction, then updates the caches.
	wmu sync.Mutex
	// unsynced, under wmu, is set while a write has returned without its
	// sync (PutVisible): the next write or Sync syncs first. bigValue,
	// under wmu, is set while the transaction being written holds a value
	// that badger keeps in its value log (see syncLogs).
	unsynced bool
	bigValue bool
	// syncs counts the syncs that reached the disk (Syncs).
	syncs atomic.Uint64

	// mu guards the caches, which mirror the database after every
	// committed write. Writers hold wmu, then mu only to update them.
	mu      sync.RWMutex
	n       uint64 // stored ops, and the next i/ counter
	tips    map[protocol.Key]trust.Tip
	heads   map[protocol.Hash]bool
	pending []pendingRef // oldest first
	pendNum uint64       // the next p/ counter
}

var _ trust.Store = (*Store)(nil)

// Open opens (creating it if need be) the store in directory dir, or an
// in-memory store when o.InMemory is set and dir is empty. It validates o,
// checks the data layout, and loads tips, heads, Len and the pending order
// into memory. Errors wrap ErrInvalidOptions, ErrFormat, ErrCorrupt or
// ErrInUse (another process, or another Store, holds dir), or badger's
// error.
func Open(dir string, o Options) (*Store, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	switch {
	case o.InMemory && dir != "":
		return nil, fmt.Errorf("%w: dir %q given for an in-memory store", ErrInvalidOptions, dir)
	case !o.InMemory && dir == "":
		return nil, fmt.Errorf("%w: no dir given", ErrInvalidOptions)
	}
	if !o.InMemory {
		removed, err := removeEmptyLogs(dir)
		if err != nil {
			return nil, err
		}
		if len(removed) > 0 && o.Logger != nil {
			o.Logger.Warn("removed empty badger files a crash left behind", "files", removed)
		}
	}
	db, err := badger.Open(o.badgerOptions(dir))
	if err != nil {
		return nil, fmt.Errorf("store: opening %q: %w", dir, dirLocked(err))
	}
	s := &Store{db: db, opts: o, dir: dir}
	if err := s.load(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.startCompactor()
	return s, nil
}

// Close flushes and closes the database. It waits for calls in progress
// and for a compaction of the tree in progress; later calls return
// ErrClosed. Closing a closed store does nothing.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopCompactor()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: closing: %w", err)
	}
	return nil
}

// acquire pins the database open until release; it fails once closed.
func (s *Store) acquire() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) release() { s.life.RUnlock() }

// view runs fn in a read transaction of the open database; its errors are
// wrapped as "store: what: ...".
func (s *Store) view(what string, fn func(txn *badger.Txn) error) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	if err := s.db.View(fn); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// write runs fn in a write transaction under wmu and commits it; after a
// commit, done (if not nil) runs, still under wmu and under mu, to update
// the caches. With SyncWrites the write is synced before write returns.
// Errors are wrapped as "store: what: ...", and badger's ErrTxnTooBig also
// as ErrTooBig.
func (s *Store) write(what string, fn func(txn *badger.Txn) error, done func()) error {
	return s.writeThen(what, fn, done, true)
}

// writeThen is write, which syncs only when synced is set or the
// transaction held a value of badger's value log (a later Sync would miss
// it if badger started a new value log file after it).
func (s *Store) writeThen(what string, fn func(txn *badger.Txn) error, done func(), synced bool) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.commit(what, fn, done); err != nil {
		return err
	}
	if !synced && !s.bigValue {
		return nil
	}
	return s.syncLocked(what)
}

// commit is write without the sync that ends it; the caller holds wmu. A
// write left unsynced before it is synced first: badger's Sync reaches
// only its newest memtable's log, and this write may start a new one.
func (s *Store) commit(what string, fn func(txn *badger.Txn) error, done func()) error {
	if err := s.syncLocked(what); err != nil {
		return err
	}
	s.bigValue = false
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(txn); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("store: %s: %w: %w", what, ErrTooBig, err)
		}
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("store: %s: committing: %w", what, err)
	}
	s.unsynced = s.opts.SyncWrites
	s.wakeCompactor()
	if done != nil {
		s.mu.Lock()
		done()
		s.mu.Unlock()
	}
	return nil
}

// get returns a copy of key's value, and whether key exists.
func get(txn *badger.Txn, key []byte) ([]byte, bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %q: %w", key, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("reading %q: %w", key, err)
	}
	return v, true, nil
}

// exists reports whether key exists.
func exists(txn *badger.Txn, key []byte) (bool, error) {
	_, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %q: %w", key, err)
	}
	return true, nil
}

// scan calls fn with every key of prefix p in order, and its value when
// values is set, stopping at fn's first error.
func scan(txn *badger.Txn, p byte, values bool, fn func(k, v []byte) error) error {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = prefix(p)
	opt.PrefetchValues = values
	it := txn.NewIterator(opt)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		var v []byte
		if values {
			var err error
			if v, err = item.ValueCopy(nil); err != nil {
				return fmt.Errorf("reading %q: %w", item.Key(), err)
			}
		}
		if err := fn(item.KeyCopy(nil), v); err != nil {
			return err
		}
	}
	return nil
}

// last returns the last key of prefix p, or nil when there is none.
func last(txn *badger.Txn, p byte) []byte {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = prefix(p)
	opt.PrefetchValues = false
	opt.Reverse = true
	it := txn.NewIterator(opt)
	defer it.Close()
	it.Seek(lastKey(p))
	if !it.Valid() {
		return nil
	}
	return it.Item().KeyCopy(nil)
}
