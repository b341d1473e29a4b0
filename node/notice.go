package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
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
		_, err := n.Push(ctx, p, n.withVotes(ops)...)
		if err == nil || errors.Is(err, ErrRefused) { // it answered: it holds them now
			if k, ok := PeerKey(p); ok {
				hs := make([]protocol.Hash, len(ops))
				for i, op := range ops {
					hs[i] = op.Hash()
				}
				n.notices.tell(k, hs)
			}
		}
		if err != nil {
			n.log.Debug("telling a removed member of its removal", "peer", n.peerName(p), "err", err)
		}
		cancel()
		if err := n.host.Network().ClosePeer(p); err != nil {
			n.log.Warn("closing a connection", "peer", n.peerName(p), "err", err)
		}
		n.log.Info("refused peer disconnected", "peer", n.peerName(p), "standing", Denied)
	}()
}

// withVotes returns the enactments (and twins) preceded by the votes they cite, in
// causal order: the target may not have received the last vote by gossip
// yet, and without it the enactment would wait in its pending buffer for
// preds it can no longer fetch once the connection is closed.
func (n *Node) withVotes(enacts []*protocol.Op) []*protocol.Op {
	var out []*protocol.Op
	seen := map[protocol.Hash]bool{}
	for _, op := range enacts {
		e, ok := op.Content().(*protocol.Enact)
		if !ok {
			continue // a twin of a fork
		}
		for _, h := range e.Votes {
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
// by their target, in the node's noticeBook, and the twins of each fork
// that suspends an author of ops: a forked member's node, which may hold
// only its own twin, learns of its fork from them as a removed member
// learns of its suspension (a fork has no enactment). Loop only, after
// ops are stored.
func (l *loop) noteAbout(ops []*protocol.Op) {
	var st *trust.State
	for _, op := range ops {
		if st == nil {
			st = l.eng.State()
		}
		if seq := st.Key(op.Author).ForkSuspended; seq != 0 && seq == op.Seq {
			l.noteTwins(op.Author, seq)
		}
		if op.Kind != protocol.KindEnact {
			continue
		}
		e, ok := op.Content().(*protocol.Enact)
		if ok && standingMotion(e.Motion.Kind) && e.Motion.Target != nil {
			l.n.notices.add(*e.Motion.Target, op.Hash())
		}
	}
}

// noteTwins indexes the stored ops of k at seq, the seq of the fork that
// suspends k, as decisions about k; loop only.
func (l *loop) noteTwins(k protocol.Key, seq uint64) {
	hs, err := l.n.store.BySeq(k, seq)
	if err != nil {
		l.n.log.Warn("reading the twins of a fork", "key", k.Short(), "seq", seq, "err", err)
		return
	}
	for _, h := range hs {
		l.n.notices.add(k, h)
	}
}

// noticeBook is what a node knows of the enactments that decide each
// member's standing (suspend, unsuspend, revoke), and which of them it has
// handed to their target itself since it started. It holds a handful of
// hashes per member ever removed. The loop adds; the gate and the notice
// senders read. Safe for concurrent use.
type noticeBook struct {
	mu    sync.Mutex
	about map[protocol.Key][]protocol.Hash
	told  map[protocol.Key]map[protocol.Hash]bool
}

func newNoticeBook() *noticeBook {
	return &noticeBook{about: map[protocol.Key][]protocol.Hash{}, told: map[protocol.Key]map[protocol.Hash]bool{}}
}

// add notes enactment h about k; a nil book (a test loop without a
// network) notes nothing.
func (b *noticeBook) add(k protocol.Key, h protocol.Hash) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !slices.Contains(b.about[k], h) {
		b.about[k] = append(b.about[k], h)
	}
}

// list returns the enactments about k.
func (b *noticeBook) list(k protocol.Key) []protocol.Hash {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.about[k])
}

// untold reports whether an enactment about k was never handed to k.
func (b *noticeBook) untold(k protocol.Key) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.about[k] {
		if !b.told[k][h] {
			return true
		}
	}
	return false
}

