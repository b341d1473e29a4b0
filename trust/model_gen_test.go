package trust_test

// Small random histories for the property tests of the version-2
// membership rules (docs/membership.md) evaluated on trust/refmodel
// (model_property_test.go). They reuse the generator of the old engine's
// property tests (genWorld in gen_test.go): the same circle of five
// founders, three candidates, two sybils and an outsider, honest and
// Byzantine authors, random partial syncs. On top of it:
//
//   - the history is cut to its first modelMaxOps ops (a prefix of a causal
//     order, so causally closed), because refmodel is slow on purpose;
//   - the ops each actor's engine held after every change are kept as
//     snapshots (cut the same way): the H of "H ⊆ H′";
//   - finales that the old engines cannot make (they judge by the old
//     rules, or refuse the op kind), signed here op by op, each kept only
//     if it is admissible in its own view as the refmodel judges that view
//     (docs/membership.md §5):
//     an admission (members endorse a candidate, which enacts it; half the
//     time others, unaware of it, revoke or suspend one of the endorsers:
//     trap c);
//     a stale counter-revocation (keys that have not seen a Revoke or
//     Suspend enactment revoke one of its voters: attack 2's shape);
//     with Byzantine authors, a sybil attack (the Byzantine members and the
//     kept keys of removed members, any number of which the threat model
//     allows, endorse a sybil in a stale view, possibly forking, and may
//     acknowledge their branch; the sybil enacts its admission; it and its
//     allies vote to remove an honest member and one of them enacts that:
//     attacks 3 and 5);
//   - when asked (modelGenConfig; model_finale_test.go), a disavowal, a
//     feud (two factions removing each other's members concurrently) and
//     a lift (or a keep-lift of an equivocation);
//   - zero to three rounds of Acks (kind 6), each citing the heads of what
//     its author knows, so that the quiet founders of a short history
//     acknowledge too: settlement needs a quorum.
//
// Every view an op of a finale was signed in, with that op, is kept as a
// snapshot too.

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/refmodel"
)

const (
	// modelMaxOps caps the ops the engines made (genesis included); the
	// finales add up to about fifteen (one Ack per actor and round, a
	// few votes and enactments).
	modelMaxOps = 24
	// The steps genWorld runs; most make an op or two, and many
	// attempts are refused, so this gives about 15 to modelMaxOps ops.
	modelMinSteps, modelMaxSteps = 20, 45
)

// modelHist is one small history for the model.
type modelHist struct {
	w *propWorld
	t *rapid.T
	// ops is the cut history and its finales, in a causal order, the
	// genesis first.
	ops   []*protocol.Op
	index map[protocol.Hash]int
	// past[i][j]: ops[j] is in the causal past of ops[i] (strictly).
	past [][]bool
	// kept is how many ops came from the engines.
	kept int
	// snaps are distinct causally closed sets some actor held: its engine
	// at some step, or its view when it signed an op of a finale, with
	// that op. Masks over a prefix of ops (shorter masks: false beyond).
	snaps []modelSnap
	// finale names the finales that added ops, for the coverage lines.
	finale map[string]bool
	// attacker marks the actors whose keys an attacker holds from now on.
	attacker map[string]bool
	acks     int
}

type modelSnap struct {
	who string
	in  []bool
	// signed: the view of an op of a finale, with that op (else an
	// engine's set at some step).
	signed bool
	// hostile: signed by an attacker (a sybil, a Byzantine member, a
	// stolen key), whatever the actor's name.
	hostile bool
}

// modelGenConfig shapes the histories of genModelHistWith.
type modelGenConfig struct {
	// byzantine as in propConfig (then without charter changes, as the
	// old TestPropThresholdSafety).
	byzantine bool
	// feud, lift and disavow are the odds, in quarters, that the history
	// gets a feud, a lift and a disavowal finale (model_finale_test.go).
	feud, lift, disavow int
}

// genModelHist draws a small history for the properties; byzantine as in
// modelGenConfig.
func genModelHist(t *rapid.T, byzantine bool) *modelHist {
	gc := modelGenConfig{byzantine: byzantine}
	gc.feud, gc.lift, gc.disavow = modelFinales()
	return genModelHistWith(t, gc)
}

