package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node/store"
)

func TestNextSeq(t *testing.T) {
	s := open(t, "", store.DefaultLocalOptions())
	if n, err := s.NextSeq(); err != nil || n != 0 {
		t.Fatalf("NextSeq of a new store = %d, %v; want 0", n, err)
	}
	for _, n := range []uint64{5, 5, 6} {
		if err := s.SetNextSeq(n); err != nil {
			t.Fatalf("SetNextSeq(%d): %v", n, err)
		}
	}
	if err := s.SetNextSeq(4); !errors.Is(err, store.ErrSeqRewind) {
		t.Fatalf("SetNextSeq(4) after 6: error %v, want ErrSeqRewind", err)
	}
	if n, err := s.NextSeq(); err != nil || n != 6 {
		t.Fatalf("NextSeq = %d, %v; want 6", n, err)
	}
}

func TestBlocks(t *testing.T) {
	s := open(t, "", store.DefaultLocalOptions())
	a, b := member("A"), member("B")
	since := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", -3600))
	err := errors.Join(
		s.SetBlock(a, store.Block{Reason: "first", Since: since}),
		s.SetBlock(a, store.Block{Reason: "replaced", Since: since.Add(time.Hour)}),
		s.SetBlock(b, store.Block{Reason: "no time"}),
		s.Unblock(member("C")), // not blocked: nothing to do
	)
	if err != nil {
		t.Fatalf("blocking: %v", err)
	}
	got, err := s.Blocks()
	if err != nil {
		t.Fatalf("Blocks: %v", err)
	}
	if len(got) != 2 || got[a].Reason != "replaced" || !got[a].Since.Equal(since.Add(time.Hour)) ||
		got[a].Since.Location() != time.UTC || got[b].Reason != "no time" || !got[b].Since.IsZero() {
		t.Fatalf("Blocks = %+v", got)
	}
	if err := s.Unblock(a); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if got, err := s.Blocks(); err != nil || len(got) != 1 || got[b].Reason != "no time" {
		t.Fatalf("Blocks after Unblock = %+v, %v", got, err)
	}
}

func TestAddrs(t *testing.T) {
	s := open(t, "", store.DefaultLocalOptions())
	a := member("A")
	seen := time.Date(2026, 6, 7, 8, 9, 10, 11, time.UTC)
	quic := multiaddr.StringCast("/ip4/198.51.100.1/udp/4001/quic-v1")
	tcp := multiaddr.StringCast("/ip6/2001:db8::1/tcp/4001")
	for _, e := range []store.AddrEntry{{Addrs: []multiaddr.Multiaddr{quic}}, {Addrs: []multiaddr.Multiaddr{tcp, quic}, Seen: seen}} {
		if err := s.PutAddrs(a, e); err != nil {
			t.Fatalf("PutAddrs: %v", err)
		}
	}
	if err := s.PutAddrs(member("B"), store.AddrEntry{Addrs: []multiaddr.Multiaddr{nil}}); err == nil {
		t.Fatal("PutAddrs accepted an empty address")
	}
	got, err := s.Addrs()
	if err != nil {
		t.Fatalf("Addrs: %v", err)
	}
	e := got[a]
	if len(got) != 1 || !e.Seen.Equal(seen) || !slices.EqualFunc(e.Addrs, []multiaddr.Multiaddr{tcp, quic}, multiaddr.Multiaddr.Equal) {
		t.Fatalf("Addrs = %+v; want A's second entry only", got)
	}
}

func TestOutstanding(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, diskOptions())
	if op, err := s.Outstanding(); err != nil || op != nil {
		t.Fatalf("fresh store: outstanding %v, %v; want none", op, err)
	}
	c := chains(t, 1, "A")
	op := c.Ops[len(c.Ops)-1]
	if err := s.SetOutstanding(op); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, diskOptions())
	got, err := s.Outstanding()
	if err != nil || got == nil || got.Hash() != op.Hash() {
		t.Fatalf("after reopening: outstanding %v, %v; want %s", got, err, op)
	}
	if err := s.ClearOutstanding(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Outstanding(); err != nil || got != nil {
		t.Fatalf("after clearing: outstanding %v, %v; want none", got, err)
	}
}
