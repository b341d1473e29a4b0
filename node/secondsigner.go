package node

import (
	"errors"
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// A second node with this organisation's key.
//
// One data dir is one member. A copy of it started on a second host (a
// standby, a restored VM snapshot) signs the same seqs again: a fork,
// which suspends the organisation in every member's log until r′ members
// vote to lift it, and which grows with every op either copy signs. The
// node cannot see the copy's connections (libp2p refuses a peer with its
// own ID), but it sees what the copy signs: once this node has signed an
// op since it started, an op of its own key that it did not sign and does
// not hold arriving from a peer means another node signs with the key.
// (Before the node has signed, such an op is what a data dir restored from
// a backup learns back from the circle: it takes it, and signs after it.)
// The node then stops signing at once, says so at WARN and in its
// readiness (kring status), and signs again only after a restart, once
// the operator has stopped the copy.

// ErrSecondSigner: another node signs with this organisation's key, so
// this node signs nothing more until it restarts.
var ErrSecondSigner = errors.New("node: another node signs with this organisation's key")

// noteSecondSigner records op, an own-key op a peer delivered that this
// node did not sign, if this node has signed since it started: the first
// such op stops its signing.
func (l *loop) noteSecondSigner(op *protocol.Op) {
	if op.Author != l.n.key || !l.signedHere || l.n.secondSigner.Load() != nil {
		return
	}
	l.n.secondSigner.Store(op)
	l.n.log.Warn("stopped signing: an op signed with this organisation's key arrived that this node never signed, "+
		"so another node runs with this identity (a copy of this data dir on another host?). Stop the other node now, "+
		"then restart this one; until then it signs nothing, and every op either signs forks the chain further",
		"op", op.Hash().Short(), "seq", op.Seq, "own_seq", l.seq)
	l.n.afterChange()
}

// secondSignerErr returns an error wrapping ErrSecondSigner once another
// signer was seen, else nil.
func (n *Node) secondSignerErr() error {
	op := n.secondSigner.Load()
	if op == nil {
		return nil
	}
	return fmt.Errorf("%w: its op %s (seq %d) reached this node, which never signed it. Stop the other node (a copy of this "+
		"data dir?), then restart this one: it signs nothing until then", ErrSecondSigner, op.Hash().Short(), op.Seq)
}
