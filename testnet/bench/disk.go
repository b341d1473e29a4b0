package bench

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// diskRounds is how many ops diskCommits writes to each store.
const diskRounds = 20

// diskCommits measures what the machine's one disk costs a circle of n
// in-process nodes: n durable stores (the nodes' options) each commit the
// same op at once, as every node of a circle commits an advisory it
// receives, and the time until the last commit returns is taken, for
// diskRounds ops 20 ms apart.
func diskCommits(ctx context.Context, e *env, n int, genesis *protocol.Op, priv ed25519.PrivateKey) ([]time.Duration, error) {
	dir, err := e.dir(fmt.Sprintf("disk%d", n))
	if err != nil {
		return nil, err
	}
	ops, err := chainFrom(genesis, priv, 0, nil, diskRounds, 0)
	if err != nil {
		return nil, err
	}
	stores := make([]*store.Store, 0, n)
	defer func() {
		for _, s := range stores {
			s.Close()
		}
	}()
	for i := range n {
		s, err := store.Open(filepath.Join(dir, fmt.Sprint(i)), store.DefaultOptions())
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		stores = append(stores, s)
		if err := s.Put(genesis); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	out := make([]time.Duration, 0, len(ops))
	for _, op := range ops {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		t0 := time.Now()
		for i, s := range stores {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = s.Put(op) }()
		}
		wg.Wait()
		out = append(out, time.Since(t0))
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("bench: %w", err)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out, nil
}
