package node

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// The forwarders that are not peers. An op the node parks itself (its own
// outstanding op) has forwarder self: no quota, no expiry, no penalty. An
// op reloaded from the store's pending buffer at start has forwarder
// restored, and one submitted without a forwarder has unattributed: each
// is a forwarder of its own, with its quota and expiry, and is never
// penalised. Neither string is a valid peer ID.
const (
	self         peer.ID = ""
	restored     peer.ID = "kring:restored"
	unattributed peer.ID = "kring:unattributed"
)

// pseudoForwarder reports whether p is one of the forwarders that are not
// peers: self, restored or unattributed.
func pseudoForwarder(p peer.ID) bool {
	return p == self || p == restored || p == unattributed
}

// What a parked op costs the node's memory, measured on amd64 (see
// BenchmarkParkedCost, which reports the heap per op beside the count): a
// decoded op takes about twice its encoding and a few hundred bytes more
// with its entries in the set, and each entry of the missing-pred index
// about 160 bytes.
const (
	parkedOverhead  = 512
	indexEntryBytes = 192
)

// parkedCost is what parking op, missing preds missing, counts against the
// pending set's bounds: the op held decoded and every index entry it adds.
func parkedCost(op *protocol.Op, missing int) int {
	return 2*len(op.Bytes()) + parkedOverhead + indexEntryBytes*missing
}

// pendingLimits bound the pending set, in parked ops and in bytes (see
// parkedCost): all ops together, and the ops of one forwarder. Parked ops
// of a forwarder other than self expire after ttl.
type pendingLimits struct {
	maxBytes, maxOps   int
	peerBytes, peerOps int
	ttl                time.Duration
}

// pendingSet holds ops whose preds have not arrived, with the forwarder
// that delivered each. Every forwarder has its own quota: a forwarder over
// it loses its own oldest parked ops, never another's. When all ops
// together are over the set's bound, the forwarder holding the most loses
// its oldest. Every index entry of an op that leaves goes with it.
type pendingSet struct {
	ops     map[protocol.Hash]*parked
	waiting map[protocol.Hash][]protocol.Hash // missing pred -> parked ops
	by      map[peer.ID]*forwarderLoad
	bytes   int // the cost of every parked op
	lim     pendingLimits
}

// parked is one waiting op, the preds it missed when it arrived, the
// forwarder it came from and when.
type parked struct {
	op      *protocol.Op
	missing []protocol.Hash
	from    peer.ID
	at      time.Time
	cost    int
}

// forwarderLoad is what one forwarder has parked.
type forwarderLoad struct {
	order      []protocol.Hash // arrival order; may hold removed hashes
	ops, bytes int
}