// genModelHistWith draws a small history shaped by gc.
func genModelHistWith(t *rapid.T, gc modelGenConfig) *modelHist {
	byzantine := gc.byzantine
	cfg := propDefault
	cfg.minSteps, cfg.maxSteps = modelMinSteps, modelMaxSteps
	cfg.byzantine, cfg.charter = byzantine, !byzantine
	type rawSnap struct {
		who string
		ops []protocol.Hash
	}
	var raw []rawSnap
	cfg.touch = func(w *propWorld, name string) {
		var hs []protocol.Hash
		for _, op := range w.held(name) {
			hs = append(hs, op.Hash())
		}
		raw = append(raw, rawSnap{name, hs})
	}
	w := genWorld(t, cfg)
	h := &modelHist{w: w, t: t, index: map[protocol.Hash]int{}, finale: map[string]bool{}, attacker: map[string]bool{}}
	for _, op := range w.ops[:min(len(w.ops), modelMaxOps)] {
		h.add(op)
	}
	h.kept = len(h.ops)
	for _, r := range raw {
		in := make([]bool, h.kept)
		for _, hh := range r.ops {
			if i, ok := h.index[hh]; ok {
				in[i] = true
			}
		}
		h.snap(r.who, in, false, false)
	}
	if rapid.IntRange(0, 2).Draw(t, "admission") > 0 {
		h.admission()
	}
	if rapid.IntRange(0, 2).Draw(t, "counter-revocation") > 0 {
		h.counterRevocation()
	}
	if byzantine && rapid.IntRange(0, 3).Draw(t, "sybil-attack") > 0 {
		h.sybilAttack()
	}
	// The disavowal first: it needs c′ members that are not suspended.
	if gc.disavow > 0 && rapid.IntRange(0, 3).Draw(t, "disavow") < gc.disavow {
		h.disavowFinale()
	}
	if gc.feud > 0 && rapid.IntRange(0, 3).Draw(t, "feud") < gc.feud {
		h.feudFinale()
	}
	if gc.lift > 0 && rapid.IntRange(0, 3).Draw(t, "lift") < gc.lift {
		h.liftFinale()
	}
	h.ackRounds()
	for i := range h.snaps {
		h.snaps[i].in = h.pad(h.snaps[i].in)
	}
	return h
}

func (h *modelHist) add(op *protocol.Op) int {
	i := len(h.ops)
	h.index[op.Hash()] = i
	h.ops = append(h.ops, op)
	p := make([]bool, i+1)
	for _, pr := range op.Preds {
		j := h.index[pr]
		p[j] = true
		for k, in := range h.past[j] {
			p[k] = p[k] || in
		}
	}
	h.past = append(h.past, p)
	return i
}

// snap records a snapshot unless an equal one exists.
func (h *modelHist) snap(who string, in []bool, signed, hostile bool) {
	for _, s := range h.snaps {
		if slices.Equal(h.pad(s.in), h.pad(in)) {
			return
		}
	}
	h.snaps = append(h.snaps, modelSnap{who, slices.Clone(in), signed, hostile})
}

// snapsOf returns the snapshots of one kind; with honestOnly, only those
// of honest actors' engines and views.
func (h *modelHist) snapsOf(signed, honestOnly bool) []modelSnap {
	var out []modelSnap
	for _, s := range h.snaps {
		if s.signed == signed && (!honestOnly || !s.hostile && slices.Contains(h.w.honest, s.who)) {
			out = append(out, s)
		}
	}
	return out
}

// pad extends a mask to the ops made so far.
func (h *modelHist) pad(in []bool) []bool {
	out := slices.Clone(in)
	for len(out) < len(h.ops) {
		out = append(out, false)
	}
	return out
}

// before reports whether ops[x] is in the causal past of ops[y].
func (h *modelHist) before(x, y int) bool { return x < len(h.past[y]) && h.past[y][x] }

// closure returns the causal closure of the ops marked in (and of the
// extra indices).
func (h *modelHist) closure(in []bool, extra ...int) []bool {
	out := h.pad(in)
	for _, x := range extra {
		out[x] = true
	}
	for i := range out {
		if !out[i] {
			continue
		}
		for j, p := range h.past[i] {
			out[j] = out[j] || p
		}
	}
	return out
}

