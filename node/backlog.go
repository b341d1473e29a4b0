package node

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// backlogTTL is how long the tips a peer showed in a sync that did not
// complete keep counting towards the backlog: the next syncs refresh
// them, and a peer that went away for good stops counting.
const backlogTTL = 5 * time.Minute

// backlog remembers, per peer, the per-author tips it showed at the start
// of a sync still running (or one that failed less than backlogTTL ago):
// the ops this node knows it is missing.
type backlog struct {
	mu    sync.Mutex
	peers map[peer.ID]peerTips
}

type peerTips struct {
	seqs map[protocol.Key]uint64
	at   time.Time
}

// newBacklog returns an empty backlog.
func newBacklog() *backlog { return &backlog{peers: map[peer.ID]peerTips{}} }

// backlog returns n's backlog, or nil once n has stopped.
func (n *Node) backlog() *backlog {
	if n.ctx.Err() != nil {
		return nil
	}
	return n.behind
}

// see notes the tips peer p showed at the start of a sync.
func (b *backlog) see(p peer.ID, tips []protocol.SyncTip) {
	if b == nil {
		return
	}
	seqs := make(map[protocol.Key]uint64, len(tips))
	for _, t := range tips {
		seqs[t.Author] = t.Seq
	}
	b.mu.Lock()
	b.peers[p] = peerTips{seqs: seqs, at: time.Now()}
	b.mu.Unlock()
}

// done forgets p's tips once a sync with p completed: what p had, this
// node now has, or refused.
func (b *backlog) done(p peer.ID) {
	if b == nil {
		return
	}
	b.mu.Lock()
	delete(b.peers, p)
	b.mu.Unlock()
}

// count sums, over authors, how far the highest seq a peer showed is
// ahead of the local tip.
func (b *backlog) count(local map[protocol.Key]trust.Tip, now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	ahead := map[protocol.Key]uint64{}
	for p, pt := range b.peers {
		if now.Sub(pt.at) > backlogTTL {
			delete(b.peers, p)
			continue
		}
		for a, seq := range pt.seqs {
			ahead[a] = max(ahead[a], seq)
		}
	}
	total := 0
	for a, seq := range ahead {
		if have := local[a].Seq; seq > have {
			total += int(seq - have)
		}
	}
	return total
}

// Backlog returns how many ops this node knows it is missing: over the
// syncs running now (or failed recently), the sum over authors of how far
// the highest seq a peer showed is ahead of this node's own tip. It falls
// as the missing ops are stored, and is 0 when no sync is catching up.
// It never blocks on the loop.
func (n *Node) Backlog() int {
	b := n.backlog()
	if b == nil {
		return 0
	}
	tips, err := n.store.Tips()
	if err != nil {
		return 0
	}
	return b.count(tips, time.Now())
}
