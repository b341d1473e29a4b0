package node

import (
	"context"
	"crypto/sha256"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// validate is the ops topic's validator. from is the forwarder, not the
// author: the author is judged from the op itself. An op the node stores
// already is answered at once as a duplicate (holds). It hands the others to the
// gossip batcher, which decodes and verifies it, has the loop judge it,
// and answers once the loop has judged it; the commit follows (see
// gossipTurn.tell). It never panics the daemon: a panic is counted and
// the op rejected.
func (n *Node) validate(ctx context.Context, from peer.ID, m *pubsub.Message) (res pubsub.ValidationResult) {
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("validator panic", "forwarder", n.peerName(from), "panic", fmt.Sprint(r))
			n.verdicts.add(reject(ReasonPanic))
			res = pubsub.ValidationReject
		}
	}()
	if from == n.host.ID() {
		// Local publishes: the node stored the op before publishing it.
		if ok, err := n.store.Has(protocol.Hash(sha256.Sum256(m.Data))); err == nil && ok {
			return pubsub.ValidationAccept
		}
		return pubsub.ValidationIgnore
	}
	if n.gater.standing(from) != Sharing {
		n.verdicts.add(ignore(ReasonNotSharing))
		return pubsub.ValidationIgnore
	}
	if n.holds(m.Data) {
		n.verdicts.add(ignore(ReasonDuplicate))
		return pubsub.ValidationIgnore
	}
	return n.batcher.verdict(ctx, from, m.Data)
}

// holds reports whether the node stores the op encoded as raw already,
// before raw is decoded or its signature checked: pubsub's seen cache
// forgets a message after two minutes, after which a member may gossip an
// old op again, and a replayed op costs a hash and a store read here
// instead of a signature check in the batcher, and a new op only a hash
// and a look in the held filter (heldFilter), which sends the rare op it
// cannot rule out to the store. An op's hash is the SHA-256 of its
// encoding, so bytes that hash to a stored op are that op, verified when
// it was stored. The answer is the loop's for a duplicate
// (ignore/duplicate): pubsub neither forwards the op nor penalises the
// forwarder, as the node forwarded it when it first accepted it, and an
// honest peer may send it again too. It reads what Node.Has reads (the
// store and the commit being written), which is safe beside the loop; an
// op the loop applied but has not yet handed to its commit is not seen
// here, goes to the batcher, and the loop calls it a duplicate as before.
// A store error counts as not held: the batcher and the loop judge it.
func (n *Node) holds(raw []byte) bool {
	h := protocol.Hash(sha256.Sum256(raw))
	if !n.held.mayHold(h) {
		return false
	}
	ok, err := n.Has(h)
	return err == nil && ok
}
