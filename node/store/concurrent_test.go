package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestConcurrentPutGet has one writer per author chain, plus one writer of
// the whole log, Put while readers use every read method; run it with
// -race.
func TestConcurrentPutGet(t *testing.T) {
	names := []string{"A", "B", "C", "D"}
	c := chains(t, 25, names...)
	s := open(t, t.TempDir(), diskOptions())
	put(t, s, c.Genesis)

	var wg sync.WaitGroup
	byAuthor := map[protocol.Key][]*protocol.Op{}
	for _, op := range c.Ops[1:] {
		byAuthor[op.Author] = append(byAuthor[op.Author], op)
	}
	for _, ops := range byAuthor {
		wg.Go(func() {
			for i := 0; i < len(ops); i += 3 {
				if err := s.Put(ops[i:min(i+3, len(ops))]...); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	wg.Go(func() { // the same ops again, racing the writers above
		for _, op := range c.Ops {
			if err := s.Put(op); err != nil {
				t.Errorf("Put of the whole log: %v", err)
				return
			}
		}
	})
	for range 3 {
		wg.Go(func() {
			for range 20 {
				if err := readAll(s, c.Ops); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	if n, err := s.Len(); err != nil || n != len(c.Ops) {
		t.Fatalf("Len = %d, %v; want %d", n, err, len(c.Ops))
	}
	var last []protocol.Hash
	for _, ops := range byAuthor {
		last = append(last, ops[len(ops)-1].Hash())
	}
	if heads, err := s.Heads(); err != nil || !slices.Equal(heads, protocol.SortPreds(last)) {
		t.Fatalf("Heads = %v, %v; want each author's last op", heads, err)
	}
	if got := ranged(t, s); len(got) != len(c.Ops) {
		t.Fatalf("Range visited %d ops, want %d", len(got), len(c.Ops))
	}
	if _, err := trust.Load(s); err != nil {
		t.Fatalf("Load (Range in causal order): %v", err)
	}
}

// readAll reads through every read method, checking what must hold at any
// moment: a stored op reads back whole, Range is causal, tips are stored.
func readAll(s *store.Store, ops []*protocol.Op) error {
	for _, op := range ops {
		ok, err := s.Has(op.Hash())
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		got, err := s.Get(op.Hash())
		if err != nil {
			return err
		}
		if !slices.Equal(got.Bytes(), op.Bytes()) {
			return errors.New("Get returned other bytes")
		}
	}
	seen := map[protocol.Hash]bool{}
	err := s.Range(func(op *protocol.Op) error {
		for _, p := range op.Preds {
			if !seen[p] {
				return errors.New("Range gave an op before its pred")
			}
		}
		seen[op.Hash()] = true
		return nil
	})
	if err != nil {
		return err
	}
	tips, err := s.Tips()
	if err != nil {
		return err
	}
	for k, tip := range tips {
		hs, err := s.BySeq(k, tip.Seq)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return errors.New("a tip is not in BySeq")
		}
	}
	_, err = s.Heads()
	return err
}
