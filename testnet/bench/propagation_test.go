package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// KRING_BENCH_PROP_N and KRING_BENCH_PROP_RUNS replace the plan's circle
// sizes and runs of the propagation scenario; a bad value is an error,
// not a silent default.
func TestPropFromEnv(t *testing.T) {
	t.Setenv("KRING_BENCH_PROP_N", "25, 50")
	t.Setenv("KRING_BENCH_PROP_RUNS", "7")
	p := planFor(true)
	if err := p.propFromEnv(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.propN, []int{25, 50}) || p.propRuns != 7 {
		t.Errorf("propN %v, propRuns %d; want [25 50], 7", p.propN, p.propRuns)
	}
	for _, bad := range [][2]string{{"ten", ""}, {"1", ""}, {"10", "0"}, {"10", "x"}} {
		t.Setenv("KRING_BENCH_PROP_N", bad[0])
		t.Setenv("KRING_BENCH_PROP_RUNS", bad[1])
		p := planFor(true)
		if err := p.propFromEnv(); err == nil {
			t.Errorf("KRING_BENCH_PROP_N=%q KRING_BENCH_PROP_RUNS=%q accepted", bad[0], bad[1])
		}
	}
	t.Setenv("KRING_BENCH_PROP_N", "")
	t.Setenv("KRING_BENCH_PROP_RUNS", "")
	p = planFor(false)
	if err := p.propFromEnv(); err != nil || !slices.Equal(p.propN, []int{10, 25, 50}) || p.propRuns != 100 {
		t.Errorf("unset: propN %v, propRuns %d, err %v; want the full plan's", p.propN, p.propRuns, err)
	}
}

// first is the earliest time among the named nodes only.
func TestRecorderFirst(t *testing.T) {
	r := newRecorder()
	h := protocol.Hash{1}
	t0 := time.Unix(1000, 0)
	r.record("A", h, t0)
	r.record("B", h, t0.Add(time.Second))
	r.record("C", h, t0.Add(2*time.Second))
	if at, ok := r.first(h, []string{"B", "C"}); !ok || !at.Equal(t0.Add(time.Second)) {
		t.Errorf("first of B, C = %v, %v; want B's", at, ok)
	}
	if _, ok := r.first(h, []string{"D"}); ok {
		t.Error("first of a node that never had the op reported one")
	}
}