func (h *modelHist) key(name string) protocol.Key { return h.w.c.Actor(name).Key }

// lastOwn returns name's op with the highest seq among those marked in
// (the genesis is its first founder's seq 1), or -1.
func (h *modelHist) lastOwn(name string, in []bool) int {
	k, last := h.key(name), -1
	for i, op := range h.ops {
		if i < len(in) && in[i] && op.Author == k && (last < 0 || op.Seq > h.ops[last].Seq) {
			last = i
		}
	}
	return last
}

// engineHeld returns the kept ops name's engine holds.
func (h *modelHist) engineHeld(name string) []bool {
	e := h.w.c.Actor(name).Engine
	in := make([]bool, len(h.ops))
	for i, op := range h.ops[:h.kept] {
		in[i] = e.Has(op.Hash())
	}
	return in
}

// sign signs name's next op over body in view (a causally closed set),
// citing its heads: seq and prev follow name's last op in view, so an op
// signed in a view that lacks name's later ops is a twin. ok(r), given
// the model's Result of the view, says whether the op is admissible
// there; if so the op is added and its index returned, else -1.
func (h *modelHist) sign(name string, body protocol.Body, view []bool, what string, ok func(r *refmodel.Result) bool) int {
	view = h.pad(view)
	r, err := refmodel.Eval(h.subset(view))
	if err != nil {
		h.t.Fatalf("refmodel.Eval of %s's view: %v", name, err)
	}
	if !ok(r) {
		h.t.Logf("finale: %s cannot %s (inadmissible in its view)", name, what)
		return -1
	}
	return h.commit(name, h.makeOp(name, body, view, what), view, what)
}

// makeOp signs name's next op over body in view (padded), citing its
// heads, as sign does, without adding it.
func (h *modelHist) makeOp(name string, body protocol.Body, view []bool, what string) *protocol.Op {
	cited := make([]bool, len(h.ops))
	for i, in := range view {
		if !in {
			continue
		}
		for _, p := range h.ops[i].Preds {
			cited[h.index[p]] = true
		}
	}
	var preds []protocol.Hash
	epoch := h.ops[0].Hash()
	for i, in := range view {
		if in && !cited[i] {
			preds = append(preds, h.ops[i].Hash())
		}
		if in && i > 0 && h.ops[i].Kind != protocol.KindAck {
			epoch = h.ops[i].Epoch // the latest in a causal order; refmodel reads no epoch
		}
	}
	op := &protocol.Op{Group: h.ops[0].Hash(), Seq: 1, Epoch: epoch, Kind: body.Kind(), TS: h.w.c.TS + int64(len(h.ops))}
	if last := h.lastOwn(name, view); last >= 0 {
		prev := h.ops[last].Hash()
		op.Seq, op.Prev = h.ops[last].Seq+1, &prev
		if !slices.Contains(preds, prev) {
			preds = append(preds, prev)
		}
	}
	op.Preds = protocol.SortPreds(preds)
	if err := protocol.Sign(op, body, h.w.c.Actor(name).Priv); err != nil {
		h.t.Fatalf("finale: %s: %s: %v", name, what, err)
	}
	return op
}

// commit adds op, which name signed in view, and records the view with
// it as a snapshot.
func (h *modelHist) commit(name string, op *protocol.Op, view []bool, what string) int {
	i := h.add(op)
	h.t.Logf("finale: %s: %s = op %d", name, what, i)
	h.snap(name, h.closure(view, i), true, h.attacker[name] || h.w.byz[name] || slices.Contains(propSybils, name))
	return i
}

// Admissibility in a view, as the model judges the view (§5: version 1's
// rules with the thresholds of §2).

func modelIsMember(r *refmodel.Result, k protocol.Key) bool { return r.Status[k] == "member" }

func modelActiveMember(r *refmodel.Result, k protocol.Key) bool {
	return modelIsMember(r, k) && !r.Suspended[k]
}

