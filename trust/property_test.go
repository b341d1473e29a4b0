package trust_test

// Property tests of the membership state machine over random multi-author
// histories with concurrency (gen_test.go), checked against the engine
// itself and against a dumb reference (reference_test.go).
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

// For causally closed S ⊆ S' (each prefix of a delivery order, and every
// actor's set within the whole): a key revoked or gone in S is revoked or
// gone in S' (a revoked key stays revoked), an equivocation stays; and
// grants only decay: a grant or advisory live in S' was live in S, so a key
// that is not a member in S is one in S' only through an Admit enactment
// of its own in S' \ S that is live in S'.
func TestPropMonotoneDenials(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, propDefault)
		order := randomTopo(t, w.ops, "topo")
		e := applyAll(t, order[:1], false)
		prev := e.State()
		for i, op := range order[1:] {
			if err := e.Apply(op); err != nil {
				t.Fatalf("apply %s: %v", op, err)
			}
			monotone(t, w, fmt.Sprintf("prefix %d -> %d", i+1, i+2), order[:i+1], prev, e, order[:i+2])
			prev = e.State()
		}
		for _, n := range w.names {
			monotone(t, w, n+"'s set -> the whole", w.held(n), w.c.Actor(n).Engine.State(), e, w.ops)
		}
	})
}

// A key that is not a founder is a member only if a live Admit enactment
// authored by it exists, citing at least k (of the charter in its view)
// distinct endorsements of it, each in its past (found by walking preds)
// and each live both for the engine and for the dumb reference.
func TestPropNoMembershipWithoutAdmission(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, propDefault)
		d := mustRefDAG(t, w)
		st, err := trust.Resolve(w.ops)
		if err != nil {
			t.Fatal(err)
		}
		admitted(t, w, d, "the whole set", st, d.all())
		for _, n := range w.names {
			admitted(t, w, d, n+"'s engine", w.c.Actor(n).Engine.State(), w.mask(d, n))
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

// The engine agrees with the dumb reference: the State of the whole set and
// of every actor's set, the liveness of every op, and the verdict on every
// op, accepted or refused.
func TestPropReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, propDefault)
		d := mustRefDAG(t, w)
		ref := refResolve(d, d.all())
		e := applyAll(t, w.ops, false)
		sameText(t, w, "engine (want) vs reference (got)", e.State().String(), ref.String())
		for i, op := range w.ops {
			want := op.Kind != protocol.KindAdvisory && !isGrant(op) || ref.live[i]
			if got := e.Live(op.Hash()); got != want {
				t.Fatalf("op %d %s: engine says live=%v, reference %v\n%s", i, op, got, want, w.describe())
			}
		}
		for _, n := range w.names {
			sameText(t, w, n+"'s engine (want) vs reference (got)", w.c.Actor(n).Engine.State().String(), refResolve(d, w.mask(d, n)).String())
		}
		for i, op := range w.ops[1:] {
			if why := refAdmissible(op, refResolve(d, d.past[i+1]), d.past[i+1]); why != "" {
				t.Fatalf("op %d %s was accepted; the reference refuses it: %s\n%s", i+1, op, why, w.describe())
			}
		}
		for _, r := range w.refused {
			past := d.walk(r.op)
			if why := refAdmissible(r.op, refResolve(d, past), past); why == "" {
				t.Fatalf("%s (preds %v) was refused (%v); the reference accepts it\n%s", r.op, w.indices(r.op.Preds), r.err, w.describe())
			}
		}
	})
}

