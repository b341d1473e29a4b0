package trust_test

// Property tests of the membership state machine over random multi-author
// histories with concurrency (gen_test.go), checked against the engine
// itself; model_*_test.go check the rules against the reference model.
//
//	go test ./trust -run Prop -v                     # 100 histories each, about 15 s on 2 cores
//	go test ./trust -run Prop -rapid.checks=3000     # more histories (about 3 s per 100)
//	go test ./trust -run Prop -rapid.seed=N          # replay the seed a failure printed
//
// A failure is shrunk by rapid and printed with the history (one op a
// line, with the indices of its preds) and a diff of the two States. rapid
// also saves it under testdata/rapid/ and replays it first on the next
// run; pass -rapid.nofailfile when hunting with many checks. The histories
// are 30 to 70 steps (propDefault in gen_test.go); raise the bounds there
// to hunt with longer ones. Under -race the default run takes about 90 s.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Any delivery order of a causally closed set gives an identical State,
// identical liveness of every op and identical explanations: random
// topological orders (with and without reading the State between ops),
// random arrival orders through a pending buffer, and Resolve of a shuffled
// slice.
func TestPropConvergence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, propDefault)
		base := applyAll(t, w.ops, false)
		for i, stateEach := range []bool{true, false} {
			order := randomTopo(t, w.ops, fmt.Sprintf("topo-%d", i))
			sameEngine(t, w, fmt.Sprintf("topological order %d", i), base, applyAll(t, order, stateEach))
		}
		sameEngine(t, w, "arrival order with a pending buffer", base, applyPending(t, w.ops))
		shuffled := rapid.Permutation(w.ops).Draw(t, "shuffled")
		st, err := trust.Resolve(shuffled)
		if err != nil {
			t.Fatalf("Resolve of a shuffled set: %v\n%s", err, w.describe())
		}
		sameState(t, w, "Resolve of a shuffled slice", base.State(), st)
	})
}

// An engine fed op by op has, after every op, the State that Resolve gives
// for the ops fed so far; so has every actor's engine, which took in its
// own ops and partial syncs in between.
func TestPropIncrementalEqualsBatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, propDefault)
		order := randomTopo(t, w.ops, "topo")
		e := applyAll(t, order[:1], false)
		for i, op := range order[1:] {
			if err := e.Apply(op); err != nil {
				t.Fatalf("apply %s: %v", op, err)
			}
			st, err := trust.Resolve(order[:i+2])
			if err != nil {
				t.Fatalf("Resolve of a prefix: %v", err)
			}
			sameState(t, w, fmt.Sprintf("engine after %d ops vs Resolve of them", i+2), st, e.State())
		}
		for _, n := range w.names {
			set := w.held(n)
			st, err := trust.Resolve(set)
			if err != nil {
				t.Fatalf("Resolve of %s's ops: %v", n, err)
			}
			sameState(t, w, fmt.Sprintf("%s's engine vs Resolve of its %d ops", n, len(set)), st, w.c.Actor(n).Engine.State())
		}
	})
}

// With fewer than k Byzantine members (who endorse anyone, fork, and never
// take in their own suspension or revocation), no applicant without a live
// honest endorsement is admitted on any honest engine, at any moment: the
// sybils, whom only Byzantine members endorse, never get in.
func TestPropThresholdSafety(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := propDefault
		cfg.byzantine, cfg.charter = true, false
		check := func(w *propWorld, where string, st *trust.State, has func(protocol.Hash) bool) {
			for _, k := range st.Members() {
				if st.Key(k).Founder {
					continue
				}
				if !w.honestlyEndorsed(k, st, has) {
					t.Fatalf("%s: %s is a member without a live honest endorsement (Byzantine: %v)\n%s\n%s",
						where, w.name(k), sortedKeys(w.byz), st, w.describe())
				}
			}
		}
		cfg.touch = func(w *propWorld, n string) {
			if slices.Contains(w.honest, n) {
				e := w.c.Actor(n).Engine
				check(w, n+"'s engine", e.State(), e.Has)
			}
		}
		w := genWorld(t, cfg)
		st, err := trust.Resolve(w.ops)
		if err != nil {
			t.Fatal(err)
		}
		check(w, "the whole set", st, func(protocol.Hash) bool { return true })
	})
}

