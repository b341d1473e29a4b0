package node

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A kick during a sync makes that sync run once more, however many kicks
// came; the next kick after it starts a new sync.
func TestSyncTurns(t *testing.T) {
	turns := newSyncTurns()
	p, q := peer.ID("p"), peer.ID("q")
	if !turns.start(p) {
		t.Fatal("the first kick did not start a sync")
	}
	if !turns.start(q) {
		t.Fatal("a sync with another peer was held back")
	}
	for range 2 {
		if turns.start(p) {
			t.Fatal("a second sync with p started while one runs")
		}
	}
	if !turns.finish(p) {
		t.Fatal("a sync kicked while it ran did not run once more")
	}
	if turns.finish(p) {
		t.Fatal("two kicks during one sync made it run twice more")
	}
	if turns.finish(q) {
		t.Fatal("a sync nobody kicked ran again")
	}
	if !turns.start(p) {
		t.Fatal("a kick after the syncs ended did not start one")
	}
}
