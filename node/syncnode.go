package node

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// The node's side of sync: the exported doors that hand work to the
// syncer, and the loop's work the syncer asks for (syncNode).

var _ syncNode = (*Node)(nil)

// SyncWith pulls from peer p every op this node lacks: it compares
// per-author tips, pulls the missing ranges in bounded batches, then
// fetches unknown heads and missing preds by hash. Every op is verified and
// judged as if it came by gossip, and stored in causal order. A completed
// sync with a member counts towards the publishing condition. Until the
// sync completes, the ops p's tips show that this node lacks count in
// Backlog.
func (n *Node) SyncWith(ctx context.Context, p peer.ID) error { return n.sync.syncWith(ctx, p) }

// Push hands ops to peer p, which judges them as if gossip brought them and
// gossips those it accepts. It returns how many p accepted; when it
// accepted fewer than all, the error wraps ErrRefused and names the first
// reason.
func (n *Node) Push(ctx context.Context, p peer.ID, ops ...*protocol.Op) (int, error) {
	return n.sync.push(ctx, p, ops...)
}

// LastSyncs returns, for each peer this node completed a sync with since
// it started, when the last one completed.
func (n *Node) LastSyncs() map[protocol.Key]time.Time { return n.sync.lastSyncs() }

// parkedGaps implements syncNode: the gaps in authors' chains that the
// ops parked from p wait for (pendingSet.chainGaps).
func (n *Node) parkedGaps(ctx context.Context, p peer.ID) (map[protocol.Key]uint64, error) {
	var gaps map[protocol.Key]uint64
	err := n.do(ctx, func(l *loop) { gaps = l.pending.chainGaps(p, l.eng.Has) })
	return gaps, err
}

// wanted asks the loop which preds its pending ops still miss, of those
// worth asking p about (askable).
func (n *Node) wanted(ctx context.Context, p peer.ID) ([]protocol.Hash, error) {
	var out []protocol.Hash
	err := n.do(ctx, func(l *loop) { out = l.wantedOf(p) })
	return out, err
}

// admissionOf implements syncNode: the counting endorsements of the Admit
// motion m (one per endorser), and, once they reach the charter's
// threshold, the heads and epoch its enactment cites.
func (n *Node) admissionOf(ctx context.Context, m protocol.Motion) (admissionTally, error) {
	var a admissionTally
	err := n.do(ctx, func(l *loop) {
		st := l.eng.State()
		t, ok := st.Tally(m.Hash())
		a.votes = t.Votes
		if !ok || len(t.Voters) < st.Thresholds().Admit {
			return
		}
		a.enough, a.heads, a.epoch = true, l.eng.Heads(), l.eng.Epoch()
	})
	return a, err
}

// settle implements syncNode: it returns once the loop has committed what
// it applied before, so that the store holds every op the loop has judged.
func (n *Node) settle(ctx context.Context) error { return n.do(ctx, func(*loop) {}) }

// lastOwnSeq implements syncNode.
func (n *Node) lastOwnSeq() uint64 { return n.ownSeq.Load() }

// gossip implements syncNode: it publishes b on the circle's topic.
func (n *Node) gossip(ctx context.Context, b []byte) error { return n.topic.Publish(ctx, b) }

// spawn implements syncNode: it runs f on its own goroutine, which Close
// waits for, unless the node is stopping; it reports whether f runs.
func (n *Node) spawn(f func()) bool {
	if n.ctx.Err() != nil {
		return false
	}
	return n.goLoop(f)
}
