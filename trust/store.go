package trust

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kring-circle/kring/protocol"
)

// Errors returned by Store implementations.
var (
	// ErrNotFound: no op with that hash is stored.
	ErrNotFound = errors.New("trust: op not stored")
	// ErrNotClosed: an op's preds are neither stored nor earlier in the
	// same Put; the store keeps only causally closed sets.
	ErrNotClosed = errors.New("trust: op stored before its preds")
)

// Tip is an author's newest stored op: the sync protocol compares tips to
// find what a peer lacks.
type Tip struct {
	// Seq is the author's highest stored seq.
	Seq uint64
	// Hashes are the author's ops at Seq, sorted: more than one when the
	// author forked its chain there.
	Hashes []protocol.Hash
}

// Store keeps a circle's applied ops, causally closed: an op is stored only
// after its preds. The node's badger store implements it; MemStore is its
// in-memory twin, and package storetest holds the conformance test both
// pass. Implementations must be safe for concurrent use.
type Store interface {
	// Put stores ops atomically, in order: when it returns nil, all are
	// stored (durably, for a persistent store); when it returns an error,
	// none is. Each op's preds must be stored or earlier in ops, else the
	// error wraps ErrNotClosed. Ops already stored are skipped.
	Put(ops ...*protocol.Op) error
	// Get returns the op with hash h, or an error wrapping ErrNotFound.
	Get(h protocol.Hash) (*protocol.Op, error)
	// Has reports whether the op with hash h is stored.
	Has(h protocol.Hash) (bool, error)
	// BySeq returns the hashes of author's ops with that seq, sorted
	// (empty when there is none, two or more when the author forked).
	BySeq(author protocol.Key, seq uint64) ([]protocol.Hash, error)
	// Tips returns every author's newest stored ops.
	Tips() (map[protocol.Key]Tip, error)
	// Heads returns the stored ops that no stored op cites, sorted.
	Heads() ([]protocol.Hash, error)
	// Len returns the number of stored ops.
	Len() (int, error)
	// Range calls fn with every stored op in the order they were stored,
	// which is a causal order, and stops at fn's first error, returning it.
	Range(fn func(*protocol.Op) error) error
	// Close releases the store.
	Close() error
}

// Load rebuilds an engine from a store whose first op is the genesis,
// applying every stored op in stored order.
func Load(s Store) (*Engine, error) {
	var e *Engine
	err := s.Range(func(op *protocol.Op) error {
		if e == nil {
			var err error
			e, err = New(op)
			return err
		}
		return e.Apply(op)
	})
	if err != nil {
		return nil, fmt.Errorf("trust: loading store: %w", err)
	}
	if e == nil {
		return nil, fmt.Errorf("trust: loading store: %w: no genesis", ErrNotFound)
	}
	return e, nil
}

// MemStore is a Store in memory, for tests and for nodes that need no
// persistence. The zero value is not usable; call NewMemStore.
type MemStore struct {
	mu     sync.RWMutex
	ops    []*protocol.Op
	byHash map[protocol.Hash]*protocol.Op
	bySeq  map[protocol.Key]map[uint64][]protocol.Hash
	tips   map[protocol.Key]uint64
	heads  map[protocol.Hash]bool
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		byHash: map[protocol.Hash]*protocol.Op{},
		bySeq:  map[protocol.Key]map[uint64][]protocol.Hash{},
		tips:   map[protocol.Key]uint64{},
		heads:  map[protocol.Hash]bool{},
	}
}

// Put implements Store.
func (m *MemStore) Put(ops ...*protocol.Op) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	batch := map[protocol.Hash]bool{}
	var fresh []*protocol.Op
	for _, op := range ops {
		h := op.Hash()
		if m.byHash[h] != nil || batch[h] {
			continue
		}
		for _, p := range op.Preds {
			if m.byHash[p] == nil && !batch[p] {
				return fmt.Errorf("%w: %s cites %s", ErrNotClosed, op, p.Short())
			}
		}
		batch[h] = true
		fresh = append(fresh, op)
	}
	for _, op := range fresh {
		h := op.Hash()
		m.ops = append(m.ops, op)
		m.byHash[h] = op
		if m.bySeq[op.Author] == nil {
			m.bySeq[op.Author] = map[uint64][]protocol.Hash{}
		}
		m.bySeq[op.Author][op.Seq] = protocol.SortPreds(append(m.bySeq[op.Author][op.Seq], h))
		m.tips[op.Author] = max(m.tips[op.Author], op.Seq)
		for _, p := range op.Preds {
			delete(m.heads, p)
		}
		m.heads[h] = true
	}
	return nil
}

// Get implements Store.
func (m *MemStore) Get(h protocol.Hash) (*protocol.Op, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if op := m.byHash[h]; op != nil {
		return op, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, h.Short())
}

// Has implements Store.
func (m *MemStore) Has(h protocol.Hash) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byHash[h] != nil, nil
}

// BySeq implements Store.
func (m *MemStore) BySeq(author protocol.Key, seq uint64) ([]protocol.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.bySeq[author][seq]), nil
}

// Tips implements Store.
func (m *MemStore) Tips() (map[protocol.Key]Tip, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[protocol.Key]Tip, len(m.tips))
	for k, seq := range m.tips {
		out[k] = Tip{Seq: seq, Hashes: slices.Clone(m.bySeq[k][seq])}
	}
	return out, nil
}

// Heads implements Store.
func (m *MemStore) Heads() ([]protocol.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]protocol.Hash, 0, len(m.heads))
	for h := range m.heads {
		out = append(out, h)
	}
	return protocol.SortPreds(out), nil
}

// Len implements Store.
func (m *MemStore) Len() (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.ops), nil
}

// Range implements Store. Ops stored while Range runs may or may not be
// visited.
func (m *MemStore) Range(fn func(*protocol.Op) error) error {
	m.mu.RLock()
	ops := m.ops[:len(m.ops):len(m.ops)]
	m.mu.RUnlock()
	for _, op := range ops {
		if err := fn(op); err != nil {
			return err
		}
	}
	return nil
}

// Close implements Store.
func (m *MemStore) Close() error { return nil }
