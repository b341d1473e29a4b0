package store_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// chainOf returns the encodings of author's ops in c.Ops, by seq and, at
// one seq, by hash: the order Chain answers in.
func chainOf(ops []*protocol.Op, author protocol.Key) [][]byte {
	var mine []*protocol.Op
	for _, op := range ops {
		if op.Author == author {
			mine = append(mine, op)
		}
	}
	slices.SortFunc(mine, func(a, b *protocol.Op) int {
		if a.Seq != b.Seq {
			return int(a.Seq) - int(b.Seq)
		}
		ha, hb := a.Hash(), b.Hash()
		return bytes.Compare(ha[:], hb[:])
	})
	out := make([][]byte, len(mine))
	for i, op := range mine {
		out[i] = op.Bytes()
	}
	return out
}

func sameOps(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d ops, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: op %d differs", what, i)
		}
	}
}

func TestChain(t *testing.T) {
	c := chains(t, 4, "A", "C")
	fork, err := c.Fork("C", &protocol.Advisory{Title: "C 3, again", TLP: protocol.TLPClear})
	if err != nil {
		t.Fatalf("forking: %v", err)
	}
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	a, ck := c.Actor("A").Key, c.Actor("C").Key
	wantA, wantC := chainOf(c.Ops, a), chainOf(c.Ops, ck)
	roomy := store.ChainLimits{Ops: 100, Bytes: 1 << 20}
	cases := []struct {
		name   string
		author protocol.Key
		from   uint64
		lim    store.ChainLimits
		want   [][]byte
		more   bool
	}{
		{"all of A", a, 1, roomy, wantA, false},
		{"from 0 is from 1", a, 0, roomy, wantA, false},
		{"past the tip", a, 99, roomy, nil, false},
		{"by op count", a, 1, store.ChainLimits{Ops: 2, Bytes: 1 << 20}, wantA[:2], true},
		{"by bytes", a, 1, store.ChainLimits{Ops: 100, Bytes: len(wantA[0]) + len(wantA[1]) - 1}, wantA[:1], true},
		{"a first op larger than the bytes", a, 1, store.ChainLimits{Ops: 100, Bytes: 1}, wantA[:1], true},
		// C's last seq holds two ops, which travel together.
		{"a fork waits for the next batch", ck, fork.Seq - 1, store.ChainLimits{Ops: 2, Bytes: 1 << 20}, wantC[len(wantC)-3 : len(wantC)-2], true},
		{"a fork in one batch", ck, fork.Seq - 1, store.ChainLimits{Ops: 3, Bytes: 1 << 20}, wantC[len(wantC)-3:], false},
		{"a fork alone over the limit is cut", ck, fork.Seq, store.ChainLimits{Ops: 1, Bytes: 1 << 20}, wantC[len(wantC)-2 : len(wantC)-1], true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, more, err := s.Chain(tc.author, tc.from, tc.lim)
			if err != nil {
				t.Fatalf("Chain: %v", err)
			}
			sameOps(t, "Chain", got, tc.want)
			if more != tc.more {
				t.Fatalf("more = %v, want %v", more, tc.more)
			}
		})
	}
}

func TestChainStopsAtAGap(t *testing.T) {
	c := chains(t, 3, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	a := c.Actor("A").Key
	want := chainOf(c.Ops, a)
	// An index entry two seqs past A's tip, as if a seq were missing.
	stray := c.Ops[len(c.Ops)-1]
	if err := s.PutRaw(store.SeqKey(a, stray.Seq+2, stray.Hash()), nil); err != nil {
		t.Fatalf("PutRaw: %v", err)
	}
	got, more, err := s.Chain(a, 1, store.ChainLimits{Ops: 100, Bytes: 1 << 20})
	if err != nil {
		t.Fatalf("Chain: %v", err)
	}
	sameOps(t, "Chain", got, want)
	if more {
		t.Fatal("more = true after a gap, want false")
	}
}

func TestChainCorrupt(t *testing.T) {
	c := chains(t, 3, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	victim := c.Ops[len(c.Ops)-1]
	if err := s.PutRaw(store.SeqKey(victim.Author, victim.Seq, victim.Hash()), c.Ops[1].Bytes()); err != nil {
		t.Fatalf("PutRaw: %v", err)
	}
	if ops, _, err := s.Chain(victim.Author, 1, store.ChainLimits{Ops: 100, Bytes: 1 << 20}); !errors.Is(err, store.ErrCorrupt) || ops != nil {
		t.Fatalf("Chain over a corrupt op = %d ops, %v; want ErrCorrupt", len(ops), err)
	}
}
