package trust_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestFollowersBoundAcknowledgements pins the bound by which a settlement
// round leaves an author's later advisories alone: the keys with an op
// that is the advisory or follows it. M001 signs between M000's two
// advisories and follows only the first; M002 signs after both.
func TestFollowersBoundAcknowledgements(t *testing.T) {
	bc := newBenchCircle(t)
	x1 := bc.must(t, "M000", benchAdvisory(1), 0)
	bc.must(t, "M001", benchAdvisory(2), 0)
	x2 := bc.must(t, "M000", benchAdvisory(3), 0)
	if got := bc.e.FollowersForTest(x2.Hash()); got != 1 {
		t.Fatalf("followers of M000's second advisory before anyone cites it: %d, want 1 (its author)", got)
	}
	bc.must(t, "M002", benchAdvisory(4), 0)
	for _, c := range []struct {
		name string
		h    protocol.Hash
		want int
	}{{"first", x1.Hash(), 3}, {"second", x2.Hash(), 2}} {
		if got := bc.e.FollowersForTest(c.h); got != c.want {
			t.Errorf("followers of M000's %s advisory: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestFollowersBoundHolds checks over the random histories of the model
// properties that an advisory's followers bound the members that
// acknowledge it, in every closure: the bound by which a settlement round
// leaves the rest of an author's run alone. The histories' windows are
// too short for the rounds to use the bound, so this checks the bound
// itself.
func TestFollowersBoundHolds(t *testing.T) {
	checked := 0
	defer func() {
		t.Logf("advisories with acknowledgements checked: %d", checked)
		if checked == 0 && !t.Failed() {
			t.Error("no advisory with an acknowledgement was checked")
		}
	}()
	modelCheck(t, func(t *rapid.T) {
		h := genModelHist(t, rapid.Bool().Draw(t, "byzantine"))
		e := applyAdmitted(t, h.subset(h.all()))
		n, bad := e.FollowersBoundForTest()
		checked += n
		if len(bad) > 0 {
			t.Fatalf("the followers bound fails:\n%s\n%s", strings.Join(bad, "\n"), h.describe())
		}
	})
}

// applyAdmitted applies ops to a new Engine in order, leaving out those it
// refuses (and so those that cite them).
func applyAdmitted(t *rapid.T, ops []*protocol.Op) *trust.Engine {
	e, err := trust.New(ops[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops[1:] {
		_ = e.Apply(op)
	}
	return e
}
