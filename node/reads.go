package node

import (
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// What callers outside the node read of its store. Only the loop writes
// the store; these reads go to it directly, never through the loop, and
// are safe for concurrent use. Op, Has, StoredOps and AdvisoryPosition
// also read the ops of the commit being written (unwritten.go), so they
// return an op from the moment the State counts it; Tips, Heads and the
// rest follow every write that has returned. A reader that needs the
// store and the State to match uses Consistent. Errors are the store's
// (store.ErrClosed once the node is closed).

// Op returns op h as this node stores it, or an error wrapping
// trust.ErrNotFound.
func (n *Node) Op(h protocol.Hash) (*protocol.Op, error) { return n.getOp(h) }

// Has reports whether this node stores op h (applied, live or void; not
// an op waiting for its preds).
func (n *Node) Has(h protocol.Hash) (bool, error) {
	if _, _, ok := n.unwritten.get(h); ok {
		return true, nil
	}
	return n.store.Has(h)
}

// StoredOps returns how many ops this node's log holds, the genesis
// included; an op's stored position is below it (AdvisoriesBefore).
func (n *Node) StoredOps() (int, error) {
	if end, ok := n.unwritten.end(); ok {
		return int(end), nil
	}
	return n.store.Len()
}

// PendingOps returns how many received ops wait in the pending buffer for
// their preds. It answers even after Close, with the number at Close.
func (n *Node) PendingOps() int { return n.store.PendingLen() }

// AdvisoryPosition returns the stored position of advisory h, the cursor
// Advisories and AdvisoriesBefore take, and false when this node stores
// no advisory h.
func (n *Node) AdvisoryPosition(h protocol.Hash) (uint64, bool, error) {
	if op, pos, ok := n.unwritten.get(h); ok {
		return pos, op.Kind == protocol.KindAdvisory, nil
	}
	return n.store.AdvisoryPos(h)
}

// Tips returns, for every author in the log, its highest seq and the
// hashes of its ops at that seq (more than one after a fork).
func (n *Node) Tips() (map[protocol.Key]trust.Tip, error) { return n.store.Tips() }

// Heads returns the hashes of the log's ops that no stored op cites,
// sorted: what this node's next op cites.
func (n *Node) Heads() ([]protocol.Hash, error) { return n.store.Heads() }

// NextSeq returns the lowest seq of this organisation's own chain that the
// node has not reserved for signing (it persists the seq before it signs),
// or 0 before it first signed.
func (n *Node) NextSeq() (uint64, error) { return n.store.NextSeq() }

// Outstanding returns this node's own op that is signed and handed out
// but not yet in its log (a newcomer's Admit enactment awaiting its
// past), or nil.
func (n *Node) Outstanding() (*protocol.Op, error) { return n.store.Outstanding() }

// AddrBook returns the address book: the addresses each member last
// handed this node in its own signed peer record, which a restarted node
// dials.
func (n *Node) AddrBook() (map[protocol.Key]store.AddrEntry, error) { return n.store.Addrs() }
