package trust_test

// The random histories behind the property tests (property_test.go): a
// trusttest.Circle of five founders, three candidates, two sybil candidates
// and an outsider, each actor with its own engine, driven by random actions
// and random partial syncs between actors, so that ops are concurrent.
// Every op some engine accepted is kept, in a causal order; ops that their
// author's engine refused for good are kept apart, for the reference
// admissibility check.

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

var (
	propFounders   = []string{"A", "B", "C", "D", "E"}
	propCandidates = []string{"X", "Y", "Z"}
	propSybils     = []string{"S1", "S2"}
	propOutsider   = "O"
)

// propConfig shapes a random history.
type propConfig struct {
	minSteps, maxSteps int
	// byzantine picks up to k-1 Byzantine members among the founders and
	// candidates: they endorse the sybils (whom no honest actor endorses),
	// fork their chains, and never take in their own revocation or
	// suspension. Without it, anyone may occasionally fork.
	byzantine bool
	// charter allows charter changes; with byzantine off they may also
	// change k.
	charter bool
	// touch, if set, is called with every actor whose engine changed,
	// while the history is made.
	touch func(w *propWorld, name string)
}

var propDefault = propConfig{minSteps: 30, maxSteps: 70, charter: true}

// propWorld is one random history and the circle that made it.
type propWorld struct {
	c      *trusttest.Circle
	names  []string // every actor, sorted
	byz    map[string]bool
	honest []string // actors that follow the protocol, sorted
	// ops is the genesis and every op some engine accepted, in the order
	// they were first accepted: a causal order.
	ops   []*protocol.Op
	index map[protocol.Hash]int
	// refused are ops that their author's engine refused for good.
	refused []refusal
	// motions are the motions voted on so far (all but Admit), by hash.
	motions []protocol.Motion
	t       *rapid.T
	cfg     propConfig
}

// refusal is an op some engine refused for good, and why.
type refusal struct {
	op  *protocol.Op
	err error
}

// genWorld draws a random history.
func genWorld(t *rapid.T, cfg propConfig) *propWorld {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("prop"), propFounders...)
	if err != nil {
		t.Fatal(err)
	}
	w := &propWorld{c: c, byz: map[string]bool{}, index: map[protocol.Hash]int{}, t: t, cfg: cfg}
	w.accepted(c.Genesis)
	all := slices.Concat(propFounders, propCandidates, propSybils, []string{propOutsider})
	for _, n := range all {
		c.Sync(n, propFounders[0]) // every actor starts with the genesis
	}
	w.names = c.Names()
	if cfg.byzantine {
		k := int(c.Genesis.Content().(*protocol.Genesis).Charter.Admit)
		pool := rapid.Permutation(slices.Concat(propFounders, propCandidates)).Draw(t, "byzantine-pool")
		for _, n := range pool[:rapid.IntRange(0, k-1).Draw(t, "byzantine")] {
			w.byz[n] = true
		}
	}
	for _, n := range w.names {
		if !w.byz[n] && !slices.Contains(propSybils, n) {
			w.honest = append(w.honest, n)
		}
	}
	steps := rapid.IntRange(cfg.minSteps, cfg.maxSteps).Draw(t, "steps")
	for range steps {
		w.step(cfg)
	}
	return w
}

// Actions, repeated by weight. rapid draws early entries a little more
// often than late ones.
var propActions = []string{
	"vote", "vote", "vote", "vote",
	"endorse", "endorse",
	"advise", "advise",
	"admit", "admit",
	"enact", "enact", "enact",
	"sync", "sync", "sync", "sync",
	"campaign", "campaign", "apply", "apply",
	"gossip", "charter", "leave", "fork", "odd",
}

