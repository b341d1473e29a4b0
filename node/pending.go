package node

import (
	"github.com/kring-circle/kring/protocol"
)

// pendingSet holds ops whose preds have not arrived, in arrival order,
// bounded in bytes: a flood of ops citing preds that never come evicts the
// oldest, and every index entry of an evicted op goes with it.
type pendingSet struct {
	ops      map[protocol.Hash]*parked
	waiting  map[protocol.Hash][]protocol.Hash // missing pred -> parked ops
	order    []protocol.Hash                   // arrival order; may hold removed hashes
	bytes    int
	maxBytes int
}

// parked is one waiting op and the preds it missed when it arrived.
type parked struct {
	op      *protocol.Op
	missing []protocol.Hash
}

func newPendingSet(maxBytes int) *pendingSet {
	return &pendingSet{ops: map[protocol.Hash]*parked{}, waiting: map[protocol.Hash][]protocol.Hash{}, maxBytes: maxBytes}
}

func (p *pendingSet) has(h protocol.Hash) bool { _, ok := p.ops[h]; return ok }

func (p *pendingSet) get(h protocol.Hash) (*protocol.Op, bool) {
	e, ok := p.ops[h]
	if !ok {
		return nil, false
	}
	return e.op, true
}

func (p *pendingSet) len() int { return len(p.ops) }

// add parks op and returns the hashes evicted to stay within the byte bound
// (never op itself, unless op alone exceeds it).
func (p *pendingSet) add(op *protocol.Op, missing []protocol.Hash) (evicted []protocol.Hash) {
	h := op.Hash()
	if p.has(h) {
		return nil
	}
	p.ops[h] = &parked{op: op, missing: missing}
	p.order = append(p.order, h)
	p.bytes += len(op.Bytes())
	for _, m := range missing {
		p.waiting[m] = append(p.waiting[m], h)
	}
	for p.bytes > p.maxBytes && len(p.ops) > 1 {
		old := p.order[0]
		p.order = p.order[1:]
		if old == h || !p.has(old) {
			continue
		}
		p.remove(old)
		evicted = append(evicted, old)
	}
	return evicted
}

// remove drops h and its index entries.
func (p *pendingSet) remove(h protocol.Hash) {
	e, ok := p.ops[h]
	if !ok {
		return
	}
	delete(p.ops, h)
	p.bytes -= len(e.op.Bytes())
	for _, m := range e.missing {
		ws := p.waiting[m]
		for i, w := range ws {
			if w == h {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(p.waiting, m)
		} else {
			p.waiting[m] = ws
		}
	}
	if len(p.order) > 2*len(p.ops)+64 {
		kept := p.order[:0]
		for _, o := range p.order {
			if p.has(o) {
				kept = append(kept, o)
			}
		}
		p.order = kept
	}
}

// waiters returns the parked ops that cite h.
func (p *pendingSet) waiters(h protocol.Hash) []protocol.Hash {
	return append([]protocol.Hash(nil), p.waiting[h]...)
}

// wanted returns the preds parked ops miss that are neither parked nor
// held (has), sorted.
func (p *pendingSet) wanted(held func(protocol.Hash) bool) []protocol.Hash {
	var out []protocol.Hash
	for m := range p.waiting {
		if !p.has(m) && !held(m) {
			out = append(out, m)
		}
	}
	return protocol.SortPreds(out)
}