func modelRemovable(r *refmodel.Result, k protocol.Key) bool {
	return r.Status[k] == "member" || r.Status[k] == "lapsed"
}

// effectiveVoters counts the distinct authors of the votes among cited
// that are effective in r.
func (h *modelHist) effectiveVoters(r *refmodel.Result, cited []int) int {
	voters := map[protocol.Key]bool{}
	for _, v := range cited {
		if r.Effective[h.ops[v].Hash()] {
			voters[h.ops[v].Author] = true
		}
	}
	return len(voters)
}

func (h *modelHist) hashes(is []int) []protocol.Hash {
	var out []protocol.Hash
	for _, i := range is {
		out = append(out, h.ops[i].Hash())
	}
	return protocol.SortPreds(out)
}

// removalMotion draws a Revoke or a Suspend motion against target.
func (h *modelHist) removalMotion(target, label string) protocol.Motion {
	if rapid.Bool().Draw(h.t, label+"-revoke") {
		return h.w.c.Revoke(target)
	}
	return h.w.c.Suspend(target, "9")
}

// campaign makes each of voters vote m in its view (views[i]), then
// enactor enact it citing those votes, in the view they span. It returns
// the enactment's index, or -1.
func (h *modelHist) campaign(m protocol.Motion, voters []string, views [][]bool, enactor string, enactView []bool) int {
	var votes []int
	for i, v := range voters {
		if v == h.w.name(m.Subject()) {
			continue
		}
		vi := h.sign(v, &protocol.Vote{Motion: m}, views[i], "vote "+h.w.motionString(&m), func(r *refmodel.Result) bool {
			return modelIsMember(r, h.key(v)) && modelRemovable(r, m.Subject())
		})
		if vi >= 0 {
			votes = append(votes, vi)
		}
	}
	if len(votes) == 0 {
		return -1
	}
	view := h.closure(enactView, votes...)
	return h.sign(enactor, &protocol.Enact{Motion: m, Votes: h.hashes(votes)}, view, "enact "+h.w.motionString(&m), func(r *refmodel.Result) bool {
		return modelIsMember(r, h.key(enactor)) && modelRemovable(r, m.Subject()) && h.effectiveVoters(r, votes) >= modelThreshold(r, m.Kind)
	})
}

// counterRevocation: pick a Revoke or Suspend enactment e; the keys whose
// own chain has not seen e (its target among them) vote, in a view
// without e, to revoke or suspend e's enactor or one of its voters, and
// one of them enacts that.
func (h *modelHist) counterRevocation() {
	t, w := h.t, h.w
	var es []int
	for i, op := range h.ops {
		if modelIsRemovalEnact(op) {
			es = append(es, i)
		}
	}
	if len(es) == 0 {
		return
	}
	e := rapid.SampledFrom(es).Draw(t, "counter-of")
	m, _ := modelMotionOf(h.ops[e])
	var winners []string // e's enactor and voters
	for i, op := range h.ops {
		if vm, enact := modelMotionOf(op); vm != nil && vm.Hash() == m.Hash() && (enact && i == e || !enact && h.before(i, e)) {
			if n := w.name(op.Author); !slices.Contains(winners, n) {
				winners = append(winners, n)
			}
		}
	}
	var losers []string
	for _, n := range slices.Concat(propFounders, propCandidates) {
		last := h.lastOwn(n, h.all())
		if !slices.Contains(winners, n) && (last < 0 || (last != e && !h.before(e, last))) {
			losers = append(losers, n)
		}
	}
	if len(winners) == 0 || len(losers) < 2 {
		return
	}
	target := rapid.SampledFrom(winners).Draw(t, "counter-target")
	voters := rapid.Permutation(losers).Draw(t, "counter-voters")
	voters = voters[:rapid.IntRange(2, len(voters)).Draw(t, "counter-voter-count")]
	// The common stale view: the ops that do not have e in their past.
	stale := make([]bool, len(h.ops))
	for i := range h.ops {
		stale[i] = i != e && !h.before(e, i)
	}
	var views [][]bool
	for _, v := range voters {
		own := h.engineHeld(v)
		for i := range own {
			own[i] = own[i] && stale[i]
		}
		if rapid.Bool().Draw(t, "counter-informed-"+v) {
			own = stale // the losers talked to each other
		}
		views = append(views, h.closure(own))
	}
	if h.campaign(h.removalMotion(target, "counter"), voters, views, voters[0], views[0]) >= 0 {
		h.finale["counter-revocation"] = true
	}
}