// applyAll feeds ops, genesis first and each after its preds, to a new
// engine; every op must be accepted. With stateEach, the State is read
// after every op (which changes the engine's internal path).
func applyAll(t *rapid.T, ops []*protocol.Op, stateEach bool) *trust.Engine {
	e, err := trust.New(ops[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops[1:] {
		if err := e.Apply(op); err != nil {
			t.Fatalf("apply %s: %v", op, err)
		}
		if stateEach {
			e.State()
		}
	}
	return e
}

// randomTopo returns a random topological order of ops (Kahn's algorithm,
// choosing among the ready ops by a random priority).
func randomTopo(t *rapid.T, ops []*protocol.Op, label string) []*protocol.Op {
	prio := rapid.Permutation(seq(len(ops))).Draw(t, label)
	index := make(map[protocol.Hash]int, len(ops))
	for i, op := range ops {
		index[op.Hash()] = i
	}
	waiting := make([]int, len(ops))
	children := make([][]int, len(ops))
	var ready []int
	for i, op := range ops {
		for _, p := range op.Preds {
			waiting[i]++
			children[index[p]] = append(children[index[p]], i)
		}
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	var out []*protocol.Op
	for len(ready) > 0 {
		best := 0
		for j := range ready {
			if prio[ready[j]] < prio[ready[best]] {
				best = j
			}
		}
		i := ready[best]
		ready = slices.Delete(ready, best, best+1)
		out = append(out, ops[i])
		for _, c := range children[i] {
			if waiting[c]--; waiting[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	if len(out) != len(ops) {
		t.Fatalf("the history is not causally closed")
	}
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// applyPending delivers ops (after the genesis) in a random arrival order:
// an op whose preds are missing must be refused as ErrMissingPreds and
// waits in a pending buffer, retried after every op that is applied; an
// op delivered twice must be refused as ErrDuplicate.
func applyPending(t *rapid.T, ops []*protocol.Op) *trust.Engine {
	e := applyAll(t, ops[:1], false)
	arrival := rapid.Permutation(ops[1:]).Draw(t, "arrival")
	var pending []*protocol.Op
	apply := func(op *protocol.Op) bool {
		err := e.Apply(op)
		switch {
		case err == nil:
			return true
		case errIsMissing(err) && len(e.Missing(op)) > 0:
			return false
		}
		t.Fatalf("arrival of %s (missing %d preds): %v", op, len(e.Missing(op)), err)
		return false
	}
	for _, op := range arrival {
		if !apply(op) {
			pending = append(pending, op)
			continue
		}
		for progress := true; progress; {
			progress = false
			for i := 0; i < len(pending); i++ {
				if apply(pending[i]) {
					pending = slices.Delete(pending, i, i+1)
					progress = true
					i--
				}
			}
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d ops still pending after every op arrived", len(pending))
	}
	if err := e.Apply(arrival[len(arrival)/2]); !errIsDuplicate(err) {
		t.Fatalf("applying an op twice: %v", err)
	}
	return e
}

func errIsMissing(err error) bool   { return errors.Is(err, trust.ErrMissingPreds) }
func errIsDuplicate(err error) bool { return errors.Is(err, trust.ErrDuplicate) }

// sameEngine checks that two engines over the same set agree on the State,
// the heads, the liveness of every op and the explanation of every key.
func sameEngine(t *rapid.T, w *propWorld, what string, a, b *trust.Engine) {
	sameState(t, w, what, a.State(), b.State())
	if !slices.Equal(a.Heads(), b.Heads()) {
		t.Fatalf("%s: heads differ", what)
	}
	for i, op := range w.ops {
		if a.Live(op.Hash()) != b.Live(op.Hash()) {
			t.Fatalf("%s: op %d %s live=%v vs %v\n%s", what, i, op, a.Live(op.Hash()), b.Live(op.Hash()), w.describe())
		}
		if a.AwaitsSettlement(op.Hash()) != b.AwaitsSettlement(op.Hash()) {
			t.Fatalf("%s: op %d %s awaits settlement=%v vs %v\n%s", what, i, op, a.AwaitsSettlement(op.Hash()), b.AwaitsSettlement(op.Hash()), w.describe())
		}
	}
	if a.Unsettled() != b.Unsettled() {
		t.Fatalf("%s: %d vs %d ops wait to settle\n%s", what, a.Unsettled(), b.Unsettled(), w.describe())
	}
	for _, k := range a.State().Keys() {
		ea, eb := explained(a, k), explained(b, k)
		if !slices.Equal(ea, eb) {
			t.Fatalf("%s: Explain(%s) differs:\n%s\nvs\n%s\n%s", what, w.name(k), strings.Join(ea, "\n"), strings.Join(eb, "\n"), w.describe())
		}
	}
}

func explained(e *trust.Engine, k protocol.Key) []string {
	var out []string
	for _, ev := range e.Explain(k) {
		out = append(out, ev.String())
	}
	slices.Sort(out)
	return out
}

func sameState(t *rapid.T, w *propWorld, what string, want, got *trust.State) {
	if !want.Equal(got) {
		sameText(t, w, what, want.String(), got.String())
	}
}

// sameText fails with a line diff when two renderings differ.
func sameText(t *rapid.T, w *propWorld, what, want, got string) {
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range wl {
		if !slices.Contains(gl, l) {
			fmt.Fprintf(&b, "- %s\n", w.annotate(l))
		}
	}
	for _, l := range gl {
		if !slices.Contains(wl, l) {
			fmt.Fprintf(&b, "+ %s\n", w.annotate(l))
		}
	}
	t.Fatalf("%s: States differ (- want, + got):\n%s\nhistory:\n%s", what, b.String(), w.describe())
}

// annotate replaces short keys and hashes in a State line by actor names
// and op indices.
func (w *propWorld) annotate(l string) string {
	for _, n := range w.names {
		l = strings.ReplaceAll(l, w.c.Actor(n).Key.Short(), n)
	}
	for i, op := range w.ops {
		l = strings.ReplaceAll(l, op.Hash().Short(), fmt.Sprintf("op%d", i))
	}
	return l
}

// held returns the ops n's engine holds, in a causal order.
func (w *propWorld) held(n string) []*protocol.Op {
	e := w.c.Actor(n).Engine
	var out []*protocol.Op
	for _, op := range w.ops {
		if e.Has(op.Hash()) {
			out = append(out, op)
		}
	}
	return out
}

// honestlyEndorsed reports whether st counts a live endorsement of k, among
// the ops has holds, by an actor that is not Byzantine.
func (w *propWorld) honestlyEndorsed(k protocol.Key, st *trust.State, has func(protocol.Hash) bool) bool {
	for _, op := range w.ops {
		v, ok := voteOf(op)
		if ok && has(op.Hash()) && v.Motion.Kind == protocol.MotionAdmit && v.Motion.Subject() == k &&
			!w.byz[w.name(op.Author)] && st.IsLiveGrant(op.Hash()) {
			return true
		}
	}
	return false
}

func enactOf(op *protocol.Op) (*protocol.Enact, bool) {
	e, ok := op.Content().(*protocol.Enact)
	return e, ok
}

func voteOf(op *protocol.Op) (*protocol.Vote, bool) {
	v, ok := op.Content().(*protocol.Vote)
	return v, ok
}

func isAdmitEnact(op *protocol.Op) bool {
	e, ok := enactOf(op)
	return ok && e.Motion.Kind == protocol.MotionAdmit
}
