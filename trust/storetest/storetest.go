package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// Opener returns a new, empty store for one subtest; the store is closed by
// the test.
type Opener func(t *testing.T) trust.Store

// history is a small circle's log: genesis, admissions, advisories, a
// suspension, and a fork by E at its last seq.
type history struct {
	circle *trusttest.Circle
	ops    []*protocol.Op // causal order, fork included
	fork   [2]*protocol.Op
}

func newHistory(t *testing.T) *history {
	t.Helper()
	c, err := trusttest.NewCircle(protocol.DefaultCharter("conformance"), "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatalf("founding: %v", err)
	}
	step := func(_ *protocol.Op, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("building history: %v", err)
		}
		c.SyncAll()
	}
	for _, n := range []string{"A", "B", "C"} {
		step(c.Endorse(n, "X", "vetted"))
	}
	c.Sync("X", "A")
	step(c.Enact("X", c.Admit("X")))
	step(c.Advise("X", "first", protocol.TLPAmber))
	step(c.Advise("B", "second", protocol.TLPGreen))
	step(c.Vote("A", c.Suspend("D", "1")))
	step(c.Vote("B", c.Suspend("D", "1")))
	step(c.Enact("C", c.Suspend("D", "1")))
	last, err := c.Advise("E", "third", protocol.TLPClear)
	if err != nil {
		t.Fatalf("building history: %v", err)
	}
	twin, err := c.Fork("E", &protocol.Advisory{Title: "third, other version", TLP: protocol.TLPClear})
	if err != nil {
		t.Fatalf("forking: %v", err)
	}
	if err := c.Deliver("A", twin); err != nil {
		t.Fatalf("delivering the fork: %v", err)
	}
	if errs := c.SyncAll(); len(errs) > 0 {
		t.Fatalf("syncing the history: %v", errs)
	}
	return &history{circle: c, ops: c.Ops, fork: [2]*protocol.Op{last, twin}}
}

// Run runs the conformance test against stores from open.
func Run(t *testing.T, open Opener) {
	h := newHistory(t)
	fresh := func(t *testing.T) trust.Store {
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, fresh(t), h) })
	t.Run("Closure", func(t *testing.T) { testClosure(t, fresh(t), h) })
	t.Run("Indexes", func(t *testing.T) { testIndexes(t, fresh(t), h) })
	t.Run("RangeLoad", func(t *testing.T) { testRangeLoad(t, fresh(t), h) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, fresh(t), h) })
}

func putAll(t *testing.T, s trust.Store, ops []*protocol.Op) {
	t.Helper()
	for _, op := range ops {
		if err := s.Put(op); err != nil {
			t.Fatalf("Put(%s): %v", op, err)
		}
	}
}

func testPutGet(t *testing.T, s trust.Store, h *history) {
	putAll(t, s, h.ops)
	for _, op := range h.ops {
		got, err := s.Get(op.Hash())
		if err != nil {
			t.Fatalf("Get(%s): %v", op, err)
		}
		if got.Hash() != op.Hash() || !slices.Equal(got.Bytes(), op.Bytes()) {
			t.Fatalf("Get(%s) returned different bytes", op)
		}
		if ok, err := s.Has(op.Hash()); err != nil || !ok {
			t.Fatalf("Has(%s) = %v, %v", op, ok, err)
		}
	}
	if err := s.Put(h.ops...); err != nil {
		t.Fatalf("Put of stored ops: %v", err)
	}
	if n, err := s.Len(); err != nil || n != len(h.ops) {
		t.Fatalf("Len = %d, %v after storing %d ops (twice)", n, err, len(h.ops))
	}
	var absent protocol.Hash
	absent[0] = 1
	if _, err := s.Get(absent); !errors.Is(err, trust.ErrNotFound) {
		t.Fatalf("Get(absent) error %v, want ErrNotFound", err)
	}
	if ok, err := s.Has(absent); err != nil || ok {
		t.Fatalf("Has(absent) = %v, %v", ok, err)
	}
}

