package trust_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The commands of the scenario scripts (see TestScenarios). Each returns
// its output lines and whether its assertions held.

// genesis founds the circle; with unsigned=F it only shows that a genesis
// F did not sign is refused.
func (r *runner) genesis(a args) ([]string, bool) {
	if len(a.pos) == 0 {
		return failed("genesis needs founders")
	}
	ch := protocol.DefaultCharter(r.name)
	for k, p := range map[string]*uint32{"k": &ch.Admit, "s": &ch.Suspend, "r": &ch.Revoke, "c": &ch.Change} {
		if v, ok := a.opt[k]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return failed("%s=%s", k, v)
			}
			*p = uint32(n)
		}
	}
	if skip, ok := a.opt["unsigned"]; ok {
		return r.unsignedGenesis(ch, a.pos, skip, a.want)
	}
	c, err := trusttest.NewCircle(ch, a.pos...)
	if err != nil {
		return []string{"genesis: " + verdict(err) + ": " + err.Error()}, a.want == verdict(err)
	}
	r.c = c
	r.label(c.Genesis, "genesis")
	r.seq[a.pos[0]] = 1
	line, ok := r.judged("genesis", nil, a.want)
	return []string{fmt.Sprintf("%s (k=%d s=%d r=%d, %d founders)", line, ch.Admit, ch.Suspend, ch.Revoke, len(a.pos))}, ok
}

// unsignedGenesis builds a genesis that founder skip has not signed and
// shows how trust.New and protocol.Open judge it.
func (r *runner) unsignedGenesis(ch protocol.Charter, founders []string, skip, want string) ([]string, bool) {
	g := &protocol.Genesis{Charter: ch}
	for _, n := range founders {
		g.Founders = append(g.Founders, protocol.Member{Key: protocol.KeyOf(trusttest.KeyFor(n)), EncKey: trusttest.EncKeyFor(n), Profile: trusttest.Profile(n)})
	}
	for _, n := range founders {
		if n != skip {
			if err := protocol.SignGenesis(g, 0, trusttest.KeyFor(n)); err != nil {
				return failed("%v", err)
			}
		}
	}
	for len(g.Sigs) > 0 && g.Sigs[len(g.Sigs)-1] == nil {
		g.Sigs = g.Sigs[:len(g.Sigs)-1] // the last founder's gap leaves the list short
	}
	op := &protocol.Op{Kind: protocol.KindGenesis, Seq: 1}
	if err := protocol.Sign(op, g, trusttest.KeyFor(founders[0])); err != nil {
		return failed("%v", err)
	}
	_, errNew := trust.New(op)
	_, errOpen := protocol.Open(op.Bytes(), op.Hash())
	signed := len(slices.DeleteFunc(slices.Clone(g.Sigs), func(s []byte) bool { return s == nil }))
	out, held := []string{fmt.Sprintf("%d of %d founder signatures", signed, len(founders))}, true
	for _, check := range []struct {
		what string
		err  error
	}{{"trust.New", errNew}, {"protocol.Open", errOpen}} {
		line := check.what + ": " + verdict(check.err)
		if check.err != nil {
			line += ": " + strings.ReplaceAll(check.err.Error(), protocol.KeyOf(trusttest.KeyFor(skip)).Short(), skip)
		}
		if want != "" && want != verdict(check.err) {
			line, held = line+" (want "+want+")", false
		}
		out = append(out, line)
	}
	return out, held
}

// act has actor sign an op (endorse, vote, enact, admit, advise, leave)
// and apply it to its own engine, or, after "fork", sign it at the seq of
// its last op and apply it nowhere.
func (r *runner) act(actor string, a args) ([]string, bool) {
	verb, fork := a.pos[0], false
	a.pos = a.pos[1:]
	if verb == "backdate" {
		return r.backdate(actor, a)
	}
	if verb == "fork" && len(a.pos) > 0 {
		verb, fork, a.pos = a.pos[0], true, a.pos[1:]
	}
	if r.modelOnly && fork {
		return failed("fork is not available in model mode; use backdate")
	}
	if r.modelOnly {
		r.hold(actor)
	} else {
		r.engine(actor)
	}
	body, err := r.body(actor, verb, a)
	if err != nil {
		return failed("%s", r.names(err.Error()))
	}
	if r.modelOnly {
		return r.modelAct(actor, body, a.want)
	}
	if fork {
		if last := r.ops[fmt.Sprintf("%s#%d", actor, r.seq[actor])]; last == nil || last.IsGenesis() {
			return failed("%s has no op to fork", actor)
		}
		op, err := r.c.Fork(actor, body)
		if err != nil {
			return failed("%v", err)
		}
		l := r.label(op, fmt.Sprintf("%s#%d", actor, op.Seq))
		return []string{fmt.Sprintf("%s: a second op at seq %d beside %s#%d, applied nowhere", l, op.Seq, actor, op.Seq)}, true
	}
	op, err := r.c.Do(actor, body)
	if op == nil { // not even signed
		line, ok := r.judged(fmt.Sprintf("%s#%d!", actor, r.seq[actor]+1), err, a.want)
		return []string{line}, ok
	}
	l := fmt.Sprintf("%s#%d", actor, op.Seq)
	if err != nil {
		l += "!"
	} else {
		r.seq[actor] = op.Seq
	}
	line, ok := r.judged(r.label(op, l), err, a.want)
	return []string{line}, ok
}

