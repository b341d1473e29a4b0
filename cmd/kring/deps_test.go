package main

import (
	"testing"

	"github.com/kring-circle/kring/internal/deptest"
)

// harness is what only kring-testnet links: the demo and benchmark
// harness, and gonum, whose plotting draws the benchmark charts.
var harness = []string{"github.com/kring-circle/kring/testnet", "gonum.org"}

// TestDeps keeps the test harness out of the member's binary (DESIGN.md
// §2): `go list -deps ./cmd/kring` lists no package of testnet/ (the demo,
// the benchmarks, the rogue peers) and none of gonum.org.
func TestDeps(t *testing.T) {
	deptest.Forbid(t, "github.com/kring-circle/kring/cmd/kring", harness...)
}

// TestDepsGuardSeesTheHarness: the guard's paths are the ones the harness
// really links, so TestDeps would fail if kring linked it: kring-testnet
// depends on testnet and on gonum.org.
func TestDepsGuardSeesTheHarness(t *testing.T) {
	for _, path := range harness {
		if deps := deptest.Matches(t, "github.com/kring-circle/kring/cmd/kring-testnet", path); len(deps) == 0 {
			t.Errorf("kring-testnet does not depend on %s: TestDeps guards nothing there", path)
		}
	}
}
