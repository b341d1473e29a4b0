package node

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// syncTurns keeps one sync at a time running with each peer, and
// remembers a kick that came while one ran: an op that missed preds just
// after a running sync had fetched the missing ones must not wait for the
// periodic sync.
type syncTurns struct {
	mu      sync.Mutex
	running map[peer.ID]bool
	again   map[peer.ID]bool
}

func newSyncTurns() *syncTurns {
	return &syncTurns{running: map[peer.ID]bool{}, again: map[peer.ID]bool{}}
}

// start reports whether the caller should sync with p now; if a sync with
// p is running, it asks that sync to run once more and reports false.
func (t *syncTurns) start(p peer.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.running[p] {
		t.again[p] = true
		return false
	}
	t.running[p] = true
	return true
}

// finish ends a sync with p; it reports true, keeping the turn, when a
// kick came while it ran and the caller should sync once more.
func (t *syncTurns) finish(p peer.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.again[p] {
		delete(t.again, p)
		return true
	}
	delete(t.running, p)
	return false
}
