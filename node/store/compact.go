package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Badger's own compactors (Options.NumCompactors ≥ 2) each wake every
// 50 ms, written to or not: in an idle circle of fifty stores they were
// most of a node's idle CPU. With NumCompactors 0 (the default) badger
// runs none, and the store compacts its tree itself, off the write path:
// every committed write wakes one goroutine, which checks level 0 and,
// once it holds compactAt tables (memtables flushed to disk), merges the
// whole tree into one level (badger's DB.Flatten). Idle, the goroutine
// sleeps on its channel and costs nothing.
//
// The price is that each compaction rewrites the whole tree rather than
// the slice of it badger's levels would: a store of S bytes rewrites S
// every compactAt memtables written, which for the stores Kring keeps
// (tens of MiB for 100,000 advisories) is less than badger's leveled
// write amplification, and grows past it only for trees of several GiB;
// and reads look through up to compactAt level-0 tables (each behind its
// bloom filter) where badger's compactors kept about five.
//
// Badger stalls memtable flushes while level 0 holds levelZeroStall
// tables, and writes once every memtable waits for its flush, so a
// compaction slower than the writes slows the writes rather than letting
// the tree grow without bound.
const (
	// compactAt is the level-0 table count that starts a compaction:
	// eight memtables' worth, so that a catch-up of 100,000 advisories
	// (about six) ends before its first compaction, which would map the
	// whole tree into memory at the catch-up's peak.
	compactAt = 8
	// levelZeroStall is the level-0 table count at which badger stalls
	// memtable flushes (NumLevelZeroTablesStall): three times compactAt,
	// as badger's own defaults (5 and 15).
	levelZeroStall = 3 * compactAt
)

// selfCompacting sets badger's tree for the store's own compaction, which
// merges level 0 into one base level below it: that level's size target
// (BaseLevelSize) is beyond any store, so that every table below level 0
// sits in the last level and a compaction is one merge of level 0 into it
// rather than a cascade through the levels between; badger's level-0
// score counts tables one by one (NumLevelZeroTables 1), so that Flatten
// never finds level 0 "full enough" to leave alone; and flushes stall at
// three times the compaction's count.
func selfCompacting(b badger.Options, at int) badger.Options {
	return b.WithBaseLevelSize(1 << 50).
		WithNumLevelZeroTables(1).
		WithNumLevelZeroTablesStall(levelZeroStall * at / compactAt)
}

// compactor is the store's own compaction: a goroutine woken after
// writes.
type compactor struct {
	wake chan struct{} // capacity 1: a wake-up pending or not
	done chan struct{} // closed when the goroutine returns
}

// startCompactor starts the store's compaction goroutine when badger runs
// no compactors of its own, and wakes it once for what the tree already
// holds.
func (s *Store) startCompactor() {
	if s.opts.NumCompactors != 0 {
		return
	}
	s.compact = &compactor{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.compactLoop()
	s.wakeCompactor()
}

// wakeCompactor has the compaction goroutine look at level 0, without
// waiting for it.
func (s *Store) wakeCompactor() {
	if s.compact == nil {
		return
	}
	select {
	case s.compact.wake <- struct{}{}:
	default:
	}
}

// stopCompactor stops the compaction goroutine, waiting for a compaction
// in progress to end. Close calls it once no write can start.
func (s *Store) stopCompactor() {
	if s.compact == nil {
		return
	}
	close(s.compact.wake)
	<-s.compact.done
}

// compactLoop compacts the tree whenever level 0 holds compactAt tables
// when it is woken, until the wake channel is closed.
func (s *Store) compactLoop() {
	defer close(s.compact.done)
	for range s.compact.wake {
		if s.levelZeroTables() < s.opts.compactAt() {
			continue
		}
		if err := s.db.Flatten(1); err != nil {
			s.logWarn("compacting the store failed; the next write tries again", fmt.Errorf("store: compacting: %w", err))
			continue
		}
		// The merge read the whole tree and wrote it anew, through mapped
		// files whose pages now count as the node's resident memory.
		if err := s.DropResident(); err != nil {
			s.logWarn("dropping the compacted tree's pages failed", err)
		}
	}
}

// levelZeroTables is the number of tables in level 0 of the tree.
func (s *Store) levelZeroTables() int {
	levels := s.db.Levels()
	if len(levels) == 0 {
		return 0
	}
	return levels[0].NumTables
}

// logWarn logs err at Warn when the store has a logger.
func (s *Store) logWarn(msg string, err error) {
	if s.opts.Logger != nil {
		s.opts.Logger.Warn(msg, "err", err)
	}
}