// engine returns the actor's engine, giving the actor the genesis first if
// it has none.
func (r *runner) engine(name string) *trust.Engine {
	a := r.c.Actor(name)
	if a.Engine == nil {
		a.Engine, _ = trust.New(r.c.Genesis)
	}
	return a.Engine
}

func (r *runner) body(actor, verb string, a args) (protocol.Body, error) {
	switch verb {
	case "endorse":
		if len(a.pos) != 1 {
			return nil, errors.New("endorse whom?")
		}
		ev := a.opt["evidence"]
		if ev == "" {
			ev = actor + " vetted " + a.pos[0]
		}
		return &protocol.Vote{Motion: r.motion("admit", a.pos[0], ""), Evidence: sha256.Sum256([]byte(ev))}, nil
	case "admit":
		return r.body(actor, "enact", args{pos: []string{"admit", actor}, opt: a.opt})
	case "vote", "enact":
		if len(a.pos) != 2 {
			return nil, fmt.Errorf("%s needs a motion and a subject", verb)
		}
		m := r.motion(a.pos[0], a.pos[1], a.opt["case"])
		if err := r.motionExtras(&m, a.pos[0], a.pos[1], a.opt); err != nil {
			return nil, err
		}
		if a.pos[0] == "charter" {
			var err error
			if m, err = r.charterMotion(a.pos[1], a.opt); err != nil {
				return nil, err
			}
		}
		if m.Kind == 0 {
			return nil, fmt.Errorf("unknown motion %q", a.pos[0])
		}
		if verb == "vote" {
			return &protocol.Vote{Motion: m}, nil
		}
		list, ok := a.opt["votes"]
		if !ok && r.modelOnly {
			return &protocol.Enact{Motion: m, Votes: r.modelVotes(actor, m)}, nil
		}
		if !ok {
			return &protocol.Enact{Motion: m, Votes: r.c.Votes(actor, m)}, nil
		}
		var votes []protocol.Hash
		for _, l := range strings.Split(list, ",") {
			op, ok := r.ops[l]
			if !ok {
				return nil, fmt.Errorf("no op %s", l)
			}
			votes = append(votes, op.Hash())
		}
		return &protocol.Enact{Motion: m, Votes: protocol.SortPreds(votes)}, nil
	case "advise":
		if len(a.pos) != 1 {
			return nil, errors.New(`advise "title"`)
		}
		tlp := protocol.TLP(a.opt["tlp"])
		if tlp == "" {
			tlp = protocol.TLPAmber
		}
		return &protocol.Advisory{Title: a.pos[0], TLP: tlp}, nil
	case "leave":
		return &protocol.Leave{}, nil
	case "ack":
		return &protocol.Ack{}, nil
	}
	return nil, fmt.Errorf("unknown verb %q", verb)
}

// motion builds a motion about subject and names its hash for output. Its
// Kind is zero when kind is not a motion.
func (r *runner) motion(kind, subject, cases string) protocol.Motion {
	var m protocol.Motion
	if cases == "" && (kind == "suspend" || kind == "unsuspend") {
		cases = "1" // every suspension motion has a case
	}
	switch kind {
	case "admit":
		m = r.c.Admit(subject)
		r.notes[m.Application.ID()] = "application of " + subject
	case "revoke":
		m = r.c.Revoke(subject)
	case "suspend":
		m = r.c.Suspend(subject, cases)
	case "unsuspend":
		var lifts []protocol.Motion
		for _, cs := range strings.Split(cases, ",") {
			lifts = append(lifts, r.motion("suspend", subject, cs))
		}
		m = r.c.Unsuspend(subject, lifts...)
	default:
		return m
	}
	note := kind + " " + subject
	if cases != "" {
		note += " case=" + cases
	}
	r.notes[m.Hash()] = "(" + note + ")"
	return m
}