// knows returns what name knows: its engine's ops and its own finale ops,
// closed.
func (h *modelHist) knows(name string) []bool {
	own := h.engineHeld(name)
	k := h.key(name)
	for i, op := range h.ops[h.kept:] {
		if op.Author == k {
			own = h.closure(own, h.kept+i)
		}
	}
	return h.pad(own)
}

// admission: a few members endorse a candidate, each in what it knows
// (sometimes having heard of the others' endorsements), the candidate
// enacts its admission, and sometimes other members, who have not seen
// it, vote to revoke or suspend one of the endorsers and enact that: an
// admission concurrent with the removal of one of its endorsers (trap c).
func (h *modelHist) admission() {
	t, w := h.t, h.w
	whole, err := refmodel.Eval(h.ops)
	if err != nil {
		t.Fatal(err)
	}
	var cands, members []string
	for _, n := range propCandidates {
		if s := whole.Status[h.key(n)]; s != "member" && s != "revoked" && s != "left" {
			cands = append(cands, n)
		}
	}
	for _, n := range slices.Concat(propFounders, propCandidates) {
		if whole.Status[h.key(n)] == "member" {
			members = append(members, n)
		}
	}
	if len(cands) == 0 || len(members) < 3 {
		return
	}
	cand := rapid.SampledFrom(cands).Draw(t, "admission-candidate")
	pre := map[string][]bool{}
	for _, n := range w.names {
		pre[n] = h.knows(n)
	}
	endorsers := rapid.Permutation(members).Draw(t, "admission-endorsers")
	endorsers = endorsers[:rapid.IntRange(2, min(4, len(endorsers))).Draw(t, "admission-endorser-count")]
	var votes []int
	for _, e := range endorsers {
		view := pre[e]
		if rapid.Bool().Draw(t, "admission-heard-"+e) {
			view = h.closure(view, votes...)
		}
		k := h.key(e)
		if i := h.sign(e, &protocol.Vote{Motion: w.c.Admit(cand), Evidence: sha256.Sum256([]byte("met"))}, view,
			"endorse "+cand, func(r *refmodel.Result) bool { return modelActiveMember(r, k) }); i >= 0 {
			votes = append(votes, i)
		}
	}
	if len(votes) == 0 {
		return
	}
	ck := h.key(cand)
	admit := h.sign(cand, &protocol.Enact{Motion: w.c.Admit(cand), Votes: h.hashes(votes)}, h.closure(pre[cand], votes...),
		"enact own admit", func(r *refmodel.Result) bool {
			return r.Status[ck] != "revoked" && r.Status[ck] != "left" &&
				h.effectiveVoters(r, votes) >= min(int(r.Charter.Admit), r.SettledMembers)
		})
	if admit < 0 {
		return
	}
	h.finale["admission"] = true
	if !rapid.Bool().Draw(t, "admission-contested") {
		return
	}
	target := w.name(h.ops[rapid.SampledFrom(votes).Draw(t, "admission-contested-endorser")].Author)
	var voters []string
	var views [][]bool
	for _, n := range rapid.Permutation(members).Draw(t, "admission-accusers") {
		if n == target || len(voters) == 4 {
			continue
		}
		view := pre[n]
		if last := h.lastOwn(n, h.all()); last >= 0 && last != admit && !h.before(admit, last) {
			view = h.closure(view, last)
		}
		voters, views = append(voters, n), append(views, view)
	}
	if len(voters) >= 2 && h.campaign(h.removalMotion(target, "admission-contest"), voters, views, voters[0], views[0]) >= 0 {
		h.finale["admission contested"] = true
	}
}

