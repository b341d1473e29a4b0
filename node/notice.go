package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
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
		ctx = network.WithNoDial(ctx, "kring: notice over the open connection")
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

// standingMotion reports whether a motion of kind k decides a member's
// standing: the enactments a removed member is told of.
func standingMotion(k protocol.MotionKind) bool {
	return k == protocol.MotionSuspend || k == protocol.MotionUnsuspend || k == protocol.MotionRevoke
}

// noteAbout indexes the Suspend, Unsuspend and Revoke enactments among ops
// by their target, for the notices of knockGate; loop only. The index
// holds one hash per such enactment: a handful per removed member.
func (l *loop) noteAbout(ops []*protocol.Op) {
	for _, op := range ops {
		if op.Kind != protocol.KindEnact {
			continue
		}
		e, ok := op.Content().(*protocol.Enact)
		if !ok || !standingMotion(e.Motion.Kind) || e.Motion.Target == nil {
			continue
		}
		if l.about == nil {
			l.about = map[protocol.Key][]protocol.Hash{}
		}
		l.about[*e.Motion.Target] = append(l.about[*e.Motion.Target], op.Hash())
	}
}

// loadAbout fills the index of noteAbout from the store, which it reads
// whole only if the State shows an enacted standing motion; loop only.
func (l *loop) loadAbout() error {
	found := false
	for _, t := range l.eng.State().Tallies() {
		found = found || (t.Enacted && standingMotion(t.Motion.Kind))
	}
	if !found {
		return nil
	}
	err := l.n.store.Range(func(op *protocol.Op) error {
		l.noteAbout([]*protocol.Op{op})
		return nil
	})
	if err != nil {
		return fmt.Errorf("node: indexing the enactments about members: %w", err)
	}
	return nil
}

// knockWindow is how long after letting a removed member's knock through
// the gate the connection may finish its upgrade and be told.
const knockWindow = 4 * noticeTimeout

// knockGate remembers when the gate last let each member the circle
// removed through, so that one that dials now and then (a cut-off node
// knocks) is told of the decisions about it at most once per interval,
// and one that dials all the time costs its members nothing more. It
// holds removed members only, so it stays as small as the circle. Safe
// for concurrent use.
type knockGate struct {
	every time.Duration
	mu    sync.Mutex
	last  map[peer.ID]time.Time
}

func newKnockGate(every time.Duration) *knockGate {
	return &knockGate{every: every, last: map[peer.ID]time.Time{}}
}

// open reports whether removed member p may come through at now, and if
// so notes it.
func (g *knockGate) open(p peer.ID, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if last, ok := g.last[p]; ok && now.Sub(last) < g.every {
		return false
	}
	g.last[p] = now
	return true
}

// answering reports whether p came through within knockWindow of now.
func (g *knockGate) answering(p peer.ID, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	last, ok := g.last[p]
	return ok && now.Sub(last) < knockWindow
}

// answerKnock tells removed member p, whose knock the gate let through,
// of every enactment about it (with the votes they cite), then closes
// the connection. Nothing else is served to it: the sync server and
// pubsub refuse it as before.
func (n *Node) answerKnock(p peer.ID) {
	k, ok := n.gater.keyOf(p)
	if !ok {
		return
	}
	var ops []*protocol.Op
	err := n.doNow(n.ctx, func(l *loop) {
		for _, h := range l.about[k] {
			if op, ok := l.eng.Op(h); ok {
				ops = append(ops, op)
			}
		}
	})
	if err != nil || len(ops) == 0 {
		if err := n.host.Network().ClosePeer(p); err != nil {
			n.log.Warn("closing a connection", "peer", p, "err", err)
		}
		return
	}
	n.knocksAnswered.Add(1)
	n.log.Info("telling a removed member of the decisions about it", "peer", p, "enactments", len(ops))
	n.noticeAndClose(p, ops)
}
