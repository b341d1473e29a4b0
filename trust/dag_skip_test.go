package trust

import (
	"math/bits"
	"testing"
)

// The skip pointers of a long chain reach any seq from any later one in
// O(log seq) steps, and chainAt finds exactly the op at that seq.
func TestSkipPointersLogSteps(t *testing.T) {
	const n = 1 << 16
	chain := make([]*vertex, n+1) // chain[s] is the op at seq s
	chain[1] = &vertex{seq: 1}
	for s := 2; s <= n; s++ {
		p := chain[s-1]
		chain[s] = &vertex{seq: uint32(s), prev: p, skip: skipFor(p)}
	}
	limit := 3 * bits.Len(n)
	for _, top := range []int{2, 3, 1000, 4095, 4096, 4097, 65535, n} {
		for _, to := range []int{1, 2, top / 3, top / 2, top - 2, top - 1, top} {
			if to < 1 {
				continue
			}
			steps := 0
			for x := chain[top]; x.seq > uint32(to); steps++ {
				if x.skip != nil && x.skip.seq >= uint32(to) {
					x = x.skip
				} else {
					x = x.prev
				}
			}
			if steps > limit {
				t.Errorf("seq %d to %d: %d steps, over %d", top, to, steps, limit)
			}
			if got := chainAt(chain[top], uint32(to)); got != chain[to] {
				t.Errorf("chainAt(seq %d, %d) = seq %d", top, to, got.seq)
			}
		}
	}
	if got := chainAt(chain[5], 0); got != nil {
		t.Errorf("chainAt below the chain's first op = seq %d, want nil", got.seq)
	}
}