// sybilAttack: hostile keys endorse a sybil in stale views, sometimes
// forking: the Byzantine members, and the keys of removed members (the
// threat model puts any number of them in hostile hands; when there are
// fewer hostile keys than k, some honest members leave first and their
// keys are stolen). The sybil enacts its admission in the view of those
// endorsements, then it and the hostile keys vote to remove an honest
// member, and one of them enacts that (attacks 3 and 5).
func (h *modelHist) sybilAttack() {
	t, w := h.t, h.w
	whole, err := refmodel.Eval(h.ops)
	if err != nil {
		t.Fatal(err)
	}
	hostile := sortedKeys(w.byz)
	stolen := map[string]bool{}
	for _, n := range slices.Concat(propFounders, propCandidates) {
		if s := whole.Status[h.key(n)]; (s == "revoked" || s == "left") && !w.byz[n] {
			hostile = append(hostile, n)
			stolen[n] = true
		}
	}
	before := len(h.ops) // the attackers' stale views come from these ops
	// Hostile keys that were members at some point can endorse in a
	// stale view; a Byzantine candidate never admitted cannot.
	able := 0
	for _, n := range hostile {
		if stolen[n] || whole.Status[h.key(n)] == "member" {
			able++
		}
	}
	if need := int(whole.Charter.Admit); able < need && rapid.IntRange(0, 2).Draw(t, "sybil-steal") > 0 {
		var honest []string
		for _, n := range w.honest {
			if whole.Status[h.key(n)] == "member" {
				honest = append(honest, n)
			}
		}
		left := 0
		for _, n := range rapid.Permutation(honest).Draw(t, "leavers") {
			if able >= need || len(honest)-left <= 2 {
				break
			}
			k := h.key(n)
			if h.sign(n, &protocol.Leave{}, h.knows(n), "leave", func(r *refmodel.Result) bool { return modelRemovable(r, k) }) >= 0 {
				hostile = append(hostile, n)
				stolen[n] = true
				able++
				left++
				h.finale["leave, key stolen"] = true
			}
		}
	}
	if len(hostile) == 0 {
		return
	}
	for n := range stolen {
		h.attacker[n] = true
	}
	sybil := rapid.SampledFrom(propSybils).Draw(t, "sybil")
	order := randomTopo(t, h.ops[:before], "attack-order")
	base := make([]bool, len(h.ops))
	for _, op := range order[:rapid.IntRange(1, len(order)).Draw(t, "attack-view")] {
		base[h.index[op.Hash()]] = true
	}
	var made, endorsements []int
	// A stolen key signs in the stale view (a twin if it signed later);
	// a Byzantine member may too, and all do in a coordinated attack
	// (attack 3: the whole stale branch).
	coordinated := rapid.Bool().Draw(t, "attack-coordinated")
	viewOf := func(n string) []bool {
		v := h.closure(base, made...)
		if !stolen[n] && !coordinated && !rapid.Bool().Draw(t, "fork-"+n) {
			if last := h.lastOwn(n, h.all()); last >= 0 {
				v = h.closure(v, last)
			}
		}
		return v
	}
	for _, n := range rapid.Permutation(hostile).Draw(t, "hostile-order") {
		k := h.key(n)
		i := h.sign(n, &protocol.Vote{Motion: w.c.Admit(sybil), Evidence: sha256.Sum256([]byte("sybil"))}, viewOf(n),
			"endorse sybil "+sybil, func(r *refmodel.Result) bool { return modelActiveMember(r, k) })
		if i >= 0 {
			made, endorsements = append(made, i), append(endorsements, i)
		}
		if rapid.IntRange(0, 3).Draw(t, "advise-"+n) == 0 { // attack 5: a stale advisory
			if i := h.sign(n, &protocol.Advisory{Title: "stale", TLP: protocol.TLPClear}, viewOf(n), "advise",
				func(r *refmodel.Result) bool { return modelActiveMember(r, k) }); i >= 0 {
				made = append(made, i)
			}
		}
	}
	if len(endorsements) == 0 {
		return
	}
	h.finale["sybil endorsements"] = true
	// The hostile keys acknowledge their stale branch, so that it has the
	// acknowledgements a quorum of the keys live in it would give.
	if rapid.Bool().Draw(t, "stale-acks") {
		for _, n := range hostile {
			k := h.key(n)
			if i := h.sign(n, &protocol.Ack{}, h.closure(viewOf(n), made...), "ack the stale branch",
				func(r *refmodel.Result) bool { return modelRemovable(r, k) }); i >= 0 {
				made = append(made, i)
			}
		}
	}
	admit := h.sign(sybil, &protocol.Enact{Motion: w.c.Admit(sybil), Votes: h.hashes(endorsements)}, h.closure(nil, endorsements...),
		"enact own admit", func(r *refmodel.Result) bool {
			return h.effectiveVoters(r, endorsements) >= min(int(r.Charter.Admit), r.SettledMembers)
		})
	if admit < 0 {
		return
	}
	h.finale["sybil admission"] = true
	made = append(made, admit)
	// The target: an honest member that voted to remove a hostile key, or
	// any honest member.
	var targets, accusers []string
	for _, n := range w.honest {
		if whole.Status[h.key(n)] == "member" && !stolen[n] {
			targets = append(targets, n)
		}
	}
	for _, op := range h.ops {
		if m, enact := modelMotionOf(op); m != nil && !enact && m.Target != nil && slices.Contains(hostile, w.name(*m.Target)) &&
			slices.Contains(targets, w.name(op.Author)) && !slices.Contains(accusers, w.name(op.Author)) {
			accusers = append(accusers, w.name(op.Author))
		}
	}
	if len(accusers) > 0 && rapid.Bool().Draw(t, "target-accuser") {
		targets = accusers
	}
	if len(targets) == 0 {
		return
	}
	target := rapid.SampledFrom(targets).Draw(t, "sybil-target")
	voters := []string{sybil}
	views := [][]bool{h.closure(nil, admit)}
	for _, n := range hostile {
		if n != target && rapid.Bool().Draw(t, "sybil-ally-"+n) {
			voters = append(voters, n)
			views = append(views, h.closure(viewOf(n), admit))
		}
	}
	enactor := rapid.SampledFrom(voters).Draw(t, "sybil-enactor")
	if h.campaign(h.removalMotion(target, "sybil"), voters, views, enactor, h.closure(nil, made...)) >= 0 {
		h.finale["sybil removal"] = true
	}
}

