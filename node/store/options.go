package store

import (
	"fmt"
	"log/slog"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

const (
	// minMemTableSize keeps a largest op (protocol.MaxOpSize) within one
	// badger transaction, which may fill 15% of a memtable.
	minMemTableSize = 8 << 20
	// minValueLogFileSize and maxValueLogFileSize are badger's bounds.
	minValueLogFileSize = 1 << 20
	maxValueLogFileSize = 2<<30 - 1
)

// Options configures a Store. Start from DefaultOptions or
// DefaultLocalOptions and change what you need; Open calls Validate.
type Options struct {
	// InMemory keeps everything in memory (badger's in-memory mode):
	// nothing is written to disk and nothing survives Close. Open's dir
	// must then be empty.
	InMemory bool
	// SyncWrites makes every write but PutVisible wait for the store to
	// sync badger's logs, so that an acknowledged write survives kill -9
	// and power loss; a PutVisible is synced by Sync or the next write.
	// Without it a crash of the machine may lose the last writes.
	SyncWrites bool
	// MemTableSize is the size in bytes of each memtable; one transaction
	// (one Put) may use 15% of it. At least 8 MiB.
	MemTableSize int64
	// NumMemtables is how many memtables badger keeps before it stalls
	// writes to flush them. At least 1.
	NumMemtables int
	// BlockCacheSize is the size in bytes of the cache of table blocks.
	// Positive. The store writes its tables uncompressed (see
	// uncompressedTables), so the cache saves little on them; it serves
	// the compressed tables of a store written before, until a compaction
	// rewrites them.
	BlockCacheSize int64
	// IndexCacheSize is the size in bytes of the cache of table indexes and
	// bloom filters; 0 keeps them all in memory.
	IndexCacheSize int64
	// NumCompactors is how many of badger's goroutines compact the tree:
	// 0, the default, runs none and has the store compact the tree itself
	// after writes (see compact.go: badger's compactors wake every 50 ms
	// even when idle); otherwise at least 2.
	NumCompactors int
	// ValueLogFileSize is the size in bytes of each value log file, from
	// 1 MiB up to 2 GiB.
	ValueLogFileSize int64
	// PendingMax bounds the pending buffer: PutPending evicts the oldest
	// pending op when it is full. At least 1.
	PendingMax int
	// Logger receives badger's log lines: its info and debug lines at
	// Debug, its warnings at Warn and its errors at Error. Nil discards
	// them.
	Logger *slog.Logger

	// levelZero, when positive, replaces compactAt (and levelZeroStall by
	// three times it), so that tests reach a compaction with few writes.
	levelZero int
	// compressed has badger compress the tables it writes, as the store
	// did before it wrote them uncompressed, so that tests can build
	// such a store.
	compressed bool
}

// DefaultOptions returns options for a member daemon: durable writes and
// caches sized for a small circle (tens of MiB, not badger's hundreds).
// The block cache is small: the engine reads the log once, at start, and
// the API reads an advisory when asked; a cache that a start fills stays
// resident for nothing.
func DefaultOptions() Options {
	return Options{
		SyncWrites:       true,
		MemTableSize:     16 << 20,
		NumMemtables:     3,
		BlockCacheSize:   8 << 20,
		IndexCacheSize:   16 << 20,
		NumCompactors:    0,
		ValueLogFileSize: 64 << 20,
		PendingMax:       4096,
	}
}

// DefaultLocalOptions returns fast options for tests: in memory, no syncs,
// the smallest memtables.
func DefaultLocalOptions() Options {
	o := DefaultOptions()
	o.InMemory = true
	o.SyncWrites = false
	o.MemTableSize = minMemTableSize
	o.NumMemtables = 2
	o.BlockCacheSize = 4 << 20
	o.IndexCacheSize = 0
	return o
}

// Validate reports the first field out of range, as an error wrapping
// ErrInvalidOptions.
func (o Options) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...))
	}
	switch {
	case o.MemTableSize < minMemTableSize:
		return bad("MemTableSize %d is under %d", o.MemTableSize, minMemTableSize)
	case o.NumMemtables < 1:
		return bad("NumMemtables %d is under 1", o.NumMemtables)
	case o.BlockCacheSize <= 0:
		return bad("BlockCacheSize %d is not positive", o.BlockCacheSize)
	case o.IndexCacheSize < 0:
		return bad("IndexCacheSize %d is negative", o.IndexCacheSize)
	case o.NumCompactors < 0 || o.NumCompactors == 1:
		return bad("NumCompactors %d is neither 0 nor at least 2", o.NumCompactors)
	case o.ValueLogFileSize < minValueLogFileSize || o.ValueLogFileSize > maxValueLogFileSize:
		return bad("ValueLogFileSize %d is outside [%d, %d]", o.ValueLogFileSize, minValueLogFileSize, maxValueLogFileSize)
	case o.PendingMax < 1:
		return bad("PendingMax %d is under 1", o.PendingMax)
	}
	return nil
}

// compactAt is the level-0 table count at which the tree is compacted.
func (o Options) compactAt() int {
	if o.levelZero > 0 {
		return o.levelZero
	}
	return compactAt
}

// uncompressedTables: the store writes badger's tables without
// compression. A sync range answer reads each op by its hash, a key at a
// random place in the tree, and so one block per op; with compressed
// tables each read decompressed a whole block into a cache (BlockCacheSize)
// far smaller than a log of 100,000 ops, which it evicted from again. An
// uncompressed block is read in place from the mapped table. A catch-up
// of 100,000 advisories spent about 3 µs per op of the serving node's CPU
// decompressing and 1.5 µs of the receiving node's compressing memtable
// flushes. The price is disk: small advisories (random hashes, keys and
// signatures) hardly compressed, but 1 KiB JSON documents took about 1.8
// MiB per 1,000 advisories rather than 1.0. Badger records each table's
// compression in its manifest, so the compressed tables of a store
// written before are read as they are and rewritten uncompressed by the
// next compaction.
const uncompressedTables = options.None

// compression is the compression of the tables badger writes.
func (o Options) compression() options.CompressionType {
	if o.compressed {
		return options.Snappy
	}
	return uncompressedTables
}

// badgerOptions translates o for a database in dir.
func (o Options) badgerOptions(dir string) badger.Options {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Writers are serialised by Store.wmu, so badger's conflict detection
	// would find nothing.
	b := badger.DefaultOptions(dir).
		WithInMemory(o.InMemory).
		WithSyncWrites(false). // the Store syncs (see syncLocked)
		WithValueThreshold(valueLogThreshold).
		WithMemTableSize(o.MemTableSize).
		WithNumMemtables(o.NumMemtables).
		WithBlockCacheSize(o.BlockCacheSize).
		WithIndexCacheSize(o.IndexCacheSize).
		WithNumCompactors(o.NumCompactors).
		WithValueLogFileSize(o.ValueLogFileSize).
		WithCompression(o.compression()).
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithLogger(slogAdapter{logger})
	if o.NumCompactors == 0 {
		b = selfCompacting(b, o.compactAt())
	}
	return b
}
