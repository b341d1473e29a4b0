package node

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// noticeTimeout bounds how long a node spends handing a suspended or
// revoked member its own enactment before it closes the connection.
const noticeTimeout = 500 * time.Millisecond

// denials returns the suspension and revocation enactments among ops.
func denials(ops []*protocol.Op) []*protocol.Op {
	var out []*protocol.Op
	for _, op := range ops {
		if op.Kind != protocol.KindEnact {
			continue
		}
		e, ok := op.Content().(*protocol.Enact)
		if ok && (e.Motion.Kind == protocol.MotionSuspend || e.Motion.Kind == protocol.MotionRevoke) {
			out = append(out, op)
		}
	}
	return out
}

// noticeFor returns the enactments of this snapshot's commit that target k.
func (a *admission) noticeFor(k protocol.Key) []*protocol.Op {
	var out []*protocol.Op
	for _, op := range a.notice {
		if e := op.Content().(*protocol.Enact); e.Motion.Target != nil && *e.Motion.Target == k {
			out = append(out, op)
		}
	}
	return out
}

// noticeAndClose hands member p the enactment that suspends or revokes it,
// then closes every connection to it. Without the notice, p's own node,
// cut off by every member before gossip reaches it, would go on believing
// it shares with the circle and tell its operators so. The gater already
// refuses p and pubsub has blacklisted it, so nothing else flows on the
// connection meanwhile; the push waits at most noticeTimeout.
func (n *Node) noticeAndClose(p peer.ID, ops []*protocol.Op) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		ctx, cancel := context.WithTimeout(n.ctx, noticeTimeout)
		if _, err := n.Push(ctx, p, n.withVotes(ops)...); err != nil {
			n.log.Debug("telling a removed member of its removal", "peer", p, "err", err)
		}
		cancel()
		if err := n.host.Network().ClosePeer(p); err != nil {
			n.log.Warn("closing a connection", "peer", p, "err", err)
		}
		n.log.Info("refused peer disconnected", "peer", p, "standing", Denied)
	}()
}

// withVotes returns the enactments preceded by the votes they cite, in
// causal order: the target may not have received the last vote by gossip
// yet, and without it the enactment would wait in its pending buffer for
// preds it can no longer fetch once the connection is closed.
func (n *Node) withVotes(enacts []*protocol.Op) []*protocol.Op {
	var out []*protocol.Op
	seen := map[protocol.Hash]bool{}
	for _, op := range enacts {
		for _, h := range op.Content().(*protocol.Enact).Votes {
			if seen[h] {
				continue
			}
			seen[h] = true
			if v, err := n.store.Get(h); err == nil {
				out = append(out, v)
			}
		}
	}
	return causalOrder(append(out, enacts...))
}
