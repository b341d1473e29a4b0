package node

import (
	"context"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// The notice to a removed member carries the votes its enactment cites,
// before the enactment, so that the member can apply it without fetching.
func TestNoticeCarriesTheCitedVotes(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	n := startNode(t, c, "A", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := c.Suspend("D", "leak")
	v1 := must(t)(c.Vote("B", m))
	syncActor(t, c, "C", "B")
	v2 := must(t)(c.Vote("C", m))
	syncActor(t, c, "B", "C")
	enact := must(t)(c.Enact("B", m))
	if _, err := n.submit(ctx, []*protocol.Op{v1, v2, enact}); err != nil {
		t.Fatal(err)
	}
	got := n.withVotes(denials([]*protocol.Op{v1, enact}))
	if len(got) != 3 || got[2].Hash() != enact.Hash() {
		t.Fatalf("notice = %v, want the two votes then the enactment", got)
	}
	votes := map[protocol.Hash]bool{got[0].Hash(): true, got[1].Hash(): true}
	if !votes[v1.Hash()] || !votes[v2.Hash()] {
		t.Fatalf("notice = %v, want B's and C's votes", got)
	}
	a := *n.gater.cur.Load() // a copy: the gate's snapshot is shared
	a.notice = denials([]*protocol.Op{v1, enact})
	if ops := a.noticeFor(c.Actor("D").Key); len(ops) != 1 || ops[0].Hash() != enact.Hash() {
		t.Fatalf("noticeFor(D) = %v, want the enactment", ops)
	}
	if ops := a.noticeFor(c.Actor("C").Key); len(ops) != 0 {
		t.Fatalf("noticeFor(C) = %v, want nothing", ops)
	}
}