func isGrant(op *protocol.Op) bool {
	var k protocol.MotionKind
	switch b := op.Content().(type) {
	case *protocol.Vote:
		k = b.Motion.Kind
	case *protocol.Enact:
		k = b.Motion.Kind
	default:
		return false
	}
	return k == protocol.MotionAdmit || k == protocol.MotionUnsuspend
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

func errIsMissing(err error) bool   { return trust.Reason(err) == "missing-preds" }
func errIsDuplicate(err error) bool { return trust.Reason(err) == "duplicate" }

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

// mask marks the ops of d that n's engine holds.
func (w *propWorld) mask(d *refDAG, n string) []bool {
	e := w.c.Actor(n).Engine
	in := make([]bool, len(d.ops))
	for i, op := range d.ops {
		in[i] = e.Has(op.Hash())
	}
	return in
}

func (w *propWorld) indices(hs []protocol.Hash) []int {
	var out []int
	for _, h := range hs {
		out = append(out, w.index[h])
	}
	return out
}

func mustRefDAG(t *rapid.T, w *propWorld) *refDAG {
	d, err := newRefDAG(w.ops)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// monotone checks the State after (engine e over ops) against the State
// before (of the subset sub).
func monotone(t *rapid.T, w *propWorld, what string, sub []*protocol.Op, before *trust.State, e *trust.Engine, ops []*protocol.Op) {
	after := e.State()
	fail := func(format string, args ...any) {
		t.Fatalf("%s: %s\nbefore:\n%s\nafter:\n%s\nhistory:\n%s", what, fmt.Sprintf(format, args...), before, after, w.describe())
	}
	for _, k := range before.Keys() {
		b, a := before.Key(k), after.Key(k)
		switch {
		case b.Status == trust.StatusRevoked && a.Status != trust.StatusRevoked:
			fail("%s was revoked, is %s", w.name(k), a.Status)
		case b.Status == trust.StatusLeft && a.Status != trust.StatusLeft && a.Status != trust.StatusRevoked:
			fail("%s had left, is %s", w.name(k), a.Status)
		case b.Equivocated != 0 && (a.Equivocated == 0 || a.Equivocated > b.Equivocated || !a.Suspended):
			fail("%s equivocated at %d, now %d suspended=%v", w.name(k), b.Equivocated, a.Equivocated, a.Suspended)
		}
	}
	in := map[protocol.Hash]bool{}
	for _, op := range sub {
		in[op.Hash()] = true
		if after.IsLiveGrant(op.Hash()) && !before.IsLiveGrant(op.Hash()) {
			fail("grant %s became live as ops were added", op)
		}
	}
	for _, k := range after.Members() {
		if before.IsMember(k) || after.Key(k).Founder {
			continue
		}
		fresh := false
		for _, op := range ops {
			if !in[op.Hash()] && op.Author == k && isAdmitEnact(op) && after.IsLiveGrant(op.Hash()) {
				fresh = true
			}
		}
		if !fresh {
			fail("%s (was %s) became a member without a fresh live Admit", w.name(k), before.Key(k).Status)
		}
	}
}

// admitted checks property (d) on st, the State of the ops of d marked in.
func admitted(t *rapid.T, w *propWorld, d *refDAG, what string, st *trust.State, in []bool) {
	ref := refResolve(d, in)
	for _, k := range st.Members() {
		if st.Key(k).Founder {
			continue
		}
		var why []string
		ok := false
		for i, op := range d.ops {
			e, isEnact := enactOf(op)
			if !in[i] || !isEnact || e.Motion.Kind != protocol.MotionAdmit || op.Author != k {
				continue
			}
			if !st.IsLiveGrant(op.Hash()) {
				why = append(why, fmt.Sprintf("op%d not live", i))
				continue
			}
			past := d.walk(op) // brute force, not d.past
			charter, _ := d.charterIn(past)
			voters := map[protocol.Key]bool{}
			for _, h := range e.Votes {
				j, found := d.index[h]
				if !found || !past[j] || !in[j] {
					continue
				}
				v, isVote := voteOf(d.ops[j])
				if !isVote || v.Motion.Hash() != e.Motion.Hash() || v.Motion.Subject() != k || d.ops[j].Author == k {
					continue
				}
				if st.IsLiveGrant(h) && ref.live[j] {
					voters[d.ops[j].Author] = true
				}
			}
			// k' = min(k, n): the floor of docs/membership.md §2, with n the
			// members of the enactment's view (written out here apart from
			// the engine's ThresholdsFor).
			need := min(int(charter.Admit), refResolve(d, past).members)
			if len(voters) >= need {
				ok = true
				break
			}
			why = append(why, fmt.Sprintf("op%d has %d live endorsers, needs %d", i, len(voters), need))
		}
		if !ok {
			t.Fatalf("%s: %s is a member without a live Admit with k live endorsements (%s)\n%s\n%s", what, w.name(k), strings.Join(why, "; "), st, w.describe())
		}
	}
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
