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
// author: the author is judged from the op itself. It hands the op to the
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
	return n.batcher.verdict(ctx, from, m.Data)
}
