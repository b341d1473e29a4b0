package node

import (
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A forwarder whose parked ops leave the pending set without completing
// (expired, or evicted to keep the forwarder within its quota or the set
// within its bound) is charged incompletePenalty per op. The penalty
// halves every penaltyHalfLife and counts, negated, in the forwarder's
// app-specific gossip score, whose thresholds (gossip −500, publish
// −1000, graylist −2500, see newGossip) it reaches after that many
// incomplete ops in about one half-life.
//
// An honest forwarder is never charged in practice: gossip forwards only
// ops the forwarder accepted, whose preds it stores; a sync answer holds
// only stored ops. So the forwarder can always serve the preds its ops
// miss, and they complete on the next fetch or sync.
const (
	incompletePenalty = 1
	penaltyHalfLife   = 30 * time.Minute
	// penaltyForgotten is the penalty below which a forwarder is dropped
	// from the book.
	penaltyForgotten = 0.01
)

// penalty is a forwarder's penalty as of at.
type penalty struct {
	value float64
	at    time.Time
}

// as returns the penalty decayed to now.
func (p penalty) as(now time.Time) float64 {
	dt := now.Sub(p.at)
	if dt <= 0 {
		return p.value
	}
	return p.value * math.Exp2(-float64(dt)/float64(penaltyHalfLife))
}

// penalties is the book of forwarders' penalties. The loop and the
// gossip validator charge, one at a time (mu); pubsub's score function
// reads the snapshot they publish, from any goroutine, without blocking.
// The zero value is an empty book.
type penalties struct {
	mu   sync.Mutex
	snap atomic.Pointer[map[peer.ID]penalty]
}

// charge adds n penalties (incomplete ops, paced ops) to from's at now.
// The node's pseudo-forwarders (self, restored, unattributed) are never
// charged.
func (b *penalties) charge(from peer.ID, n int, now time.Time) {
	if n <= 0 || pseudoForwarder(from) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	next := map[peer.ID]penalty{}
	if m := b.snap.Load(); m != nil {
		for p, v := range *m {
			if v.as(now) >= penaltyForgotten {
				next[p] = v
			}
		}
	}
	next[from] = penalty{value: next[from].as(now) + float64(n*incompletePenalty), at: now}
	b.snap.Store(&next)
}

// of returns p's penalty at now; safe for concurrent use.
func (b *penalties) of(p peer.ID, now time.Time) float64 {
	m := b.snap.Load()
	if m == nil {
		return 0
	}
	return (*m)[p].as(now)
}

// snapshot returns every forwarder's penalty at now.
func (b *penalties) snapshot(now time.Time) map[peer.ID]float64 {
	out := map[peer.ID]float64{}
	if m := b.snap.Load(); m != nil {
		for p, v := range maps.All(*m) {
			out[p] = v.as(now)
		}
	}
	return out
}
