package node

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestBacklogCount checks the backlog's sum: per author, the highest seq
// any peer showed less the local tip, never negative; a completed sync
// forgets its peer, and tips older than backlogTTL stop counting.
func TestBacklogCount(t *testing.T) {
	a, b, c := protocol.Key{1}, protocol.Key{2}, protocol.Key{3}
	p, q := peer.ID("p"), peer.ID("q")
	bl := &backlog{peers: map[peer.ID]peerTips{}}
	now := time.Now()
	local := map[protocol.Key]trust.Tip{a: {Seq: 5}, c: {Seq: 9}}
	if cu := bl.catchUp(local, now); cu != (CatchUp{}) {
		t.Errorf("before any sync: %+v, want the zero CatchUp (not Known)", cu)
	}

	bl.see(p, []protocol.SyncTip{{Author: a, Seq: 8}, {Author: b, Seq: 2}, {Author: c, Seq: 4}}, 15)
	bl.see(q, []protocol.SyncTip{{Author: a, Seq: 10}}, 17)
	if got := bl.count(local, now); got != 5+2 {
		t.Errorf("count = %d, want 7 (a: 10-5, b: 2-0, c: ahead locally)", got)
	}
	if cu := bl.catchUp(local, now); cu.Known != true || cu.Backlog != 7 || cu.Base != 15 || cu.Since != bl.peers[p].at {
		t.Errorf("catchUp = %+v, want Known, Backlog 7, Base 15 and Since of the earlier sync, p's", cu)
	}
	local[a] = trust.Tip{Seq: 10}
	if got := bl.count(local, now); got != 2 {
		t.Errorf("count after a caught up = %d, want 2", got)
	}
	bl.done(p, 22)
	if got := bl.count(local, now); got != 0 {
		t.Errorf("count after p's sync completed = %d, want 0", got)
	}
	if cu := bl.catchUp(local, now); !cu.Known || cu.Backlog != 0 || cu.Base != 0 || cu.Last.Ops != 22-15 || cu.Last.Ended.IsZero() {
		t.Errorf("caught up: %+v, want Known, Backlog 0, Base 0, and the last sync done with 7 ops", cu)
	}
	bl.see(p, []protocol.SyncTip{{Author: b, Seq: 3}}, 20)
	if got := bl.count(local, time.Now().Add(backlogTTL+time.Second)); got != 0 {
		t.Errorf("count with stale tips = %d, want 0", got)
	}
	var none *backlog // a stopped node's
	none.see(p, nil, 0)
	none.done(p, 0)
}

// TestBacklogDuringSync holds D's loop while D syncs with A, which holds
// ops D lacks: the backlog shows all of them, then falls to 0 once they
// are stored.
func TestBacklogDuringSync(t *testing.T) {
	c, _ := syncCircle(t, 50)
	a := startNode(t, c, "A", nil)
	submitAll(t, a, c.Ops[1:])
	d := startNode(t, c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Before any sync (D is not connected yet), the backlog is unknown.
	// Once connected, a sync starts at once and shows A's tips, even
	// while D's loop is busy.
	if cu := d.CatchUp(); cu.Known || cu.Backlog != 0 {
		t.Fatalf("CatchUp before any sync = %+v, want not Known", cu)
	}
	release, busy := make(chan struct{}), make(chan struct{})
	go func() { _ = d.do(ctx, func(*loop) { close(busy); <-release }) }()
	<-busy
	if err := d.Connect(ctx, a.AddrInfo()); err != nil {
		close(release)
		t.Fatal(err)
	}
	want := len(c.Ops) - 1 // all but the genesis
	for d.Backlog() != want {
		if ctx.Err() != nil {
			close(release)
			t.Fatalf("Backlog = %d, want %d while the ops wait for the loop", d.Backlog(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if cu := d.CatchUp(); !cu.Known || cu.Base != 1 || cu.Since.IsZero() {
		close(release)
		t.Fatalf("CatchUp during the sync = %+v, want Known from Base 1 (the genesis)", cu)
	}
	close(release)
	for {
		n, _ := d.store.Len()
		if n == len(c.Ops) && d.Backlog() == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("after the sync: %d ops stored (want %d), backlog %d (want 0)", n, len(c.Ops), d.Backlog())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
