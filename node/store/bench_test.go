package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

const (
	benchBatch   = 64
	benchBatches = 64
)

// benchOps is a genesis and then benchBatches*benchBatch advisories by A.
var benchOps = sync.OnceValues(func() ([]*protocol.Op, error) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("bench"), "A", "B", "C")
	if err != nil {
		return nil, err
	}
	for i := range benchBatch * benchBatches {
		if _, err := c.Advise("A", fmt.Sprintf("advisory %d", i), protocol.TLPGreen); err != nil {
			return nil, err
		}
	}
	return c.Ops, nil
})

// BenchmarkPut stores batches of 64 advisories in a store on disk; one
// iteration is one batch. A fresh store is opened, untimed, after every 64
// batches.
func BenchmarkPut(b *testing.B) {
	ops, err := benchOps()
	if err != nil {
		b.Fatalf("building ops: %v", err)
	}
	for _, syncWrites := range []bool{true, false} {
		b.Run(fmt.Sprintf("SyncWrites=%v", syncWrites), func(b *testing.B) {
			o := store.DefaultOptions()
			o.SyncWrites = syncWrites
			var s *store.Store
			reopen := func() {
				b.StopTimer()
				defer b.StartTimer()
				if s != nil {
					if err := s.Close(); err != nil {
						b.Fatalf("Close: %v", err)
					}
				}
				if s, err = store.Open(b.TempDir(), o); err != nil {
					b.Fatalf("Open: %v", err)
				}
				if err := s.Put(ops[0]); err != nil {
					b.Fatalf("Put of the genesis: %v", err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				k := i % benchBatches
				if k == 0 {
					reopen()
				}
				if err := s.Put(ops[1+k*benchBatch : 1+(k+1)*benchBatch]...); err != nil {
					b.Fatalf("Put: %v", err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "ops/s")
			if err := s.Close(); err != nil {
				b.Fatalf("Close: %v", err)
			}
		})
	}
}

// BenchmarkGet reads benchOps' ops by hash, in stored order, from a
// store on disk that was closed and opened again after they were put;
// one iteration is one Get.
func BenchmarkGet(b *testing.B) {
	ops, err := benchOps()
	if err != nil {
		b.Fatalf("building ops: %v", err)
	}
	dir := b.TempDir()
	s, err := store.Open(dir, store.DefaultOptions())
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	for i := 0; i < len(ops); i += benchBatch {
		if err := s.Put(ops[i:min(i+benchBatch, len(ops))]...); err != nil {
			b.Fatalf("Put: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatalf("Close: %v", err)
	}
	if s, err = store.Open(dir, store.DefaultOptions()); err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		h := ops[i%len(ops)].Hash()
		if op, err := s.Get(h); err != nil || op.Hash() != h {
			b.Fatalf("Get(%s) = %v, %v", h.Short(), op, err)
		}
	}
}