// tell notes that k was handed the enactments hs.
func (b *noticeBook) tell(k protocol.Key, hs []protocol.Hash) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.told[k] == nil {
		b.told[k] = map[protocol.Hash]bool{}
	}
	for _, h := range hs {
		b.told[k][h] = true
	}
}

// loadAbout fills the index of noteAbout from the store, which it reads
// whole only if the State shows an enacted standing motion; loop only.
func (l *loop) loadAbout() error {
	found := false
	st := l.eng.State()
	for _, t := range st.Tallies() {
		found = found || (t.Enacted && standingMotion(t.Motion.Kind))
	}
	for _, k := range st.Keys() {
		if seq := st.Key(k).ForkSuspended; seq != 0 {
			l.noteTwins(k, seq)
		}
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
	// untold reports whether the node has a decision about p it has not
	// handed p yet; a knock is let through only then.
	untold func(p peer.ID) bool
	mu     sync.Mutex
	last   map[peer.ID]time.Time
}

func newKnockGate(every time.Duration, untold func(peer.ID) bool) *knockGate {
	return &knockGate{every: every, untold: untold, last: map[peer.ID]time.Time{}}
}

// open reports whether removed member p may come through at now: this
// node has a decision about p to tell it, and did not let p through in the
// last interval. If so it notes it.
func (g *knockGate) open(p peer.ID, now time.Time) bool {
	return g.untold(p) && g.dialOpen(p, now)
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
	for _, h := range n.notices.list(k) {
		if op, err := n.store.Get(h); err == nil {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		if err := n.host.Network().ClosePeer(p); err != nil {
			n.log.Warn("closing a connection", "peer", n.peerName(p), "err", err)
		}
		return
	}
	n.knocksAnswered.Add(1)
	n.log.Info("telling a removed member of the decisions about it", "peer", n.peerName(p), "enactments", len(ops))
	n.noticeAndClose(p, ops)
}

// tellDisconnected hands each member that the commit of snapshot a
// suspends or revokes, and that this node is not connected to (it was cut
// off before: a suspended member now revoked), the decisions about it: it
// dials the member, whose gate lets a member in, and answers as it would
// a knock. A member connected when the decision came is told over that
// connection before it is closed (noticeAndClose).
func (n *Node) tellDisconnected(a, old *admission) {
	if n.gater.knocks == nil {
		return
	}
	seen := map[protocol.Key]bool{}
	for _, op := range a.notice {
		k := *op.Content().(*protocol.Enact).Motion.Target
		if seen[k] || old.standing(k) == Sharing {
			continue
		}
		seen[k] = true
		p, err := PeerID(k)
		if err != nil || n.host.Network().Connectedness(p) == network.Connected || !n.gater.removed(p) {
			continue
		}
		if !n.gater.knocks.dialOpen(p, time.Now()) {
			continue
		}
		n.goLoop(func() {
			ctx, cancel := context.WithTimeout(n.ctx, knockWindow)
			defer cancel()
			if err := n.host.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
				n.log.Debug("telling a removed member of a decision about it", "peer", n.peerName(p), "err", err)
			}
		})
	}
}

// dialOpen notes that this node dials removed member p at now to tell it
// of the decisions about it, so that the gate lets the connection through
// for knockWindow. It reports false if p came through in the last
// interval already.
func (g *knockGate) dialOpen(p peer.ID, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if last, ok := g.last[p]; ok && now.Sub(last) < g.every {
		return false
	}
	g.last[p] = now
	return true
}

// tellLifted hands member p, back in the sharing set and cut off until it
// learns so, the decisions about it it was not handed yet (the lift of its
// suspension), over the connection just opened, which stays open.
func (n *Node) tellLifted(p peer.ID, k protocol.Key) {
	var ops []*protocol.Op
	for _, h := range n.notices.list(k) {
		if op, err := n.store.Get(h); err == nil {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, noticeTimeout)
	defer cancel()
	ctx = network.WithNoDial(ctx, "kring: notice over the open connection")
	if _, err := n.Push(ctx, p, n.withVotes(ops)...); err == nil || errors.Is(err, ErrRefused) {
		hs := make([]protocol.Hash, len(ops))
		for i, op := range ops {
			hs[i] = op.Hash()
		}
		n.notices.tell(k, hs)
	}
}
