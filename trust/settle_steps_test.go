package trust

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// TestRemovedInSteps pins draft 38's keys removed before the others: the
// most keys a chain of settled sets removes, fewer than f at each step.
func TestRemovedInSteps(t *testing.T) {
	d, e, k := protocol.Key{1}, protocol.Key{2}, protocol.Key{3}
	group := func(keys ...protocol.Key) map[protocol.Key]bool {
		g := map[protocol.Key]bool{}
		for _, x := range keys {
			g[x] = true
		}
		return g
	}
	cases := []struct {
		name   string
		groups []map[protocol.Key]bool
		f, out int
	}{
		{"one step at a time (9r51)", []map[protocol.Key]bool{group(e, k, d), group(e), group(e, k)}, 2, 3},
		{"f at once reaches back", []map[protocol.Key]bool{group(e, k)}, 2, 0},
		{"two branches, then both", []map[protocol.Key]bool{group(e), group(k), group(e, k)}, 2, 2},
		{"a step of f is no step", []map[protocol.Key]bool{group(e), group(e, k, d)}, 2, 1},
		{"f of three in one step", []map[protocol.Key]bool{group(e, k, d)}, 3, 0},
		{"two then one, f of three", []map[protocol.Key]bool{group(e, k), group(e, k, d)}, 3, 3},
		{"nothing removed", []map[protocol.Key]bool{group()}, 2, 0},
	}
	for _, c := range cases {
		if got := removedInSteps(c.groups, c.f); got != c.out {
			t.Errorf("%s: removedInSteps = %d, want %d", c.name, got, c.out)
		}
	}
}
