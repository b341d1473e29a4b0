package store

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dgraph-io/badger/v4"
)

// keyRestored marks a store written by Restore, or made empty for a data
// dir restored from its keys alone, until the node has learnt its own
// chain back from the circle (ClearRestored).
var keyRestored = key(prefixMeta, []byte("restored"))

// Backup writes a consistent copy of the whole store to w, as badger's
// backup stream: a snapshot at one moment, taken while the node runs.
// Restore reads it back.
func (s *Store) Backup(w io.Writer) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	if _, err := s.db.Backup(w, 0); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// Restore writes the store of a backup stream r (Backup) into dir, which
// must not hold a store yet, marks it restored (Restored) and closes it.
// A nil r makes an empty store, marked restored: a data dir restored from
// its keys alone.
func Restore(dir string, r io.Reader, o Options) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%w: restoring into %s, which holds files already", ErrInvalidOptions, dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	db, err := badger.Open(o.badgerOptions(dir))
	if err != nil {
		return fmt.Errorf("store: restore: opening %q: %w", dir, dirLocked(err))
	}
	if r != nil {
		if err := db.Load(r, 64); err != nil {
			return errors.Join(fmt.Errorf("%w: restore: the backup does not load: %v", ErrCorrupt, err), db.Close())
		}
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set(keyRestored, []byte{1}) }); err != nil {
		return errors.Join(fmt.Errorf("store: restore: %w", err), db.Close())
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("store: restore: closing: %w", err)
	}
	// Open checks the format and the log: a backup of another version or
	// a damaged one is refused here, not at the node's start.
	s, err := Open(dir, o)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return s.Close()
}

// Restored reports whether the store was restored from a backup (or made
// empty for a restore of the keys alone) and the node has not yet learnt
// its own chain back from the circle since.
func (s *Store) Restored() (bool, error) {
	var ok bool
	err := s.view("restored", func(txn *badger.Txn) error {
		_, found, err := get(txn, keyRestored)
		ok = found
		return err
	})
	return ok, err
}

// ClearRestored removes the mark Restore set: the node holds its own
// chain as the circle does.
func (s *Store) ClearRestored() error {
	return s.write("clear restored", func(txn *badger.Txn) error { return txn.Delete(keyRestored) }, nil)
}
