package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// valueLogThreshold is the value size from which badger keeps a value in
// its value log instead of the memtable and its write-ahead log: badger's
// largest threshold, which badgerOptions sets. Only an op within 8 bytes
// of protocol.MaxOpSize reaches it (its value adds its 8-byte position).
const valueLogThreshold = 1 << 20

// PutVisible stores ops as Put does, atomically, but returns before the
// write is synced: readers see the ops at once, and the write becomes
// durable at the next Sync, or at the next write of any kind, which syncs
// it first. A crash of the machine (not of the process: the kernel keeps
// what was written) before then may lose these ops and nothing written
// before them. Without SyncWrites it is Put.
func (s *Store) PutVisible(ops ...*protocol.Op) error {
	return s.put(ops, false, 0)
}

// PutVisibleOwn is PutVisible for a write that holds this node's own op
// with seq next-1: the same write saves next as the lowest seq not yet
// reserved (as SetNextSeq does, refusing with ErrSeqRewind to lower it),
// so the seq and the op become durable together, at the one sync that
// follows, and never one without the other.
func (s *Store) PutVisibleOwn(next uint64, ops ...*protocol.Op) error {
	if next == 0 {
		return fmt.Errorf("store: put of %d own ops: %w: next seq 0", len(ops), ErrSeqRewind)
	}
	return s.put(ops, false, next)
}

// Syncs returns how many times the store has synced its writes to disk
// since it opened: each is a wait on the disk that a write or Sync paid.
func (s *Store) Syncs() uint64 { return s.syncs.Load() }

// Unsynced reports whether a write has returned without its sync
// (PutVisible) and no Sync or later write has synced it yet.
func (s *Store) Unsynced() bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.unsynced
}

// Sync makes every write that has returned durable. Without SyncWrites,
// and when nothing is unsynced, it does nothing.
func (s *Store) Sync() error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.syncLocked("sync")
}

// syncLocked syncs the unsynced write, if any; the caller holds wmu.
// badger's Sync syncs its newest memtable's log and its newest value log
// file; a write holding a value-log value may have filled that file and
// started another, so the value log files are then synced one by one.
func (s *Store) syncLocked(what string) error {
	if !s.unsynced {
		return nil
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: %s: syncing: %w", what, err)
	}
	if s.bigValue {
		if err := syncValueLogs(s.dir); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
	}
	s.unsynced, s.bigValue = false, false
	s.syncs.Add(1)
	return nil
}

// noteValue records, under wmu, that the transaction being written holds
// v, which badger keeps in its value log when it is large.
func (s *Store) noteValue(v []byte) {
	if len(v) >= valueLogThreshold {
		s.bigValue = true
	}
}

// syncValueLogs syncs every value log file of dir. A file badger removed
// meanwhile held nothing that needed it.
func syncValueLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading %q: %w", dir, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".vlog") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("syncing %s: %w", e.Name(), err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("syncing %s: %w", e.Name(), err)
		}
	}
	return nil
}
