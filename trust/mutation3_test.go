package trust_test

import (
	"testing"

	"pgregory.net/rapid"
)

// TestMutation3Findings replays the histories in testdata/mutation3: rapid
// fail files of TestEngineSettlementEqualsModel (drawn with
// KRING_MODEL_FINALES set) that the third mutation pass
// (docs/mutation-pass.md) found with one mutant applied, each file named
// after its mutant. With the mutant the engine and the reference model
// differ on the history; without it each must replay, and agree. The
// replay is deterministic, unlike the random draws that found them.
func TestMutation3Findings(t *testing.T) {
	replayFailFiles(t, "testdata/mutation3/*.fail", func() func(*rapid.T) { return engineEqualsModel(newModelCoverage()) })
}