// ackRounds appends zero to three rounds of Acks. In each round some of
// the actors that are founders or have enacted their own admission, and
// have not left, sign an Ack citing the heads of what they know: their
// engine's ops and their own finale ops (all ops so far, after a
// gossip), and from the second round on every op of the rounds before.
func (h *modelHist) ackRounds() {
	t, w := h.t, h.w
	know := map[string][]bool{}
	for _, n := range w.names {
		know[n] = h.knows(n)
	}
	var eligible []string
	for _, n := range w.names {
		k := h.key(n)
		ok := slices.Contains(propFounders, n)
		for _, op := range h.ops {
			if op.Author != k {
				continue
			}
			if modelIsEnact(op, protocol.MotionAdmit) {
				ok = true
			}
			if op.Kind == protocol.KindLeave {
				ok = false
				break
			}
		}
		if ok {
			eligible = append(eligible, n)
		}
	}
	rounds := rapid.IntRange(0, 3).Draw(t, "ack-rounds")
	for r := range rounds {
		gossip := rapid.Bool().Draw(t, fmt.Sprintf("ack-gossip-%d", r))
		var made []int
		for _, n := range eligible {
			if !rapid.Bool().Draw(t, fmt.Sprintf("ack-%d-%s", r, n)) {
				continue
			}
			view := know[n]
			if gossip {
				view = h.all()
			}
			k := h.key(n)
			i := h.sign(n, &protocol.Ack{}, view, "ack", func(r *refmodel.Result) bool { return modelRemovable(r, k) })
			if i >= 0 {
				made = append(made, i)
				know[n] = h.closure(view, i)
				h.acks++
			}
		}
		for _, n := range w.names { // the round's ops reach everyone
			know[n] = h.closure(know[n], made...)
		}
	}
}

// subset returns the ops marked in, in h's causal order.
func (h *modelHist) subset(in []bool) []*protocol.Op {
	var out []*protocol.Op
	for i, op := range h.ops {
		if i < len(in) && in[i] {
			out = append(out, op)
		}
	}
	return out
}

