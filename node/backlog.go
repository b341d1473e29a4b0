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
	known bool     // a peer has shown its tips since the node started
	last  SyncDone // the last completed sync that stored ops
}

// SyncDone is a completed sync that stored ops (CatchUp.Last).
type SyncDone struct {
	// Ops is how many ops this node stored while the sync ran, from
	// whichever peer or by gossip: what arrived.
	Ops int
	// Began and Ended are when the peer showed its tips and when the
	// sync completed.
	Began, Ended time.Time
}

type peerTips struct {
	seqs   map[protocol.Key]uint64
	at     time.Time
	stored int // ops this node had stored when the peer showed the tips
}

// newBacklog returns an empty backlog.
func newBacklog() *backlog { return &backlog{peers: map[peer.ID]peerTips{}} }

// see notes the tips peer p showed at the start of a sync, when this node
// had stored ops.
func (b *backlog) see(p peer.ID, tips []protocol.SyncTip, stored int) {
	if b == nil {
		return
	}
	seqs := make(map[protocol.Key]uint64, len(tips))
	for _, t := range tips {
		seqs[t.Author] = t.Seq
	}
	b.mu.Lock()
	b.peers[p] = peerTips{seqs: seqs, at: time.Now(), stored: stored}
	b.known = true
	b.mu.Unlock()
}

// done forgets p's tips once a sync with p completed, when this node had
// stored ops: what p had, this node now has, or refused. A sync during
// which ops arrived becomes the last one done.
func (b *backlog) done(p peer.ID, stored int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if pt, ok := b.peers[p]; ok && stored > pt.stored {
		b.last = SyncDone{Ops: stored - pt.stored, Began: pt.at, Ended: time.Now()}
	}
	delete(b.peers, p)
	b.mu.Unlock()
}

// count sums, over authors, how far the highest seq a peer showed is
// ahead of the local tip.
func (b *backlog) count(local map[protocol.Key]trust.Tip, now time.Time) int {
	return b.catchUp(local, now).Backlog
}

// catchUp reports the backlog against the local tips, and the fewest ops
// stored when a peer still counted showed its tips.
func (b *backlog) catchUp(local map[protocol.Key]trust.Tip, now time.Time) CatchUp {
	b.mu.Lock()
	defer b.mu.Unlock()
	ahead := map[protocol.Key]uint64{}
	cu := CatchUp{Known: b.known, Base: -1, Last: b.last}
	for p, pt := range b.peers {
		if now.Sub(pt.at) > backlogTTL {
			delete(b.peers, p)
			continue
		}
		for a, seq := range pt.seqs {
			ahead[a] = max(ahead[a], seq)
		}
		if cu.Base < 0 || pt.stored < cu.Base {
			cu.Base, cu.Since = pt.stored, pt.at
		}
	}
	for a, seq := range ahead {
		if have := local[a].Seq; seq > have {
			cu.Backlog += int(seq - have)
		}
	}
	if cu.Backlog == 0 {
		cu.Base, cu.Since = 0, time.Time{}
	}
	return cu
}

// CatchUp is how far this node is from what its peers showed it
// (Node.CatchUp).
type CatchUp struct {
	// Known is set once a peer has shown this node its tips since the
	// node started: until the first sync begins, the node cannot know
	// what it lacks, and Backlog is 0.
	Known bool
	// Backlog is the number of ops this node knows it is missing
	// (Node.Backlog).
	Backlog int
	// Base is the number of ops this node had stored when the earliest
	// of the syncs counted in Backlog began, so that the store's Len
	// less Base is what has arrived since, and Since is when that sync
	// began; 0 and the zero time while Backlog is 0.
	Base  int
	Since time.Time
	// Last is the last completed sync that stored ops, however short:
	// a catch-up can end between two looks at Backlog.
	Last SyncDone
}

// Backlog returns how many ops this node knows it is missing: over the
// syncs running now (or failed recently), the sum over authors of how far
// the highest seq a peer showed is ahead of this node's own tip. It falls
// as the missing ops are stored, and is 0 when no sync is catching up.
// It never blocks on the loop.
func (n *Node) Backlog() int { return n.CatchUp().Backlog }

// CatchUp reports Backlog, whether the node can know it yet (a peer has
// shown its tips since the node started), and how many ops the node held
// when the catch-up behind the backlog began. It never blocks on the
// loop.
func (n *Node) CatchUp() CatchUp {
	b := n.sync.backlog()
	if b == nil {
		return CatchUp{}
	}
	tips, err := n.store.Tips()
	if err != nil {
		return CatchUp{}
	}
	return b.catchUp(tips, time.Now())
}
