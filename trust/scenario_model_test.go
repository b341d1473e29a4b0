package trust_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/refmodel"
)

// The scenario commands that ask the reference model (docs/membership.md,
// package refmodel) about an actor's op set, beside the engine's own
// commands:
//
//	model A                                        the model's verdicts for A's ops
//	expect model A|all|A,B X <status> [suspended]
//	expect model live A|all|A,B <label> true|false
//	expect model settled A|all|A,B <label> true|false

// actorOps returns the ops the actor's engine holds, the genesis first.
func (r *runner) actorOps(name string) []*protocol.Op {
	if r.modelOnly {
		return r.heldOps(name)
	}
	e := r.engine(name)
	var out []*protocol.Op
	for _, op := range r.c.Ops {
		if e.Has(op.Hash()) {
			out = append(out, op)
		}
	}
	return out
}

func (r *runner) modelOf(name string) (*refmodel.Result, error) {
	return refmodel.Eval(r.actorOps(name))
}

// model prints what the reference model makes of an actor's ops.
func (r *runner) model(pos []string) ([]string, bool) {
	if len(pos) != 1 {
		return failed("model A")
	}
	res, err := r.modelOf(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	if diff := r.judgeDiff(r.actorOps(pos[0]), res); diff != nil {
		return append([]string{"the engine's Judge disagrees with the reference model:"}, diff...), false
	}
	out := []string{fmt.Sprintf("charter v%d settled members=%d", res.Charter.Version, res.SettledMembers)}
	var keys []string
	for k, s := range res.Status {
		line := r.names(k.Short()) + " " + s
		if res.Suspended[k] {
			line += " suspended"
		}
		keys = append(keys, line)
	}
	slices.Sort(keys)
	out = append(out, keys...)
	var settled, void []string
	for _, op := range r.actorOps(pos[0])[1:] {
		h := op.Hash()
		if res.Settled[h] {
			settled = append(settled, r.labels[h])
		}
		if !res.Effective[h] && op.Kind != protocol.KindAck {
			void = append(void, r.labels[h])
		}
	}
	out = append(out, "settled: "+strings.Join(settled, " "), "void: "+strings.Join(void, " "))
	return out, true
}

// expectModel asserts what the model says of a key or an op for each
// actor named.
func (r *runner) expectModel(pos []string) ([]string, bool) {
	usage := "expect model A X <status> [suspended] | expect model live|settled A <label> true|false"
	if len(pos) < 3 {
		return failed("%s", usage)
	}
	what := pos[0]
	if what == "live" || what == "settled" {
		pos = pos[1:]
	}
	if len(pos) < 3 {
		return failed("%s", usage)
	}
	names, err := r.who(pos[0])
	if err != nil {
		return failed("%v", err)
	}
	var out []string
	for _, n := range names {
		res, err := r.modelOf(n)
		if err != nil {
			return failed("%v", err)
		}
		switch what {
		case "live", "settled":
			op, ok := r.ops[pos[1]]
			if !ok || (pos[2] != "true" && pos[2] != "false") {
				return failed("%s", usage)
			}
			got := res.Effective[op.Hash()]
			if what == "settled" {
				got = res.Settled[op.Hash()]
			}
			if fmt.Sprint(got) != pos[2] {
				out = append(out, fmt.Sprintf("the model of %s has %s %s %v", n, pos[1], what, got))
			}
		default:
			key := r.c.Actor(pos[1]).Key
			got := []string{res.Status[key]}
			if got[0] == "" {
				got[0] = "stranger"
			}
			if res.Suspended[key] {
				got = append(got, "suspended")
			}
			if !slices.Equal(got, pos[2:]) {
				out = append(out, fmt.Sprintf("the model of %s has %s %s, want %s", n, pos[1], strings.Join(got, " "), strings.Join(pos[2:], " ")))
			}
		}
	}
	if len(out) > 0 {
		return out, false
	}
	return []string{"ok"}, true
}

// joined reports whether the actor has the genesis: an engine, or in model
// mode an op set.
func (r *runner) joined(name string) bool {
	if r.modelOnly {
		return r.held[name] != nil
	}
	return r.c.Actors[name].Engine != nil
}

// judgeDiff compares the engine's settlement and new Judge with the
// reference model on ops: the settled set, every key's status and
// suspension, and every op's verdict. It returns the differences, by name
// and label.
func (r *runner) judgeDiff(ops []*protocol.Op, res *refmodel.Result) []string {
	var out []string
	z, v := trust.EvalForTest(ops)
	for _, op := range ops {
		if h := op.Hash(); z[h] != res.Settled[h] {
			out = append(out, fmt.Sprintf("%s: model settled=%v, engine %v", r.labels[h], res.Settled[h], z[h]))
		}
	}
	for k, s := range res.Status {
		if v.Status[k] != s || v.Suspended[k] != res.Suspended[k] {
			out = append(out, fmt.Sprintf("%s: model %s suspended=%v, engine %s suspended=%v", r.names(k.Short()), s, res.Suspended[k], v.Status[k], v.Suspended[k]))
		}
	}
	for k, s := range v.Status {
		if _, ok := res.Status[k]; !ok {
			out = append(out, fmt.Sprintf("%s: model stranger, engine %s", r.names(k.Short()), s))
		}
	}
	for _, op := range ops {
		h := op.Hash()
		if res.Effective[h] != v.Effective[h] {
			out = append(out, fmt.Sprintf("%s: model effective=%v, engine %v", r.labels[h], res.Effective[h], v.Effective[h]))
		}
	}
	slices.Sort(out)
	return out
}