// who resolves "all", a name, or a comma-separated list of names to actors
// that have the genesis.
func (r *runner) who(spec string) ([]string, error) {
	if spec == "all" {
		return slices.DeleteFunc(r.c.Names(), func(n string) bool { return !r.joined(n) }), nil
	}
	names := strings.Split(spec, ",")
	for _, n := range names {
		if _, ok := r.c.Actors[n]; !ok || !r.joined(n) {
			return nil, fmt.Errorf("%s has no genesis", n)
		}
	}
	return names, nil
}

// sync gives each target, in creation order, every op its source has and
// it lacks; among several actors it repeats until nobody learns more. It
// prints what each actor learned, and fails if an engine refuses an op
// that its author's engine accepted.
func (r *runner) sync(pos []string) ([]string, bool) {
	var pairs [][2]string // to, from
	switch {
	case len(pos) == 3 && pos[1] == "<-":
		for _, to := range strings.Split(pos[0], ",") {
			pairs = append(pairs, [2]string{to, pos[2]})
		}
	case len(pos) > 0:
		names := pos
		if len(pos) == 1 && pos[0] == "all" {
			names = r.c.Names()
		}
		for _, to := range names {
			for _, from := range names {
				if to != from {
					pairs = append(pairs, [2]string{to, from})
				}
			}
		}
	default:
		return failed("sync A <- B, sync A B C, or sync all")
	}
	for _, p := range pairs {
		if _, ok := r.c.Actors[p[1]]; !ok {
			return failed("no actor %s", p[1])
		}
	}
	if r.modelOnly {
		return r.modelSync(pairs)
	}
	got, refused := map[string][]string{}, map[string]string{}
	for progress := true; progress; {
		progress = false
		for _, p := range pairs {
			src, dst := r.c.Actor(p[1]).Engine, r.engine(p[0])
			for _, op := range r.c.Ops[1:] {
				if src == nil || !src.Has(op.Hash()) || dst.Has(op.Hash()) {
					continue
				}
				if err := dst.Apply(op); err != nil {
					refused[p[0]+" refused "+r.labels[op.Hash()]] = verdict(err) + ": " + r.names(err.Error())
					continue
				}
				got[p[0]], progress = append(got[p[0]], r.labels[op.Hash()]), true
			}
		}
	}
	var out []string
	for _, n := range slices.Sorted(maps.Keys(got)) {
		out = append(out, n+" <- "+strings.Join(got[n], " "))
	}
	for _, k := range slices.Sorted(maps.Keys(refused)) {
		out = append(out, k+": "+refused[k])
	}
	if len(out) == 0 {
		out = []string{"nothing new"}
	}
	return out, len(refused) == 0
}

// deliver applies the labelled ops to one actor's engine, in order.
func (r *runner) deliver(a args) ([]string, bool) {
	if len(a.pos) < 3 || a.pos[1] != "<-" {
		return failed("deliver A <- B#2 [C#3 ...]")
	}
	if r.modelOnly {
		return r.modelDeliver(a.pos[0], a.pos[2:])
	}
	e := r.engine(a.pos[0])
	var out []string
	held := true
	for _, l := range a.pos[2:] {
		op, ok := r.ops[l]
		if !ok {
			return failed("no op %s", l)
		}
		line, ok := r.judged(l, e.Apply(op), a.want)
		out, held = append(out, line), held && ok
	}
	return out, held
}

// state prints an actor's State: the charter's thresholds, a line per key
// by name, and the sharing set; or, with "full", State.String.
func (r *runner) state(pos []string) ([]string, bool) {
	if len(pos) == 0 || strings.Contains(pos[0], ",") || pos[0] == "all" {
		return failed("state A [full]")
	}
	names, err := r.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	st := r.c.Actor(names[0]).Engine.State()
	if len(pos) > 1 && pos[1] == "full" {
		return strings.Split(strings.TrimSpace(r.names(st.String())), "\n"), true
	}
	var keys, sharing []string
	for _, k := range st.Keys() {
		keys = append(keys, r.names(st.Key(k).String()))
	}
	for _, k := range st.SharingSet() {
		sharing = append(sharing, r.names(k.Short()))
	}
	slices.Sort(keys)
	slices.Sort(sharing)
	out := []string{fmt.Sprintf("charter v%d k=%d s=%d r=%d", st.Charter.Version, st.Charter.Admit, st.Charter.Suspend, st.Charter.Revoke)}
	return append(append(out, keys...), "sharing: "+strings.Join(sharing, " ")), true
}

