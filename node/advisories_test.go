package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// TestAdvisoriesSkipVoid lists the advisories of node D, in circle
// {A..E} where E is revoked and one advisory of E is void: the void one
// is never listed nor shown, the others come in stored order, and the
// cursor pages through them.
func TestAdvisoriesSkipVoid(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	op := must(t)
	first := op(c.Advise("A", "first", protocol.TLPGreen))
	void := op(c.Advise("E", "concurrent with E's revocation", protocol.TLPAmber))
	for _, who := range []string{"A", "B", "C"} {
		op(c.Vote(who, c.Revoke("E")))
	}
	syncActor(t, c, "A", "B", "C")
	op(c.Enact("A", c.Revoke("E")))
	syncActor(t, c, "A", "E")
	second := op(c.Advise("A", "second", protocol.TLPRed))

	n := startNode(t, c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := n.submit(ctx, c.Ops[1:]); err != nil {
		t.Fatal(err)
	}
	if live, err := n.Live(ctx, void.Hash()); err != nil || live {
		t.Fatalf("Live(void) = %v, %v; the fixture needs a void advisory", live, err)
	}

	ads, next, err := n.Advisories(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ads) != 2 || ads[0].Op.Hash() != first.Hash() || ads[1].Op.Hash() != second.Hash() {
		t.Fatalf("Advisories = %v, want first and second", titles(ads))
	}
	if ads[1].Advisory.TLP != protocol.TLPRed || ads[0].Pos >= ads[1].Pos || next != ads[1].Pos+1 {
		t.Errorf("second: TLP %s, positions %d, %d, next %d", ads[1].Advisory.TLP, ads[0].Pos, ads[1].Pos, next)
	}
	page, next1, err := n.Advisories(ctx, 0, 1)
	if err != nil || len(page) != 1 || page[0].Op.Hash() != first.Hash() {
		t.Fatalf("first page = %v, %v; want first", titles(page), err)
	}
	page, next2, err := n.Advisories(ctx, next1, 1)
	if err != nil || len(page) != 1 || page[0].Op.Hash() != second.Hash() {
		t.Fatalf("second page = %v, %v; want second (the void one skipped)", titles(page), err)
	}
	if page, next3, err := n.Advisories(ctx, next2, 1); err != nil || len(page) != 0 || next3 != next2 {
		t.Errorf("after the last: %v, next %d, %v; want none, next %d", titles(page), next3, err, next2)
	}

	if ad, err := n.Advisory(ctx, second.Hash()); err != nil || ad.Advisory.Title != "second" || ad.Pos != ads[1].Pos {
		t.Errorf("Advisory(second) = %+v, %v", ad, err)
	}
	for name, h := range map[string]protocol.Hash{"void": void.Hash(), "a vote": c.Ops[3].Hash(), "unknown": {1}} {
		if _, err := n.Advisory(ctx, h); !errors.Is(err, ErrNoAdvisory) {
			t.Errorf("Advisory(%s) = %v, want ErrNoAdvisory", name, err)
		}
	}
}

func titles(ads []StoredAdvisory) []string {
	var out []string
	for _, ad := range ads {
		out = append(out, ad.Advisory.Title)
	}
	return out
}
