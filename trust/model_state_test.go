package trust_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/refmodel"
)

// TestEngineEqualsModel applies the random histories of the model
// properties to an Engine, op by op as a node does, and checks its State
// against the reference model (trust/refmodel, which shares no code with
// the Engine): every key's status and suspension, and every op's verdict
// (Live). An op the Engine refuses as inadmissible is left out with every
// op that cites it, and the model judges the rest; the count of refused
// ops is logged. Like a node, it asks whether each op counts as soon as it
// is applied, so the State is carried from op to op.
func TestEngineEqualsModel(t *testing.T) {
	refused := 0
	defer func() { t.Logf("ops the Engine refused: %d", refused) }()
	modelCheck(t, func(t *rapid.T) {
		h := genModelHist(t, rapid.Bool().Draw(t, "byzantine"))
		ops := h.subset(h.all())
		e, err := trust.New(ops[0])
		if err != nil {
			t.Fatal(err)
		}
		var kept []*protocol.Op
		skip := map[protocol.Hash]bool{}
		for _, op := range ops[1:] {
			if slices.ContainsFunc(op.Preds, func(p protocol.Hash) bool { return skip[p] }) {
				skip[op.Hash()] = true
				continue
			}
			if err := e.Apply(op); err != nil {
				if errors.Is(err, trust.ErrMissingPreds) || errors.Is(err, trust.ErrDuplicate) {
					t.Fatalf("%s: %v", op, err)
				}
				skip[op.Hash()] = true
				refused++
				continue
			}
			kept = append(kept, op)
			e.Live(op.Hash()) // as a node does after each op: the State is carried from op to op
		}
		set := append([]*protocol.Op{ops[0]}, kept...)
		res, err := refmodel.Eval(set)
		if err != nil {
			t.Fatalf("Eval: %v", err)
		}
		if diff := engineStateDiff(e, set, res); diff != "" {
			t.Fatalf("the Engine and the reference model differ:\n%s\n%s", h.describe(), diff)
		}
	})
}

// engineStateDiff lists where the Engine's State, Live and what it says
// waits to settle differ from the model's result.
func engineStateDiff(e *trust.Engine, ops []*protocol.Op, res *refmodel.Result) string {
	var out []string
	st := e.State()
	waiting := 0
	for i, op := range ops {
		h := op.Hash()
		if op.Kind == protocol.KindAck || op.Kind == protocol.KindGenesis {
			continue
		}
		if e.Live(h) != res.Effective[h] {
			out = append(out, fmt.Sprintf("op %d (%s#%d %s): effective: model %v, engine %v", i, op.Author.Short(), op.Seq, op.Kind, res.Effective[h], e.Live(h)))
		}
		want := settles(op) && res.Effective[h] && !res.Settled[h]
		if want {
			waiting++
		}
		if got := e.AwaitsSettlement(h); got != want {
			out = append(out, fmt.Sprintf("op %d (%s#%d %s): waits to settle: model %v, engine %v", i, op.Author.Short(), op.Seq, op.Kind, want, got))
		}
	}
	if got := e.Unsettled(); got != waiting {
		out = append(out, fmt.Sprintf("ops that wait to settle: model %d, engine %d", waiting, got))
	}
	for k, s := range res.Status {
		ks := st.Key(k)
		if ks.Status.String() != s || (s == "member" && ks.Suspended != res.Suspended[k]) {
			out = append(out, fmt.Sprintf("key %s: model %s suspended=%v, engine %s suspended=%v", k.Short(), s, res.Suspended[k], ks.Status, ks.Suspended))
		}
	}
	for _, k := range st.Keys() {
		if _, ok := res.Status[k]; !ok && st.Key(k).Status != trust.StatusStranger {
			out = append(out, fmt.Sprintf("key %s: model stranger, engine %s", k.Short(), st.Key(k).Status))
		}
	}
	slices.Sort(out)
	s := ""
	for _, l := range out {
		s += l + "\n"
	}
	return s
}

// settles reports whether op is of a kind that settles (docs/membership.md
// §3): decisions, endorsements and advisories, never other votes or acks.
func settles(op *protocol.Op) bool {
	switch op.Kind {
	case protocol.KindEnact, protocol.KindLeave, protocol.KindAdvisory:
		return true
	case protocol.KindVote:
		return op.Content().(*protocol.Vote).Motion.Kind == protocol.MotionAdmit
	}
	return false
}
