package node

import (
	"runtime"
	"sync"

	"github.com/kring-circle/kring/protocol"
)

// openParallelMin is the batch size from which openAll spreads the work
// over the cores: below it, goroutines cost more than they save.
const openParallelMin = 32

// openAll decodes and verifies a batch of encoded ops received by sync
// (protocol.Open), on every core: signature checks are most of a catch-up's
// work. It returns the ops in the order given, or the error of the first
// op (in that order) that fails.
func openAll(raw [][]byte, group protocol.Hash) ([]*protocol.Op, error) {
	ops := make([]*protocol.Op, len(raw))
	errs := make([]error, len(raw))
	workers := min(runtime.GOMAXPROCS(0), len(raw)/openParallelMin+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(raw); i += workers {
				ops[i], errs[i] = protocol.Open(raw[i], group)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ops, nil
}