func (r *runner) explain(pos []string) ([]string, bool) {
	if len(pos) != 2 {
		return failed("explain A X")
	}
	names, err := r.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	var out []string
	for _, ev := range r.c.Actor(names[0]).Engine.Explain(r.c.Actor(pos[1]).Key) {
		out = append(out, r.names(ev.String()))
	}
	if len(out) == 0 {
		out = []string{"nothing"}
	}
	return out, true
}

// liveness groups the actors of spec by how their engines hold the op
// labelled l: "live" (counted), "void" (applied, never counted) or
// "missing".
func (r *runner) liveness(spec, l string) (map[string][]string, []string, error) {
	names, err := r.who(spec)
	if err != nil {
		return nil, nil, err
	}
	op, ok := r.ops[l]
	if !ok {
		return nil, nil, fmt.Errorf("no op %s", l)
	}
	groups := map[string][]string{}
	for _, n := range names {
		e, g := r.c.Actor(n).Engine, "void"
		switch {
		case !e.Has(op.Hash()):
			g = "missing"
		case e.Live(op.Hash()):
			g = "live"
		}
		groups[g] = append(groups[g], n)
	}
	return groups, names, nil
}

func (r *runner) live(pos []string) ([]string, bool) {
	if len(pos) != 2 {
		return failed("live A|all|A,B <label>")
	}
	groups, _, err := r.liveness(pos[0], pos[1])
	if err != nil {
		return failed("%v", err)
	}
	var out []string
	for _, g := range []string{"live", "void", "missing"} {
		if len(groups[g]) > 0 {
			out = append(out, fmt.Sprintf("%s %s on %s", pos[1], g, strings.Join(groups[g], " ")))
		}
	}
	return out, true
}

func (r *runner) expect(pos []string) ([]string, bool) {
	switch {
	case len(pos) > 0 && pos[0] == "live":
		return r.expectLive(pos[1:])
	case len(pos) > 0 && pos[0] == "same":
		return r.expectSame(pos[1:])
	case len(pos) > 0 && pos[0] == "model":
		return r.expectModel(pos[1:])
	case len(pos) < 3:
		return failed("expect A|all|A,B X <status> [suspended] [needs=N] [equivocated=N]")
	}
	names, err := r.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	want := slices.Sorted(slices.Values(pos[2:]))
	var out []string
	for _, n := range names {
		got := standing(r.c.Actor(n).Engine.State().Key(r.c.Actor(pos[1]).Key), pos[3:])
		if !slices.Equal(slices.Sorted(slices.Values(got)), want) {
			out = append(out, fmt.Sprintf("%s sees %s %s, want %s", n, pos[1], strings.Join(got, " "), strings.Join(pos[2:], " ")))
		}
	}
	if len(out) > 0 {
		return out, false
	}
	return []string{"ok"}, true
}

// standing describes a key in the words of expect: its status,
// "suspended" if it is, and the values of the needs= and equivocated=
// terms among terms.
func standing(ks trust.KeyState, terms []string) []string {
	out := []string{ks.Status.String()}
	if ks.Suspended {
		out = append(out, "suspended")
	}
	for _, t := range terms {
		switch {
		case strings.HasPrefix(t, "needs="):
			out = append(out, fmt.Sprintf("needs=%d", ks.Missing()))
		case strings.HasPrefix(t, "equivocated="):
			out = append(out, fmt.Sprintf("equivocated=%d", ks.Equivocated))
		}
	}
	return out
}

// expectLive asserts that every actor of spec has the op and counts it
// ("true") or holds it void ("false").
func (r *runner) expectLive(pos []string) ([]string, bool) {
	want := map[string]string{"true": "live", "false": "void"}
	if len(pos) != 3 || want[pos[2]] == "" {
		return failed("expect live A|all|A,B <label> true|false")
	}
	groups, names, err := r.liveness(pos[0], pos[1])
	if err != nil {
		return failed("%v", err)
	}
	if len(groups[want[pos[2]]]) == len(names) {
		return []string{"ok"}, true
	}
	var out []string
	for _, g := range []string{"live", "void", "missing"} {
		if g != want[pos[2]] && len(groups[g]) > 0 {
			out = append(out, fmt.Sprintf("%s %s on %s, want %s", pos[1], g, strings.Join(groups[g], " "), want[pos[2]]))
		}
	}
	return out, false
}

