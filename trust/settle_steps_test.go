package trust

import (
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// keyGroup is a group of keys for removedInSteps.
func keyGroup(keys ...protocol.Key) map[protocol.Key]bool {
	g := map[protocol.Key]bool{}
	for _, x := range keys {
		g[x] = true
	}
	return g
}

// TestRemovedInSteps pins the keys removed before the others (drafts 38
// and 39): the most keys that settled sets remove one after another,
// each adding fewer than f keys to those removed before.
func TestRemovedInSteps(t *testing.T) {
	d, e, k := protocol.Key{1}, protocol.Key{2}, protocol.Key{3}
	cases := []struct {
		name   string
		groups []map[protocol.Key]bool
		f, out int
	}{
		{"one step at a time (9r51)", []map[protocol.Key]bool{keyGroup(e, k, d), keyGroup(e), keyGroup(e, k)}, 2, 3},
		{"f at once reaches back", []map[protocol.Key]bool{keyGroup(e, k)}, 2, 0},
		{"two branches, then both", []map[protocol.Key]bool{keyGroup(e), keyGroup(k), keyGroup(e, k)}, 2, 2},
		{"a step of f is no step", []map[protocol.Key]bool{keyGroup(e), keyGroup(e, k, d)}, 2, 1},
		{"f of three in one step", []map[protocol.Key]bool{keyGroup(e, k, d)}, 3, 0},
		{"two then one, f of three", []map[protocol.Key]bool{keyGroup(e, k), keyGroup(e, k, d)}, 3, 3},
		{"nothing removed", []map[protocol.Key]bool{keyGroup()}, 2, 0},
	}
	for _, c := range cases {
		if got := removedInSteps(c.groups, c.f); got != c.out {
			t.Errorf("%s: removedInSteps = %d, want %d", c.name, got, c.out)
		}
	}
}

// TestRemovedInStepsJoinsBranches pins draft 39's step reading: removals
// settled on concurrent branches join the keys removed so far one branch
// at a time, so the closure that first holds both and removes fewer than
// f more is a step (9r53, 9r55); f or more beyond both is still none.
func TestRemovedInStepsJoinsBranches(t *testing.T) {
	d, e, j, k := protocol.Key{1}, protocol.Key{2}, protocol.Key{4}, protocol.Key{3}
	cases := []struct {
		name   string
		groups []map[protocol.Key]bool
		f, out int
	}{
		{"two branches merge with one more (9r53)", []map[protocol.Key]bool{keyGroup(e), keyGroup(k), keyGroup(e, k, d)}, 2, 3},
		{"the merge listed first", []map[protocol.Key]bool{keyGroup(e, k, d), keyGroup(k), keyGroup(e)}, 2, 3},
		{"two branches merge with two more, f of three (9r55)", []map[protocol.Key]bool{keyGroup(e), keyGroup(k), keyGroup(e, k, d, j)}, 3, 4},
		{"two more beyond both, f of two", []map[protocol.Key]bool{keyGroup(e), keyGroup(k), keyGroup(e, k, d, j)}, 2, 2},
		{"a branch of f joins nothing", []map[protocol.Key]bool{keyGroup(e), keyGroup(k, d)}, 2, 1},
		{"a branch of f after one of its keys", []map[protocol.Key]bool{keyGroup(e), keyGroup(e, k, d), keyGroup(k)}, 2, 3},
	}
	for _, c := range cases {
		if got := removedInSteps(c.groups, c.f); got != c.out {
			t.Errorf("%s: removedInSteps = %d, want %d", c.name, got, c.out)
		}
	}
}

// TestEarlierRemovedReadsEveryRemoval pins that a settled Disavow and a
// validated Leave are steps as a Revoke is (draft 39, 9r52 and 9r54): a
// key whose counted ops a settled set's Disavow motion cuts, or whose
// counted twin a settled set's validated Leave of the key makes a twin,
// is removed by that set; a Leave outside V removes nothing.
func TestEarlierRemovedReadsEveryRemoval(t *testing.T) {
	e, k, u, d := protocol.Key{1}, protocol.Key{2}, protocol.Key{3}, protocol.Key{4}
	mE, mK, mD := protocol.Hash{1}, protocol.Hash{2}, protocol.Hash{4}
	enact := func(id vertexID, motion protocol.Hash) *vertex {
		return &vertex{id: id, op: &opHead{Kind: protocol.KindEnact}, motionFields: &motionFields{motion: motion}}
	}
	op := func(id vertexID, author protocol.Key) *vertex {
		return &vertex{id: id, op: &opHead{Author: author, Kind: protocol.KindAdvisory, hash: protocol.Hash{byte(id), 9}}, motionFields: noMotion}
	}
	leave := &vertex{id: 7, op: &opHead{Author: u, Kind: protocol.KindLeave, hash: protocol.Hash{7, 7}}, motionFields: &motionFields{}}
	e1, k1, u1, d1 := op(0, e), op(1, k), op(2, u), op(3, d)
	dg := &dag{vertices: []*vertex{e1, k1, u1, d1, enact(4, mE), enact(5, mK), enact(6, mD), leave}}
	counted := map[protocol.Key][]*vertex{e: {e1}, k: {k1}, u: {u1}, d: {d1}}
	cutBy := map[vertexID][]*vertex{0: {dg.vertices[4]}, 1: {dg.vertices[5]}, 3: {dg.vertices[6]}}
	cut := map[vertexID]bool{0: true, 1: true, 3: true}
	steps := []map[protocol.Hash]bool{
		{mE: true},
		{mE: true, mK: true},
		{mE: true, mK: true, leave.op.hash: true},
		{mE: true, mK: true, leave.op.hash: true, mD: true},
	}
	a := &anchors{keys: map[protocol.Key]bool{u: true}, leaves: map[vertexID]bool{7: true}, cut: cut, cutBy: cutBy, settle: steps}
	if got := a.earlierRemoved(dg, counted, 2); got != 4 {
		t.Errorf("Revoke, Disavow, Leave and Disavow in steps: earlierRemoved = %d, want 4", got)
	}
	// The Leave outside V: no set removes U, which stays counted.
	b := &anchors{keys: a.keys, leaves: map[vertexID]bool{}, cut: cut, cutBy: cutBy, settle: steps}
	if got := b.earlierRemoved(dg, counted, 2); got != 3 {
		t.Errorf("Leave outside V: earlierRemoved = %d, want 3", got)
	}
}

// TestTakesStepsNotFromTwin pins draft 40 (9r58): a closure whose own op
// is a departed key's twin (its key in R, no removal cutting it, and no
// validated Leave it precedes or is) leaves out no key by the steps; a
// closure whose own op is anchored, is a validated Leave, or is a removed
// key's cut op does, as does the past of several ops.
func TestTakesStepsNotFromTwin(t *testing.T) {
	u, g, e := protocol.Key{1}, protocol.Key{2}, protocol.Key{3}
	op := func(id vertexID, author protocol.Key, kind protocol.Kind) *vertex {
		return &vertex{id: id, op: &opHead{Author: author, Kind: kind, hash: protocol.Hash{byte(id), 9}}, motionFields: noMotion}
	}
	twin := op(0, u, protocol.KindAck)
	leave := op(1, u, protocol.KindLeave)
	live := op(2, g, protocol.KindAck)
	cutOp := op(3, e, protocol.KindAck)
	dg := &dag{vertices: []*vertex{twin, leave, live, cutOp}}
	a := &anchors{keys: map[protocol.Key]bool{u: true}, leaves: map[vertexID]bool{1: true}, cut: map[vertexID]bool{3: true}}
	cases := []struct {
		name string
		c    closure
		want bool
	}{
		{"a departed key's twin", closureOf(twin), false},
		{"its validated Leave", closureOf(leave), true},
		{"a live key's op", closureOf(live), true},
		{"a removed key's cut op", closureOf(cutOp), true},
		{"a past", closure{preds: []*vertex{twin, live}}, true},
	}
	for _, c := range cases {
		if got := a.takesSteps(dg, c.c); got != c.want {
			t.Errorf("%s: takesSteps = %v, want %v", c.name, got, c.want)
		}
	}
	// The same twin under anchors that hold no Leave of its key (U not in
	// R) is an anchored op, and its closure takes steps.
	b := &anchors{keys: map[protocol.Key]bool{}, leaves: map[vertexID]bool{}, cut: a.cut}
	if !b.takesSteps(dg, closureOf(twin)) {
		t.Errorf("U outside R: takesSteps = false, want true")
	}
}

// TestSteppedNeedsTwoFMinusOne pins draft 41 (9r60): a closure below the
// bound only because the steps leave keys out, some counted op being a
// departed key's twin, settles an op other than a Leave only on 2f − 1
// anchored acknowledgers, so that f stay when a superset removes fewer
// than f more keys of L; where every counted op is a removed key's cut
// op, or no key is left out, f are enough.
func TestSteppedNeedsTwoFMinusOne(t *testing.T) {
	a := &anchors{cut: map[vertexID]bool{3: true}}
	twin := &vertex{id: 0}
	cutOp := &vertex{id: 3}
	if !a.hasTwin(map[protocol.Key][]*vertex{{1}: {twin}, {3}: {cutOp}}) {
		t.Errorf("hasTwin with a twin counted = false, want true")
	}
	if a.hasTwin(map[protocol.Key][]*vertex{{3}: {cutOp}}) {
		t.Errorf("hasTwin with only cut ops = true, want false")
	}
	for f, want := range map[int]int{1: 1, 2: 3, 3: 5} {
		if got := a.inSteps(true).need(f); got != want {
			t.Errorf("stepped need(%d) = %d, want %d", f, got, want)
		}
		if got := a.inSteps(false).need(f); got != f {
			t.Errorf("need(%d) = %d, want %d", f, got, f)
		}
	}
	if a.stepped || a.inSteps(false) != a {
		t.Errorf("inSteps changed a, or copied it when not stepped")
	}
	var none *anchors
	if none.inSteps(true) != nil || none.need(2) != 2 {
		t.Errorf("nil anchors: inSteps or need misread")
	}
}