func newPendingSet(lim pendingLimits) *pendingSet {
	return &pendingSet{ops: map[protocol.Hash]*parked{}, waiting: map[protocol.Hash][]protocol.Hash{}, by: map[peer.ID]*forwarderLoad{}, lim: lim}
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

// load returns the ops and bytes forwarder from has parked.
func (p *pendingSet) load(from peer.ID) (ops, bytes int) {
	if f := p.by[from]; f != nil {
		return f.ops, f.bytes
	}
	return 0, 0
}

// add parks op, delivered by from at now, and returns the ops it evicted
// to stay within the bounds. It parks nothing, and returns false, when op
// alone is over a bound that applies to it, or is parked already.
func (p *pendingSet) add(op *protocol.Op, missing []protocol.Hash, from peer.ID, now time.Time) (evicted []*parked, ok bool) {
	h := op.Hash()
	cost := parkedCost(op, len(missing))
	quota := from != self
	if p.has(h) || cost > p.lim.maxBytes || (quota && cost > p.lim.peerBytes) {
		return nil, false
	}
	// Room within the forwarder's quota, from its own ops.
	for quota {
		n, b := p.load(from)
		if n == 0 || (n+1 <= p.lim.peerOps && b+cost <= p.lim.peerBytes) {
			break
		}
		evicted = append(evicted, p.evictOldest(from))
	}
	// Room within the whole set, from whoever holds the most.
	for len(p.ops) > 0 && (len(p.ops)+1 > p.lim.maxOps || p.bytes+cost > p.lim.maxBytes) {
		evicted = append(evicted, p.evictOldest(p.heaviest(len(p.ops)+1 > p.lim.maxOps)))
	}
	f := p.by[from]
	if f == nil {
		f = &forwarderLoad{}
		p.by[from] = f
	}
	p.ops[h] = &parked{op: op, missing: missing, from: from, at: now, cost: cost}
	f.order = append(f.order, h)
	f.ops++
	f.bytes += cost
	p.bytes += cost
	for _, m := range missing {
		p.waiting[m] = append(p.waiting[m], h)
	}
	return evicted, true
}

// heaviest returns the forwarder with the most parked ops (byOps) or bytes.
// Ties go to the forwarder whose ID sorts first, so that the choice does
// not depend on map order.
func (p *pendingSet) heaviest(byOps bool) peer.ID {
	var best peer.ID
	most := -1
	for from, f := range p.by {
		n := f.bytes
		if byOps {
			n = f.ops
		}
		if f.ops > 0 && (n > most || (n == most && from < best)) {
			best, most = from, n
		}
	}
	return best
}

// evictOldest removes and returns the oldest op forwarder from has parked;
// from must have one.
func (p *pendingSet) evictOldest(from peer.ID) *parked {
	f := p.by[from]
	for {
		h := f.order[0]
		f.order = f.order[1:]
		if e, ok := p.ops[h]; ok && e.from == from {
			p.remove(h)
			return e
		}
	}
}

// expire removes and returns the ops that have waited ttl or longer at
// now, oldest first per forwarder. The node's own ops never expire.
func (p *pendingSet) expire(now time.Time) []*parked {
	var out []*parked
	for from, f := range p.by {
		if from == self {
			continue
		}
		for len(f.order) > 0 {
			e, ok := p.ops[f.order[0]]
			if ok && e.from == from && now.Sub(e.at) < p.lim.ttl {
				break
			}
			f.order = f.order[1:]
			if ok && e.from == from {
				p.remove(e.op.Hash())
				out = append(out, e)
			}
		}
	}
	return out
}

// remove drops h and its index entries.
func (p *pendingSet) remove(h protocol.Hash) {
	e, ok := p.ops[h]
	if !ok {
		return
	}
	delete(p.ops, h)
	p.bytes -= e.cost
	f := p.by[e.from]
	f.ops--
	f.bytes -= e.cost
	if f.ops == 0 {
		delete(p.by, e.from)
	} else if len(f.order) > 2*f.ops+64 {
		kept := f.order[:0]
		for _, o := range f.order {
			if x, ok := p.ops[o]; ok && x.from == e.from {
				kept = append(kept, o)
			}
		}
		f.order = kept
	}
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
}

// waiters returns the parked ops that cite h.
func (p *pendingSet) waiters(h protocol.Hash) []protocol.Hash {
	return append([]protocol.Hash(nil), p.waiting[h]...)
}

// askable reports whether the preds of an op that forwarder from parked
// are worth asking peer for: from is peer, which holds them (it forwards
// only ops whose preds it stores), or one of the node's pseudo-forwarders.
// Preds of ops another peer forwarded are asked of that peer: a hostile
// member's orphans must not make every sync with an honest member ask
// for thousands of hashes nobody has.
func askable(from, peer peer.ID) bool {
	return from == peer || pseudoForwarder(from)
}

// askableOps returns the parked ops whose preds are worth asking peer
// for: those askable from it, and, transitively, the parked ops they wait
// for, whoever forwarded those (peer holds them too: an op parked from a
// hostile forwarder that an honest op cites must not leave the honest op
// waiting).
func (p *pendingSet) askableOps(peer peer.ID) []*parked {
	var stack []protocol.Hash
	for h, e := range p.ops {
		if askable(e.from, peer) {
			stack = append(stack, h)
		}
	}
	seen := map[protocol.Hash]bool{}
	var out []*parked
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e := p.ops[h]
		if seen[h] || e == nil {
			continue
		}
		seen[h] = true
		out = append(out, e)
		for _, m := range e.missing {
			if p.has(m) && !seen[m] {
				stack = append(stack, m)
			}
		}
	}
	return out
}

// unserved removes and returns the ops parked from forwarder peer that
// miss a pred in denied that is neither parked nor held.
func (p *pendingSet) unserved(peer peer.ID, denied map[protocol.Hash]bool, held func(protocol.Hash) bool) []*parked {
	f := p.by[peer]
	if f == nil || pseudoForwarder(peer) {
		return nil
	}
	var out []*parked
	for _, h := range append([]protocol.Hash(nil), f.order...) {
		e, ok := p.ops[h]
		if !ok || e.from != peer {
			continue
		}
		for _, m := range e.missing {
			if denied[m] && !p.has(m) && !held(m) {
				p.remove(h)
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// chainGaps returns, per author, the highest seq below a parked op of its
// whose Prev is neither parked nor held, among the ops worth asking peer
// about (askableOps): the author's chain is missing up to there.
func (p *pendingSet) chainGaps(peer peer.ID, held func(protocol.Hash) bool) map[protocol.Key]uint64 {
	var out map[protocol.Key]uint64
	for _, pk := range p.askableOps(peer) {
		prev := pk.op.Prev
		if prev == nil || p.has(*prev) || held(*prev) {
			continue
		}
		if out == nil {
			out = map[protocol.Key]uint64{}
		}
		out[pk.op.Author] = max(out[pk.op.Author], pk.op.Seq-1)
	}
	return out
}

// wantedOf returns, sorted, the preds that the parked ops worth asking
// peer about (askableOps) miss and that are neither parked nor held.
func (p *pendingSet) wantedOf(peer peer.ID, held func(protocol.Hash) bool) []protocol.Hash {
	seen := map[protocol.Hash]bool{}
	var out []protocol.Hash
	for _, e := range p.askableOps(peer) {
		for _, m := range e.missing {
			if !seen[m] && !p.has(m) && !held(m) {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return protocol.SortPreds(out)
}
