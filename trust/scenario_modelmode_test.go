package trust_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/refmodel"
	"github.com/kring-circle/kring/trust/trusttest"
)

// Model mode: `mode model` at the top of a script makes its actors keep
// their own op sets instead of engines, and judge what they sign with the
// reference model's admissibility (docs/membership.md §5), so that a story
// can use what the version-1 engine refuses (Acks, Disavows, keep-lifts,
// lift votes by suspended members). Only the model commands (model,
// expect model) inspect such a story; sync and deliver work as usual.

// errModelRefused wraps the reason the reference model refused an op.
var errModelRefused = errors.New("refused by the reference model")

// hold returns the actor's op set in model mode, giving it the genesis
// first if it has none.
func (r *runner) hold(name string) map[protocol.Hash]bool {
	if r.held == nil {
		r.held = map[string]map[protocol.Hash]bool{}
	}
	if r.held[name] == nil {
		r.held[name] = map[protocol.Hash]bool{r.c.Genesis.Hash(): true}
	}
	return r.held[name]
}

// heldOps returns the ops an actor holds in model mode, in creation order.
func (r *runner) heldOps(name string) []*protocol.Op {
	held := r.hold(name)
	var out []*protocol.Op
	for _, op := range r.c.Ops {
		if held[op.Hash()] {
			out = append(out, op)
		}
	}
	return out
}

// modelAct signs the actor's next op over body on top of what it holds,
// and keeps it if the reference model admits it.
func (r *runner) modelAct(actor string, body protocol.Body, want string) ([]string, bool) {
	held := r.hold(actor)
	g := r.c.Genesis.Hash()
	op := &protocol.Op{Group: g, Seq: r.seq[actor] + 1, Epoch: g, Kind: body.Kind()}
	if last := r.last[actor]; last != (protocol.Hash{}) {
		op.Prev = &last
	} else if op.Seq == 2 {
		op.Prev = &g // founder #1's seq 1 is the genesis
	}
	cited := map[protocol.Hash]bool{}
	for _, o := range r.heldOps(actor) {
		for _, p := range o.Preds {
			cited[p] = true
		}
	}
	var preds []protocol.Hash
	for h := range held {
		if !cited[h] {
			preds = append(preds, h)
		}
	}
	if op.Prev != nil && !slices.Contains(preds, *op.Prev) {
		preds = append(preds, *op.Prev)
	}
	op.Preds = protocol.SortPreds(preds)
	r.c.TS++
	op.TS = r.c.TS
	if err := protocol.Sign(op, body, trusttest.KeyFor(actor)); err != nil {
		return failed("%v", err)
	}
	why, err := refmodel.Admissible(r.heldOps(actor), op)
	if err != nil {
		return failed("%v", err)
	}
	label := fmt.Sprintf("%s#%d", actor, op.Seq)
	if why != "" {
		line, ok := r.judged(label+"!", fmt.Errorf("%w: %s", errModelRefused, why), want)
		return []string{line}, ok
	}
	held[op.Hash()] = true
	r.c.Ops = append(r.c.Ops, op)
	r.seq[actor], r.last[actor] = op.Seq, op.Hash()
	line, ok := r.judged(r.label(op, label), nil, want)
	return []string{line}, ok
}

// modelVotes returns the votes on m that the actor holds, one per voter.
func (r *runner) modelVotes(actor string, m protocol.Motion) []protocol.Hash {
	h := m.Hash()
	seen := map[protocol.Key]bool{}
	var out []protocol.Hash
	for _, op := range r.heldOps(actor) {
		if v, ok := op.Content().(*protocol.Vote); ok && v.Motion.Hash() == h && !seen[op.Author] {
			seen[op.Author] = true
			out = append(out, op.Hash())
		}
	}
	return protocol.SortPreds(out)
}

// modelSync gives each target every op its source holds, with its past.
func (r *runner) modelSync(pairs [][2]string) ([]string, bool) {
	got := map[string][]string{}
	for progress := true; progress; {
		progress = false
		for _, p := range pairs {
			to, from := r.hold(p[0]), r.hold(p[1])
			for _, op := range r.c.Ops {
				if h := op.Hash(); from[h] && !to[h] {
					to[h], progress = true, true
					got[p[0]] = append(got[p[0]], r.labels[h])
				}
			}
		}
	}
	var out []string
	for _, n := range slices.Sorted(maps.Keys(got)) {
		out = append(out, n+" <- "+strings.Join(got[n], " "))
	}
	if len(out) == 0 {
		out = []string{"nothing new"}
	}
	return out, true
}

// modelDeliver gives one actor the labelled ops, which must have their
// preds held already; it refuses those the reference model finds
// inadmissible.
func (r *runner) modelDeliver(to string, labels []string) ([]string, bool) {
	held := r.hold(to)
	var out []string
	for _, l := range labels {
		op, ok := r.ops[l]
		if !ok {
			return failed("no op %s", l)
		}
		for _, p := range op.Preds {
			if !held[p] {
				return failed("%s lacks a pred of %s", to, l)
			}
		}
		// A node refuses an inadmissible op whoever sends it (§5 reads
		// the op's own past, so the refusal is the same everywhere).
		why, err := refmodel.Admissible(r.heldOps(to), op)
		if err != nil {
			return failed("%v", err)
		}
		if why != "" {
			out = append(out, l+": refused: "+why)
			continue
		}
		held[op.Hash()] = true
		out = append(out, l+": held")
	}
	return out, true
}
