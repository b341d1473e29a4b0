package trust_test

import (
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/trust/refmodel"
)

// TestMutation3Findings replays the histories in testdata/mutation3: rapid
// fail files of TestEngineSettlementEqualsModel (drawn with
// KRING_MODEL_FINALES set) that the third mutation pass
// (docs/mutation-pass.md) found with one mutant applied, each file named
// after its mutant. With the mutant the engine and the reference model
// differ on the history; without it each must replay, and agree. The
// replay is deterministic, unlike the random draws that found them.
func TestMutation3Findings(t *testing.T) {
	files, err := filepath.Glob("testdata/mutation3/*.fail")
	if err != nil || len(files) == 0 {
		t.Fatalf("no findings: %v", err)
	}
	forceFinales = true
	defer func() { forceFinales = false }()
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".fail"), func(t *testing.T) {
			setFlag(t, "rapid.failfile", f)
			setFlag(t, "rapid.checks", "0")
			setFlag(t, "rapid.nofailfile", "true")
			replayed := 0
			rapid.Check(t, func(rt *rapid.T) {
				replayed++
				engineEqualsModel(rt)
			})
			if replayed == 0 {
				t.Fatalf("%s was not replayed (a fail file of another rapid version?)", f)
			}
		})
	}
}

// engineEqualsModel is TestEngineSettlementEqualsModel's property, drawing
// as it does: the whole history and one actor's view at some step.
func engineEqualsModel(t *rapid.T) {
	h := genModelHist(t, rapid.Bool().Draw(t, "byzantine"))
	check := func(what string, in []bool) {
		ops := h.subset(in)
		res, err := refmodel.Eval(ops)
		if err != nil {
			t.Fatalf("Eval of %s: %v", what, err)
		}
		if diff := engineModelDiff(ops, res); len(diff) > 0 {
			t.Fatalf("%s: the engine and the reference model differ:\n%s\n%s\n-- model:\n%s", what, h.describe(), diff, h.result(res, in))
		}
	}
	check("the whole history", h.all())
	if len(h.snaps) > 0 {
		s := rapid.IntRange(0, len(h.snaps)-1).Draw(t, "snapshot")
		check(h.snaps[s].who+"'s engine at some step", h.snaps[s].in)
	}
}