// expectSame asserts that the actors' States are identical.
func (r *runner) expectSame(pos []string) ([]string, bool) {
	if len(pos) != 1 {
		return failed("expect same A,B|all")
	}
	names, err := r.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	first := r.c.Actor(names[0]).Engine.State()
	for _, n := range names[1:] {
		if st := r.c.Actor(n).Engine.State(); !st.Equal(first) {
			return append([]string{names[0] + " and " + n + " differ:"}, lineDiff(r.names(first.String()), r.names(st.String()))...), false
		}
	}
	return []string{"ok"}, true
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) []string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return out
}

// orders replays the circle's ops (forks included) into fresh engines in
// every causal order, or in random ones when there are too many, and
// asserts that all end in one State counting the same ops, which is also
// that of every actor holding all the ops.
func (r *runner) orders() ([]string, bool) {
	const most, samples = 300, 100
	ops := r.c.Ops[1:]
	if len(ops) > 62 {
		return failed("too many ops to order")
	}
	var needs []uint64 // needs[i]: the ops among ops that ops[i] cites
	for _, op := range ops {
		var m uint64
		for j, p := range ops {
			if slices.Contains(op.Preds, p.Hash()) {
				m |= 1 << j
			}
		}
		needs = append(needs, m)
	}
	ready := func(done uint64) (out []int) {
		for i := range ops {
			if done&(1<<i) == 0 && needs[i]&^done == 0 {
				out = append(out, i)
			}
		}
		return out
	}
	memo := map[uint64]int{}
	var count func(done uint64) int // the orders that complete done, up to most+1
	count = func(done uint64) int {
		if n, ok := memo[done]; ok {
			return n
		}
		n := 0
		if done == 1<<len(ops)-1 {
			n = 1
		}
		for _, i := range ready(done) {
			n = min(n+count(done|1<<i), most+1)
		}
		memo[done] = n
		return n
	}
	ends := map[string]bool{}
	var what string
	if n := count(0); n <= most {
		var walk func(order []int, done uint64)
		walk = func(order []int, done uint64) {
			if len(order) == len(ops) {
				ends[r.replay(ops, order)] = true
			}
			for _, i := range ready(done) {
				walk(append(order, i), done|1<<i)
			}
		}
		walk(nil, 0)
		what = fmt.Sprintf("all %d delivery orders of %d ops", n, len(ops))
	} else {
		rng := rand.New(rand.NewPCG(1, 2))
		for range samples {
			var order []int
			for done := uint64(0); len(order) < len(ops); {
				cand := ready(done)
				i := cand[rng.IntN(len(cand))]
				done, order = done|1<<i, append(order, i)
			}
			ends[r.replay(ops, order)] = true
		}
		what = fmt.Sprintf("%d random delivery orders (of more than %d) of %d ops", samples, most, len(ops))
	}
	fps := slices.Sorted(maps.Keys(ends))
	if len(fps) > 1 {
		return append([]string{fmt.Sprintf("%s end in %d different States:", what, len(fps))}, lineDiff(fps[0], fps[1])...), false
	}
	for _, n := range r.c.Names() {
		if e := r.c.Actor(n).Engine; e != nil && e.Len() == len(ops)+1 {
			if fp := r.fingerprint(e, ""); fp != fps[0] {
				return append([]string{what + " end in one State, but " + n + "'s differs:"}, lineDiff(fps[0], fp)...), false
			}
		}
	}
	return []string{what + " end in one State"}, true
}

// replay applies ops in order to a fresh engine and fingerprints the end.
func (r *runner) replay(ops []*protocol.Op, order []int) string {
	e, err := trust.New(r.c.Genesis)
	if err != nil {
		return err.Error()
	}
	var refusals strings.Builder
	for _, i := range order {
		if err := e.Apply(ops[i]); err != nil {
			fmt.Fprintf(&refusals, "refused %s: %s\n", r.labels[ops[i].Hash()], verdict(err))
		}
	}
	return r.fingerprint(e, refusals.String())
}

// fingerprint renders an engine's State and which of the circle's ops it
// counts.
func (r *runner) fingerprint(e *trust.Engine, refusals string) string {
	var b strings.Builder
	b.WriteString(refusals + r.names(e.State().String()))
	for _, op := range r.c.Ops[1:] {
		fmt.Fprintf(&b, "%s live=%v\n", r.labels[op.Hash()], e.Live(op.Hash()))
	}
	return b.String()
}
