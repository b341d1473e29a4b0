package node

import (
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
)

// TestOthersBurstSyncsAfterSettling: a burst of others' ops, shown before
// its write, is synced only once it has settled (the loop's settle) when
// no work waits, and at once when work is queued; either way the commit
// returns with the write synced. A burst a caller waits on (a sync's
// batch) is synced at once.
func TestOthersBurstSyncsAfterSettling(t *testing.T) {
	const settle = 300 * time.Millisecond
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", t.TempDir(), func(o *store.Options) { o.SyncWrites = true })
	l.settle = settle
	n.work = make(chan func(*loop), 1)

	commit := func() time.Duration {
		t.Helper()
		before := n.store.Syncs()
		start := time.Now()
		l.commit()
		took := time.Since(start)
		if err := n.Err(); err != nil {
			t.Fatalf("the node failed: %v", err)
		}
		if got := n.store.Syncs(); got != before+1 || n.store.Unsynced() {
			t.Fatalf("after the commit: %d syncs (want %d), unsynced %v", got, before+1, n.store.Unsynced())
		}
		return took
	}

	// Nothing waits: the sync waits for the burst to settle.
	if v := l.ingest(d.p1, true); v != accept() {
		t.Fatalf("P1: %+v, want accept", v)
	}
	if took := commit(); took < settle {
		t.Fatalf("commit of P1 with no work waiting took %v, want at least the settle %v", took, settle)
	}

	// Work waits: the sync starts at once.
	n.work <- func(*loop) {}
	if v := l.ingest(d.p2, true); v != accept() {
		t.Fatalf("P2: %+v, want accept", v)
	}
	if took := commit(); took >= settle/2 {
		t.Fatalf("commit of P2 with work waiting took %v, want well under the settle %v", took, settle)
	}
	<-n.work

	// A caller waits on the burst (a sync's batch): the sync starts at once.
	if v := l.ingest(d.x, true); v != accept() {
		t.Fatalf("X: %+v, want accept", v)
	}
	waited := false
	l.after = append(l.after, func(error) { waited = true })
	if took := commit(); took >= settle/2 || !waited {
		t.Fatalf("commit of X with a caller waiting took %v (told %v), want well under the settle %v", took, waited, settle)
	}
}
