package node

import (
	"fmt"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// A fresh node syncs a chain several range batches long from one member
// in one sync: each next batch is asked for early, from the seq the last
// op of the batch before claims, and every op arrives once.
func TestSyncPullsALongChainInBatches(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	op := must(t)
	const advisories = 3*protocol.MaxSyncOps + 5
	for i := range advisories {
		op(c.Advise("A", fmt.Sprint("a ", i), protocol.TLPGreen))
	}
	d := syncFromHolder(t, c, 30*time.Second)
	if n, _ := d.store.Len(); n != len(c.Ops) {
		t.Errorf("D stores %d of %d ops", n, len(c.Ops))
	}
	if dup := d.Verdicts()["ignore/duplicate"]; dup != 0 {
		t.Errorf("D judged %d duplicate ops; each batch should come once", dup)
	}
}

// claimedNext reads the seq after a batch's last op, and claims nothing
// for an empty batch, an op it cannot decode, or another author's op.
func TestClaimedNext(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	op := must(t)
	a1 := op(c.Advise("A", "one", protocol.TLPGreen))
	a2 := op(c.Advise("A", "two", protocol.TLPGreen))
	b1 := op(c.Advise("B", "one", protocol.TLPGreen))
	author := a1.Author
	cases := []struct {
		name string
		raw  [][]byte
		from uint64
		want uint64
	}{
		{"empty", nil, 1, 1},
		{"chain", [][]byte{a1.Bytes(), a2.Bytes()}, 1, a2.Seq + 1},
		{"undecodable last", [][]byte{a1.Bytes(), a2.Bytes()[1:]}, 1, 1},
		{"another author last", [][]byte{a1.Bytes(), b1.Bytes()}, 1, 1},
		{"below from", [][]byte{a1.Bytes()}, a2.Seq + 1, a2.Seq + 1},
	}
	for _, tc := range cases {
		if got := claimedNext(tc.raw, author, tc.from); got != tc.want {
			t.Errorf("%s: claimedNext = %d, want %d", tc.name, got, tc.want)
		}
	}
}
