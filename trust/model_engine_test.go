package trust_test

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/refmodel"
)

// TestEngineSettlementEqualsModel checks the engine's settlement and Judge
// of the version-2 rules (trust/settle*.go, trust/judge*.go) against the
// reference model (trust/refmodel, which shares no code with them) over
// the random histories of the property tests: the whole history and one
// actor's view at some step must give the same settled set, every key's
// status and suspension, and every op's verdict. The scenario scripts
// compare the two on their op sets; this compares them where no one
// wrote a script.
//
//	go test ./trust -run TestEngineSettlementEqualsModel -rapid.checks=300 -v
//	KRING_MODEL_FINALES=1 go test ./trust -run TestEngineSettlementEqualsModel ...
func TestEngineSettlementEqualsModel(t *testing.T) {
	cov := newModelCoverage()
	defer cov.log(t)
	modelCheck(t, engineEqualsModel(cov))
}

// engineEqualsModel is the property of TestEngineSettlementEqualsModel,
// counting its cases in cov: the engine's settled set and verdicts equal
// the model's, on the whole history and on one actor's view at some step.
func engineEqualsModel(cov *modelCoverage) func(*rapid.T) {
	return func(t *rapid.T) {
		defer cov.guard()
		h := genModelHist(t, rapid.Bool().Draw(t, "byzantine"))
		cov.history(h)
		check := func(what string, in []bool) {
			ops := h.subset(in)
			res, err := refmodel.Eval(ops)
			if err != nil {
				t.Fatalf("Eval of %s: %v", what, err)
			}
			if diff := engineModelDiff(ops, res); len(diff) > 0 {
				t.Fatalf("%s: the engine and the reference model differ:\n%s\n%s\n-- model:\n%s", what, h.describe(), diff, h.result(res, in))
			}
			if what == "the whole history" {
				cov.add("settled set beyond the genesis", len(res.Settled) > 1)
				cov.add("a key revoked", modelStatusCount(res, "revoked") > 0)
				cov.add("a key left", modelStatusCount(res, "left") > 0)
				cov.add("a void op (not an Ack)", h.count(in, func(_ int, op *protocol.Op) bool {
					return op.Kind != protocol.KindAck && !res.Effective[op.Hash()]
				}) > 0)
			}
		}
		check("the whole history", h.all())
		if len(h.snaps) > 0 {
			s := rapid.IntRange(0, len(h.snaps)-1).Draw(t, "snapshot")
			check(h.snaps[s].who+"'s engine at some step", h.snaps[s].in)
		}
		cov.done()
	}
}

// engineModelDiff lists where the engine's Eval of ops differs from the
// model's result: settled set, statuses, suspensions and verdicts.
func engineModelDiff(ops []*protocol.Op, res *refmodel.Result) string {
	var out []string
	z, v := trust.EvalForTest(ops)
	for i, op := range ops {
		h := op.Hash()
		if z[h] != res.Settled[h] {
			out = append(out, fmt.Sprintf("op %d (%s#%d): settled: model %v, engine %v", i, op.Author.Short(), op.Seq, res.Settled[h], z[h]))
		}
		if v.Effective[h] != res.Effective[h] {
			out = append(out, fmt.Sprintf("op %d (%s#%d): effective: model %v, engine %v", i, op.Author.Short(), op.Seq, res.Effective[h], v.Effective[h]))
		}
	}
	for k, s := range res.Status {
		if v.Status[k] != s || v.Suspended[k] != res.Suspended[k] {
			out = append(out, fmt.Sprintf("key %s: model %s suspended=%v, engine %s suspended=%v", k.Short(), s, res.Suspended[k], v.Status[k], v.Suspended[k]))
		}
	}
	for k, s := range v.Status {
		if _, ok := res.Status[k]; !ok {
			out = append(out, fmt.Sprintf("key %s: model stranger, engine %s", k.Short(), s))
		}
	}
	slices.Sort(out)
	s := ""
	for _, l := range out {
		s += l + "\n"
	}
	return s
}
