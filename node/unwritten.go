package node

import (
	"cmp"
	"slices"
	"sync"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// unwritten holds the ops of the commit being written: members see them
// (the State counts them, reads return them) from before their store
// write until it returns, and the reads of reads.go and advisories.go
// find them here meanwhile. The loop sets it before the write and clears
// it once the write has returned; readers look here before the store, so
// an op is never missed between the two (it is here, or written).
//
// Only others' ops are ever here: a commit that holds an op of this
// node's own writes before it publishes (loop.commit). The sync server
// and the node's own bookkeeping read the store alone: a peer is served
// only ops that are written.
type unwritten struct {
	mu   sync.RWMutex
	base uint64                   // stored position of ops[0]: the store's Len before the write
	ops  []*protocol.Op           // in the order the write stores them
	at   map[protocol.Hash]uint64 // op -> stored position
}

// show makes ops readable at positions base, base+1, ...: the positions
// the store gives them, as every op of a commit is new to the store.
func (u *unwritten) show(base uint64, ops []*protocol.Op) {
	at := make(map[protocol.Hash]uint64, len(ops))
	for i, op := range ops {
		at[op.Hash()] = base + uint64(i)
	}
	u.mu.Lock()
	u.base, u.ops, u.at = base, ops, at
	u.mu.Unlock()
}

// clear forgets the ops once their write has returned.
func (u *unwritten) clear() {
	u.mu.Lock()
	u.base, u.ops, u.at = 0, nil, nil
	u.mu.Unlock()
}

// get returns op h and its stored position, if it is being written.
func (u *unwritten) get(h protocol.Hash) (*protocol.Op, uint64, bool) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	pos, ok := u.at[h]
	if !ok {
		return nil, 0, false
	}
	return u.ops[pos-u.base], pos, true
}

// end returns the position after the last op being written, and false
// when none is.
func (u *unwritten) end() (uint64, bool) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.base + uint64(len(u.ops)), len(u.ops) > 0
}

// advisories returns the advisory ops being written, in stored order.
func (u *unwritten) advisories() []store.AdvisoryRef {
	u.mu.RLock()
	defer u.mu.RUnlock()
	var out []store.AdvisoryRef
	for i, op := range u.ops {
		if op.Kind == protocol.KindAdvisory {
			out = append(out, store.AdvisoryRef{Pos: u.base + uint64(i), Hash: op.Hash()})
		}
	}
	return out
}

// getOp returns op h from the ops being written or the store, in that
// order (see unwritten).
func (n *Node) getOp(h protocol.Hash) (*protocol.Op, error) {
	if op, _, ok := n.unwritten.get(h); ok {
		return op, nil
	}
	return n.store.Get(h)
}

// advisoryRefs is store.Advisories over the store and the ops being
// written: at most limit advisory ops from position from on, in stored
// order.
func (n *Node) advisoryRefs(from uint64, limit int) ([]store.AdvisoryRef, error) {
	mem := n.unwritten.advisories() // before the store: see unwritten
	refs, err := n.store.Advisories(from, limit)
	if err != nil {
		return nil, err
	}
	for _, r := range mem {
		if r.Pos >= from {
			refs = append(refs, r)
		}
	}
	return mergeRefs(refs, limit, false), nil
}

// advisoryRefsBefore is store.AdvisoriesBefore over the store and the ops
// being written: at most limit advisory ops below position before, newest
// first.
func (n *Node) advisoryRefsBefore(before uint64, limit int) ([]store.AdvisoryRef, error) {
	mem := n.unwritten.advisories()
	refs, err := n.store.AdvisoriesBefore(before, limit)
	if err != nil {
		return nil, err
	}
	for _, r := range mem {
		if r.Pos < before {
			refs = append(refs, r)
		}
	}
	return mergeRefs(refs, limit, true), nil
}

// mergeRefs sorts refs by position (newest first if backward), drops the
// second of two at one position (an op the write stored while it was
// read from memory too), and keeps the first limit. The store's refs
// are contiguous from where they start, so any ref of memory that the
// trim keeps follows them directly.
func mergeRefs(refs []store.AdvisoryRef, limit int, backward bool) []store.AdvisoryRef {
	slices.SortFunc(refs, func(a, b store.AdvisoryRef) int {
		if backward {
			return cmp.Compare(b.Pos, a.Pos)
		}
		return cmp.Compare(a.Pos, b.Pos)
	})
	refs = slices.CompactFunc(refs, func(a, b store.AdvisoryRef) bool { return a.Pos == b.Pos })
	return refs[:min(len(refs), limit)]
}