func (w *propWorld) step(cfg propConfig) {
	t := w.t
	action := rapid.SampledFrom(propActions).Draw(t, "action")
	switch action {
	case "sync":
		to, from := w.actor("to"), w.actor("from")
		w.sync(to, from, rapid.IntRange(1, 60).Draw(t, "count"))
	case "gossip": // everyone honest syncs with everyone: lets motions complete
		for _, to := range w.honest {
			for _, from := range w.names {
				w.sync(to, from, 1<<30)
			}
		}
	case "endorse":
		who := w.actor("who")
		cands := propCandidates
		if w.byz[who] {
			cands = slices.Concat(propCandidates, propSybils, propFounders)
		}
		cand := rapid.SampledFrom(cands).Draw(t, "candidate")
		ev := rapid.SampledFrom([]string{"met", "audit"}).Draw(t, "evidence")
		op, err := w.c.Endorse(who, cand, ev)
		w.did(who, op, err, "endorse %s", cand)
	case "admit":
		cand := rapid.SampledFrom(slices.Concat(propCandidates, propSybils)).Draw(t, "candidate")
		for range rapid.IntRange(1, 3).Draw(t, "pulls") {
			w.sync(cand, w.actor("from"), 1<<30)
		}
		op, err := w.c.Enact(cand, w.c.Admit(cand))
		w.did(cand, op, err, "enact own admit")
	case "advise":
		who := w.actor("who")
		tlp := rapid.SampledFrom([]protocol.TLP{protocol.TLPGreen, protocol.TLPAmber}).Draw(t, "tlp")
		op, err := w.c.Advise(who, "advisory", tlp)
		w.did(who, op, err, "advise")
	case "vote":
		who := w.actor("who")
		m, ok := w.motion(who, cfg)
		if !ok {
			return
		}
		w.vote(who, m)
	case "enact":
		if len(w.motions) == 0 {
			return
		}
		who := w.actor("who")
		m := rapid.SampledFrom(w.motions).Draw(t, "motion")
		for range rapid.IntRange(0, 2).Draw(t, "pulls") {
			w.sync(who, w.actor("from"), 1<<30)
		}
		op, err := w.c.Enact(who, m)
		w.did(who, op, err, "enact %s", w.motionString(&m))
	case "leave":
		if rapid.IntRange(0, 2).Draw(t, "really-leave") > 0 {
			return
		}
		who := w.actor("who")
		op, err := w.c.Leave(who)
		w.did(who, op, err, "leave")
	case "fork":
		if !cfg.byzantine && rapid.IntRange(0, 2).Draw(t, "really-fork") > 0 {
			return
		}
		w.fork(cfg)
	case "charter":
		if !cfg.charter {
			return
		}
		who := w.actor("who")
		w.vote(who, w.charterMotion(who, cfg))
	case "campaign": // a few members vote on one motion, then one of them enacts it
		proposer := w.actor("proposer")
		m, ok := w.motion(proposer, cfg)
		if !ok {
			return
		}
		voters := w.actors("voters", rapid.IntRange(2, 5).Draw(t, "voter-count"))
		for _, v := range voters {
			if rapid.IntRange(0, 2).Draw(t, "informed") > 0 {
				w.sync(v, proposer, 1<<30)
			}
			w.vote(v, m)
		}
		enactor := voters[0]
		for _, v := range voters[1:] {
			w.sync(enactor, v, 1<<30)
		}
		op, err := w.c.Enact(enactor, m)
		w.did(enactor, op, err, "enact %s", w.motionString(&m))
	case "apply": // a few members endorse a candidate, who then enacts its admit
		cands := propCandidates
		if cfg.byzantine {
			cands = slices.Concat(propCandidates, propSybils)
		}
		cand := rapid.SampledFrom(cands).Draw(t, "candidate")
		for _, e := range w.actors("endorsers", rapid.IntRange(1, 4).Draw(t, "endorser-count")) {
			if slices.Contains(propSybils, cand) && !w.byz[e] {
				continue
			}
			op, err := w.c.Endorse(e, cand, "vetted")
			w.did(e, op, err, "endorse %s", cand)
			w.sync(cand, e, 1<<30)
		}
		op, err := w.c.Enact(cand, w.c.Admit(cand))
		w.did(cand, op, err, "enact own admit")
	case "odd": // things honest software would not sign, to exercise refusals
		cand := rapid.SampledFrom(slices.Concat(propCandidates, propSybils)).Draw(t, "candidate")
		if rapid.Bool().Draw(t, "cite-all") {
			// The candidate enacts its admit citing every endorsement of
			// it that it holds: void ones, and several by one voter.
			m := w.c.Admit(cand)
			op, err := w.c.Do(cand, &protocol.Enact{Motion: m, Votes: w.allVotes(cand, m)})
			w.did(cand, op, err, "enact own admit citing all its endorsements")
			return
		}
		who := w.actor("who")
		op, err := w.c.Enact(who, w.c.Admit(cand))
		w.did(who, op, err, "enact the admit of %s", cand)
	}
}