func testClosure(t *testing.T, s trust.Store, h *history) {
	genesis, rest := h.ops[0], h.ops[1:]
	if err := s.Put(rest[0]); !errors.Is(err, trust.ErrNotClosed) {
		t.Fatalf("Put before preds: error %v, want ErrNotClosed", err)
	}
	// A batch whose second op lacks preds stores nothing.
	if err := s.Put(genesis, rest[len(rest)-1]); !errors.Is(err, trust.ErrNotClosed) {
		t.Fatalf("Put of an unclosed batch: error %v, want ErrNotClosed", err)
	}
	if n, _ := s.Len(); n != 0 {
		t.Fatalf("an unclosed batch stored %d ops", n)
	}
	// A batch in causal order is closed by itself.
	if err := s.Put(h.ops...); err != nil {
		t.Fatalf("Put of the whole history in one batch: %v", err)
	}
}

func testIndexes(t *testing.T, s trust.Store, h *history) {
	putAll(t, s, h.ops)
	e := h.circle.Actor("A").Engine
	heads, err := s.Heads()
	if err != nil || !slices.Equal(heads, e.Heads()) {
		t.Fatalf("Heads = %v, %v; the engine says %v", heads, err, e.Heads())
	}
	a, b := h.fork[0], h.fork[1]
	got, err := s.BySeq(a.Author, a.Seq)
	if want := protocol.SortPreds([]protocol.Hash{a.Hash(), b.Hash()}); err != nil || !slices.Equal(got, want) {
		t.Fatalf("BySeq at the fork = %v, %v; want both ops %v", got, err, want)
	}
	if got, err := s.BySeq(a.Author, a.Seq+1); err != nil || len(got) != 0 {
		t.Fatalf("BySeq past the tip = %v, %v", got, err)
	}
	tips, err := s.Tips()
	if err != nil {
		t.Fatalf("Tips: %v", err)
	}
	want := map[protocol.Key]uint64{}
	for _, op := range h.ops {
		want[op.Author] = max(want[op.Author], op.Seq)
	}
	if len(tips) != len(want) {
		t.Fatalf("Tips has %d authors, want %d", len(tips), len(want))
	}
	for k, seq := range want {
		tip := tips[k]
		if tip.Seq != seq || len(tip.Hashes) == 0 {
			t.Fatalf("tip of %s = %+v, want seq %d", k.Short(), tip, seq)
		}
	}
	if tip := tips[a.Author]; len(tip.Hashes) != 2 {
		t.Fatalf("tip of the forked author lists %d ops, want 2", len(tip.Hashes))
	}
}

func testRangeLoad(t *testing.T, s trust.Store, h *history) {
	putAll(t, s, h.ops)
	seen := map[protocol.Hash]bool{}
	err := s.Range(func(op *protocol.Op) error {
		for _, p := range op.Preds {
			if !seen[p] {
				t.Errorf("Range gave %s before its pred %s", op, p.Short())
			}
		}
		seen[op.Hash()] = true
		return nil
	})
	if err != nil || len(seen) != len(h.ops) {
		t.Fatalf("Range visited %d of %d ops, error %v", len(seen), len(h.ops), err)
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.Range(func(*protocol.Op) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Range did not stop at the first error: %d calls, %v", calls, err)
	}
	e, err := trust.Load(s)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want := h.circle.Actor("A").Engine.State(); !e.State().Equal(want) {
		t.Fatalf("loaded state differs:\n%s\nwant\n%s", e.State(), want)
	}
}

func testConcurrent(t *testing.T, s trust.Store, h *history) {
	putAll(t, s, h.ops[:1])
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, op := range h.ops[1:] {
			if err := s.Put(op); err != nil {
				t.Errorf("Put: %v", err)
				return
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 50 {
				for _, op := range h.ops {
					if ok, err := s.Has(op.Hash()); err != nil {
						t.Errorf("Has: %v", err)
					} else if ok {
						if _, err := s.Get(op.Hash()); err != nil {
							t.Errorf("Get of a stored op: %v", err)
						}
					}
				}
				if _, err := s.Heads(); err != nil {
					t.Errorf("Heads: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if n, _ := s.Len(); n != len(h.ops) {
		t.Fatalf("Len = %d after concurrent use, want %d", n, len(h.ops))
	}
}