func (h *modelHist) all() []bool {
	in := make([]bool, len(h.ops))
	for i := range in {
		in[i] = true
	}
	return in
}

// closedPrefix returns the first n ops of order (a topological order of
// all ops): a causally closed subset.
func (h *modelHist) closedPrefix(order []*protocol.Op, n int) []bool {
	in := make([]bool, len(h.ops))
	for _, op := range order[:n] {
		in[h.index[op.Hash()]] = true
	}
	return in
}

func (h *modelHist) eval(t *rapid.T, in []bool, what string) *refmodel.Result {
	r, err := refmodel.Eval(h.subset(in))
	if err != nil {
		t.Fatalf("refmodel.Eval of %s: %v\n%s", what, err, h.describe())
	}
	return r
}

// Op helpers.

// modelMotionOf returns the motion of a vote or an enactment, and whether op
// is an enactment.
func modelMotionOf(op *protocol.Op) (*protocol.Motion, bool) {
	switch b := op.Content().(type) {
	case *protocol.Vote:
		return &b.Motion, false
	case *protocol.Enact:
		return &b.Motion, true
	}
	return nil, false
}

// modelIsEnact reports whether op enacts a motion of kind k.
func modelIsEnact(op *protocol.Op, k protocol.MotionKind) bool {
	m, enact := modelMotionOf(op)
	return enact && m.Kind == k
}

func modelIsRemovalEnact(op *protocol.Op) bool {
	return modelIsEnact(op, protocol.MotionRevoke) || modelIsEnact(op, protocol.MotionSuspend)
}

// describe lists the history one op a line: index, short hash, author and
// seq, what it is, and the indices of the ops it cites.
func (h *modelHist) describe() string {
	var b strings.Builder
	w := h.w
	fmt.Fprintf(&b, "actors: founders %v, candidates %v, sybils %v, outsider %s; Byzantine %v; ops 0-%d made by the engines, the rest by the finales\n",
		propFounders, propCandidates, propSybils, propOutsider, sortedKeys(w.byz), h.kept-1)
	for i, op := range h.ops {
		fmt.Fprintf(&b, "%3d %s %s#%d ", i, op.Hash().Short()[:8], w.name(op.Author), op.Seq)
		switch body := op.Content().(type) {
		case *protocol.Vote:
			fmt.Fprintf(&b, "vote %s", w.motionString(&body.Motion))
		case *protocol.Enact:
			fmt.Fprintf(&b, "enact %s citing votes %v", w.motionString(&body.Motion), h.indices(body.Votes))
		default:
			fmt.Fprintf(&b, "%s", op.Kind)
		}
		fmt.Fprintf(&b, " | preds %v\n", h.indices(op.Preds))
	}
	return b.String()
}

func (h *modelHist) indices(hs []protocol.Hash) []int {
	var out []int
	for _, x := range hs {
		if i, ok := h.index[x]; ok {
			out = append(out, i)
		} else {
			out = append(out, -1)
		}
	}
	return out
}

// result renders a Result with actor names and op indices.
func (h *modelHist) result(r *refmodel.Result, in []bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "charter v%d, settled members n=%d\n", r.Charter.Version, r.SettledMembers)
	var keys []string
	for k, s := range r.Status {
		l := h.w.name(k) + " " + s
		if r.Suspended[k] {
			l += " suspended"
		}
		keys = append(keys, l)
	}
	slices.Sort(keys)
	fmt.Fprintf(&b, "status: %s\n", strings.Join(keys, ", "))
	var settled, void []int
	for i, op := range h.ops {
		if i >= len(in) || !in[i] {
			continue
		}
		if r.Settled[op.Hash()] {
			settled = append(settled, i)
		}
		if !r.Effective[op.Hash()] && op.Kind != protocol.KindAck {
			void = append(void, i)
		}
	}
	fmt.Fprintf(&b, "settled: %v\nvoid (Acks left out): %v\n", settled, void)
	return b.String()
}

func modelIndices(in []bool) []int {
	var out []int
	for i, ok := range in {
		if ok {
			out = append(out, i)
		}
	}
	return out
}
