package node

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// memberTag protects member connections from the connection manager.
const memberTag = "kring-member"

// enforce puts a new admission snapshot in force, in the order that leaves
// no gap: the gater refuses the key first (no redial, no re-accept), then
// pubsub blacklists it (its queues are dropped and nothing it forwards is
// taken), then every connection to it is closed, which also ends its sync
// streams; the sync server checks the snapshot on every request. A member
// that leaves the sharing set but may still connect (a lapsed member with
// fresh endorsements) is disconnected too, so that it leaves the gossip
// mesh at once rather than at the next heartbeat.
func (n *Node) enforce(a *admission) {
	if n.gater == nil {
		return // still loading the store
	}
	old := n.gater.cur.Swap(a)
	if n.host == nil {
		return
	}
	n.tellDisconnected(a, old)
	for _, p := range n.host.Network().Peers() {
		s := n.gater.standing(p)
		k, _ := n.gater.keyOf(p)
		switch {
		case s.admitted() && s != Sharing && old.standing(k) == Sharing:
			n.log.Info("a member left the sharing set", "peer", n.peerName(p), "standing", s)
		case s == Sharing && n.subs != nil && n.subs.admitted(p):
			// Pubsub turned its subscription away before it was a
			// member; a new connection makes it announce it again.
			n.log.Info("reconnecting a new member for gossip", "peer", n.peerName(p))
		case s == Sharing:
			n.cm.Protect(p, memberTag)
			continue
		case s.admitted():
			n.cm.Unprotect(p, memberTag)
			continue
		case s == Denied && n.ps != nil:
			n.ps.BlacklistPeer(p)
			ops := a.noticeFor(k)
			if len(ops) == 0 && old.standing(k) == Sharing {
				ops = n.forkNotice(k) // a fork has no enactment: its twins tell it
			}
			if len(ops) > 0 && old.standing(k) == Sharing {
				n.cm.Unprotect(p, memberTag)
				n.noticeAndClose(p, ops)
				continue
			}
		}
		n.cm.Unprotect(p, memberTag)
		if err := n.host.Network().ClosePeer(p); err != nil {
			n.log.Warn("closing a connection", "peer", n.peerName(p), "err", err)
		}
		if !s.admitted() {
			n.log.Info("refused peer disconnected", "peer", n.peerName(p), "standing", s)
		}
	}
}

// Block refuses member k on this node alone, at once: the gater refuses
// it, pubsub drops it, its connections close and it is no longer served.
// The block persists across restarts until Unblock; it never enters the
// log, so it changes no other node's State.
func (n *Node) Block(ctx context.Context, k protocol.Key, reason string) error {
	if k == n.key {
		return fmt.Errorf("node: a node cannot block its own organisation")
	}
	b := store.Block{Reason: reason, Since: time.Now().UTC()}
	return n.setBlock(ctx, k, &b)
}

// Unblock lifts this node's local block of k. Whether k may connect again
// is then up to the log.
func (n *Node) Unblock(ctx context.Context, k protocol.Key) error {
	return n.setBlock(ctx, k, nil)
}

// setBlock persists a block of k, or its lifting (b nil), and puts the
// new admission in force.
func (n *Node) setBlock(ctx context.Context, k protocol.Key, b *store.Block) error {
	what := "blocking"
	if b == nil {
		what = "unblocking"
	}
	var err error
	derr := n.do(ctx, func(l *loop) {
		if b == nil {
			if err = n.store.Unblock(k); err == nil {
				delete(l.blocks, k)
			}
		} else if err = n.store.SetBlock(k, *b); err == nil {
			l.blocks[k] = *b
		}
		if err == nil {
			n.enforce(l.admission())
		}
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("node: %s %s: %w", what, k.Short(), err)
	}
	n.afterChange()
	return nil
}

// Blocks returns this node's local blocks.
func (n *Node) Blocks(ctx context.Context) (map[protocol.Key]store.Block, error) {
	var out map[protocol.Key]store.Block
	if err := n.do(ctx, func(l *loop) { out = l.blocksCopy() }); err != nil {
		return nil, err
	}
	return out, nil
}

// notifiee protects a member's connection from trimming and syncs with
// the peer as soon as it connects. It judges the peer again: a connection
// whose upgrade was under way while enforce put a refusal in force passed
// the gate before the refusal and was not among the connections enforce
// closed, so it is closed here. A removed member's knock the gate let
// through is answered with the decisions about it. Losing a member's last
// connection is logged (noteLost).
func (n *Node) notifiee() network.Notifiee {
	return &network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		p := c.RemotePeer()
		switch s := n.gater.standing(p); {
		case s == Sharing:
			n.cm.Protect(p, memberTag)
			n.sync.kick(p)
			if k, ok := n.gater.keyOf(p); ok && n.notices.untold(k) {
				// Back in the sharing set (a lifted suspension): a
				// cut-off node syncs with nobody until it is told.
				n.goLoop(func() { n.tellLifted(p, k) })
			}
		case s.admitted():
			n.sync.kick(p)
		case n.gater.telling(p):
			n.goLoop(func() { n.answerKnock(p) })
		default:
			// The gate let the connection through under an older
			// snapshot: enforce swapped a refusal in while it was
			// being upgraded, and closed only the connections it saw.
			n.refusedWhileConnecting.Add(1)
			n.goLoop(func() {
				n.cm.Unprotect(p, memberTag)
				if err := n.host.Network().ClosePeer(p); err != nil {
					n.log.Warn("closing a connection", "peer", n.peerName(p), "err", err)
				}
				n.log.Info("refused peer disconnected", "peer", n.peerName(p), "standing", s, "reason", "refused-while-connecting")
			})
		}
	}, DisconnectedF: func(_ network.Network, c network.Conn) {
		n.noteLost(c.RemotePeer())
		n.wakeDialer()
	}}
}

// unservedPenalty is what each op a forwarder cannot complete costs it
// (see unserved): a hundred times an op that merely expires, since the
// forwarder's own answer proves it forwarded an op whose preds it does
// not hold, which an honest node never does. A member flooding orphans
// falls below the graylist threshold (−2500) after 25 of them.
const unservedPenalty = 100

// unserved drops the parked ops that p forwarded and that wait for a pred
// p has just said, in a complete answer, it does not hold (denied), and
// charges p unservedPenalty for each. A peer that cannot be asked at all
// (no stream, no sync protocol) proves nothing: its ops wait, and expire. An honest forwarder holds the
// preds of every op it forwards (it accepted the op), and answers a fetch
// only after the commit in progress, so it is never charged.
func (n *Node) unserved(ctx context.Context, p peer.ID, denied map[protocol.Hash]bool) {
	if len(denied) == 0 {
		return
	}
	_ = n.do(ctx, func(l *loop) { l.dropUnserved(p, denied, time.Now()) })
}