// vote makes who vote for m, and remembers m for later votes and
// enactments.
func (w *propWorld) vote(who string, m protocol.Motion) {
	op, err := w.c.Vote(who, m)
	w.did(who, op, err, "vote %s", w.motionString(&m))
	if err == nil && !slices.ContainsFunc(w.motions, func(o protocol.Motion) bool { return o.Hash() == m.Hash() }) {
		w.motions = append(w.motions, m)
	}
}

// actors draws n distinct actors, mostly active ones.
func (w *propWorld) actors(label string, n int) []string {
	var out []string
	for i := range n {
		a := w.actor(fmt.Sprintf("%s-%d", label, i))
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// actor draws an actor: mostly one that its own engine says is in the
// sharing set (so that most attempts are admissible), sometimes anyone;
// with Byzantine actors about, often one of them.
func (w *propWorld) actor(label string) string {
	if len(w.byz) > 0 && rapid.IntRange(0, 2).Draw(w.t, label+"-byzantine") == 0 {
		return rapid.SampledFrom(sortedKeys(w.byz)).Draw(w.t, label)
	}
	var active []string
	for _, n := range w.names {
		a := w.c.Actor(n)
		if a.Engine.State().InSharingSet(a.Key) {
			active = append(active, n)
		}
	}
	if len(active) == 0 || rapid.IntRange(0, 3).Draw(w.t, label+"-anyone") == 0 {
		return rapid.SampledFrom(w.names).Draw(w.t, label)
	}
	return rapid.SampledFrom(active).Draw(w.t, label)
}

// motion draws a motion for who to vote on: one voted on before, or a new
// suspension or revocation of a member (or lapsed member), or the lifting
// of standing suspensions, as who sees them.
func (w *propWorld) motion(who string, cfg propConfig) (protocol.Motion, bool) {
	t := w.t
	if len(w.motions) > 0 && rapid.IntRange(0, 3).Draw(t, "new-motion") > 0 {
		return rapid.SampledFrom(w.motions).Draw(t, "motion"), true
	}
	st := w.c.Actor(who).Engine.State()
	targets := slices.Concat(propFounders, propCandidates)
	var members, suspended []string
	for _, n := range targets {
		if ks := st.Key(w.c.Actor(n).Key); ks.Status == trust.StatusMember || ks.Status == trust.StatusLapsed {
			members = append(members, n)
			if ks.Suspended && ks.Equivocated == 0 {
				suspended = append(suspended, n)
			}
		}
	}
	if len(members) > 0 && rapid.IntRange(0, 3).Draw(t, "any-target") > 0 {
		targets = members
	}
	kinds := []string{"suspend", "revoke"}
	if len(suspended) > 0 {
		kinds = append(kinds, "unsuspend", "unsuspend")
	}
	switch rapid.SampledFrom(kinds).Draw(t, "kind") {
	case "suspend":
		target := rapid.SampledFrom(targets).Draw(t, "target")
		return w.c.Suspend(target, rapid.SampledFrom([]string{"1", "2"}).Draw(t, "case")), true
	case "revoke":
		return w.c.Revoke(rapid.SampledFrom(targets).Draw(t, "target")), true
	}
	// Lift the suspensions of a suspended member that who has seen enacted.
	target := rapid.SampledFrom(suspended).Draw(t, "target")
	var lifts []protocol.Motion
	for _, cs := range []string{"1", "2"} {
		m := w.c.Suspend(target, cs)
		if tl, ok := st.Tally(m.Hash()); ok && tl.Enacted {
			lifts = append(lifts, m)
		}
	}
	if len(lifts) == 0 {
		return protocol.Motion{}, false
	}
	return w.c.Unsuspend(target, lifts...), true
}

// charterMotion draws the next charter version in who's view.
func (w *propWorld) charterMotion(who string, cfg propConfig) protocol.Motion {
	ch := w.c.Actor(who).Engine.State().Charter
	ch.Version++
	ch.Cadence = rapid.SampledFrom([]string{"monthly", "weekly"}).Draw(w.t, "cadence")
	if !cfg.byzantine {
		ch.Admit = uint32(rapid.IntRange(2, 3).Draw(w.t, "k"))
	}
	return protocol.Motion{Kind: protocol.MotionCharter, Charter: &ch}
}

// fork makes an actor sign a second op at its current seq and hands it to
// one other actor that can apply it (or keeps it itself).
func (w *propWorld) fork(cfg propConfig) {
	t := w.t
	var who string
	if cfg.byzantine {
		if len(w.byz) == 0 {
			return
		}
		who = rapid.SampledFrom(sortedKeys(w.byz)).Draw(t, "forker")
	} else {
		who = w.actor("forker")
	}
	var body protocol.Body = &protocol.Advisory{Title: "twin", TLP: protocol.TLPClear}
	if rapid.Bool().Draw(t, "fork-endorses") {
		cand := rapid.SampledFrom(slices.Concat(propCandidates, propSybils)).Draw(t, "candidate")
		body = &protocol.Vote{Motion: w.c.Admit(cand), Evidence: sha256.Sum256([]byte("fork"))}
	}
	if !w.authored(who) {
		return
	}
	var op *protocol.Op
	var err error
	if rapid.IntRange(0, 2).Draw(t, "back-fork") == 0 {
		op, err = w.backFork(who, body)
	} else {
		op, err = w.c.Fork(who, body)
	}
	if err != nil {
		t.Logf("%s cannot fork: %v", who, err)
		return
	}
	order := rapid.Permutation(w.names).Draw(t, "fork-to")
	order = append(slices.DeleteFunc(order, func(n string) bool { return n == who }), who)
	for _, to := range order {
		e := w.c.Actor(to).Engine
		if len(e.Missing(op)) > 0 {
			continue
		}
		err := e.Apply(op)
		switch {
		case errors.Is(err, trust.ErrDuplicate):
			return // the same twin again: a back-fork of the same op over the same heads
		case err == nil:
			t.Logf("%s forks %s, given to %s", who, op, to)
			w.accepted(op)
			w.touched(to)
		case trust.IsTransient(err):
			t.Fatalf("fork %s: %v", op, err)
		default:
			t.Logf("%s forks %s, refused by %s: %v", who, op, to, err)
			w.refused = append(w.refused, refusal{op, err})
		}
		return
	}
}

// allVotes returns every vote for m that who's engine holds, sorted.
func (w *propWorld) allVotes(who string, m protocol.Motion) []protocol.Hash {
	e, h := w.c.Actor(who).Engine, m.Hash()
	var out []protocol.Hash
	for _, op := range w.ops {
		if v, ok := op.Content().(*protocol.Vote); ok && e.Has(op.Hash()) && v.Motion.Hash() == h && len(out) < protocol.MaxVotes {
			out = append(out, op.Hash())
		}
	}
	return protocol.SortPreds(out)
}

// backFork signs, for who, a twin of one of its earlier ops that cites
// who's current heads, which hold that op and who's later ops: a fork with
// its own twin, and later ops of its author, in its past.
func (w *propWorld) backFork(who string, body protocol.Body) (*protocol.Op, error) {
	a := w.c.Actor(who)
	var mine []*protocol.Op
	for _, op := range w.ops[1:] {
		if op.Author == a.Key && a.Engine.Has(op.Hash()) {
			mine = append(mine, op)
		}
	}
	if len(mine) == 0 {
		return nil, fmt.Errorf("no op of its own to fork")
	}
	x := mine[rapid.IntRange(0, len(mine)-1).Draw(w.t, "fork-of")]
	preds := a.Engine.Heads()
	if x.Prev != nil {
		preds = append(preds, *x.Prev)
	}
	op := &protocol.Op{Group: x.Group, Seq: x.Seq, Prev: x.Prev, Preds: protocol.SortPreds(preds),
		Epoch: a.Engine.State().Epoch, Kind: body.Kind(), TS: x.TS + 1}
	return op, protocol.Sign(op, body, a.Priv)
}

// authored reports whether who has an op of its own beyond the genesis.
func (w *propWorld) authored(who string) bool {
	k := w.c.Actor(who).Key
	return slices.ContainsFunc(w.ops[1:], func(o *protocol.Op) bool { return o.Author == k })
}

// did records the outcome of who's attempt to sign and apply op.
func (w *propWorld) did(who string, op *protocol.Op, err error, format string, args ...any) {
	what := fmt.Sprintf(format, args...)
	switch {
	case op == nil:
		w.t.Logf("%s cannot %s: %v", who, what, err)
	case err == nil:
		w.t.Logf("%s: %s = %s", who, what, op)
		w.accepted(op)
		w.touched(who)
	case trust.IsTransient(err):
		w.t.Fatalf("%s: %s: own engine says %v", who, what, err)
	default:
		w.t.Logf("%s: %s refused: %v", who, what, err)
		w.refused = append(w.refused, refusal{op, err})
	}
}

func (w *propWorld) accepted(op *protocol.Op) {
	if _, ok := w.index[op.Hash()]; ok {
		return
	}
	w.index[op.Hash()] = len(w.ops)
	w.ops = append(w.ops, op)
}

func (w *propWorld) touched(name string) {
	if w.cfg.touch != nil {
		w.cfg.touch(w, name)
	}
}

// sync gives to at most count ops that from has and to lacks, in causal
// order. A Byzantine to never takes in its own revocation or suspension
// (nor, therefore, anything after them). Every op whose preds to has must
// be accepted: a verdict is the same on every engine.
func (w *propWorld) sync(to, from string, count int) {
	if to == from {
		return
	}
	dst, src := w.c.Actor(to), w.c.Actor(from)
	n := 0
	for _, op := range w.ops {
		if n >= count {
			break
		}
		h := op.Hash()
		if !src.Engine.Has(h) || dst.Engine.Has(h) || len(dst.Engine.Missing(op)) > 0 {
			continue
		}
		if w.byz[to] && denies(op, dst.Key) {
			continue
		}
		if err := dst.Engine.Apply(op); err != nil {
			w.t.Fatalf("sync %s <- %s: %s accepted elsewhere, refused by %s: %v", to, from, op, to, err)
		}
		n++
	}
	if n > 0 {
		w.t.Logf("sync %s <- %s: %d ops", to, from, n)
		w.touched(to)
	}
}

// denies reports whether op enacts the suspension or revocation of k.
func denies(op *protocol.Op, k protocol.Key) bool {
	e, ok := op.Content().(*protocol.Enact)
	return ok && e.Motion.Target != nil && *e.Motion.Target == k &&
		(e.Motion.Kind == protocol.MotionRevoke || e.Motion.Kind == protocol.MotionSuspend)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// name returns the actor name of key k, or its short hex.
func (w *propWorld) name(k protocol.Key) string {
	for _, n := range w.names {
		if w.c.Actor(n).Key == k {
			return n
		}
	}
	return k.Short()
}

// describe lists the history, one op a line, for failure messages.
func (w *propWorld) describe() string {
	var b []byte
	for i, op := range w.ops {
		b = fmt.Appendf(b, "%3d %s by %s#%d", i, op.Hash().Short(), w.name(op.Author), op.Seq)
		switch body := op.Content().(type) {
		case *protocol.Vote:
			b = fmt.Appendf(b, " vote %s", w.motionString(&body.Motion))
		case *protocol.Enact:
			b = fmt.Appendf(b, " enact %s citing %d", w.motionString(&body.Motion), len(body.Votes))
		default:
			b = fmt.Appendf(b, " %s", op.Kind)
		}
		b = append(b, " preds"...)
		for _, p := range op.Preds {
			b = fmt.Appendf(b, " %d", w.index[p])
		}
		b = append(b, '\n')
	}
	return string(b)
}

func (w *propWorld) motionString(m *protocol.Motion) string {
	switch m.Kind {
	case protocol.MotionCharter:
		return m.String()
	case protocol.MotionSuspend:
		return fmt.Sprintf("suspend %s case %s (%s)", w.name(m.Subject()), m.Case, m.Hash().Short())
	case protocol.MotionUnsuspend:
		return fmt.Sprintf("unsuspend %s lifting %d", w.name(m.Subject()), len(m.Lifts))
	}
	return fmt.Sprintf("%s %s", m.Kind, w.name(m.Subject()))
}
