package store_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("Disk", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) trust.Store {
			s, err := store.Open(t.TempDir(), store.DefaultOptions())
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		})
	})
	t.Run("InMemory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) trust.Store {
			s, err := store.Open("", store.DefaultLocalOptions())
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		})
	})
}

// snapshot is everything a store must keep across a restart.
type snapshot struct {
	len     int
	tips    map[protocol.Key]trust.Tip
	heads   []protocol.Hash
	order   []protocol.Hash
	seq     uint64
	pending []protocol.Hash
	blocks  map[protocol.Key]store.Block
	addrs   map[protocol.Key]store.AddrEntry
}

func snap(t *testing.T, s *store.Store) snapshot {
	t.Helper()
	var sn snapshot
	var errs [7]error
	sn.len, errs[0] = s.Len()
	sn.tips, errs[1] = s.Tips()
	sn.heads, errs[2] = s.Heads()
	sn.seq, errs[3] = s.NextSeq()
	var pending []*protocol.Op
	pending, errs[4] = s.Pending()
	sn.pending = hashes(pending)
	sn.blocks, errs[5] = s.Blocks()
	sn.addrs, errs[6] = s.Addrs()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatalf("reading the store: %v", err)
	}
	sn.order = ranged(t, s)
	return sn
}

func (a snapshot) diff(b snapshot) string {
	tipEq := func(x, y trust.Tip) bool { return x.Seq == y.Seq && slices.Equal(x.Hashes, y.Hashes) }
	blockEq := func(x, y store.Block) bool { return x.Reason == y.Reason && x.Since.Equal(y.Since) }
	addrEq := func(x, y store.AddrEntry) bool {
		return x.Seen.Equal(y.Seen) && slices.EqualFunc(x.Addrs, y.Addrs, multiaddr.Multiaddr.Equal)
	}
	switch {
	case a.len != b.len:
		return "Len"
	case !maps.EqualFunc(a.tips, b.tips, tipEq):
		return "Tips"
	case !slices.Equal(a.heads, b.heads):
		return "Heads"
	case !slices.Equal(a.order, b.order):
		return "Range order"
	case a.seq != b.seq:
		return "NextSeq"
	case !slices.Equal(a.pending, b.pending):
		return "Pending"
	case !maps.EqualFunc(a.blocks, b.blocks, blockEq):
		return "Blocks"
	case !maps.EqualFunc(a.addrs, b.addrs, addrEq):
		return "Addrs"
	}
	return ""
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	c := chains(t, 3, "A", "B", "C")
	if _, err := c.Fork("C", &protocol.Advisory{Title: "C 2, again", TLP: protocol.TLPClear}); err != nil {
		t.Fatalf("forking: %v", err)
	}
	stored, later := c.Ops, []*protocol.Op{}
	for range 2 {
		op, err := c.Advise("A", "not yet stored", protocol.TLPGreen)
		if err != nil {
			t.Fatalf("advising: %v", err)
		}
		later = append(later, op)
	}
	since := time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.FixedZone("CEST", 2*3600))
	addr := multiaddr.StringCast("/ip4/192.0.2.7/udp/4001/quic-v1")

	s, err := store.Open(dir, store.DefaultOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Put(stored[:4]...); err != nil {
		t.Fatalf("Put: %v", err)
	}
	put(t, s, stored[4:]...)
	for _, op := range later {
		if _, err := s.PutPending(op); err != nil {
			t.Fatalf("PutPending: %v", err)
		}
	}
	err = errors.Join(
		s.SetNextSeq(9),
		s.SetBlock(c.Actor("B").Key, store.Block{Reason: "phished", Since: since}),
		s.PutAddrs(c.Actor("C").Key, store.AddrEntry{Addrs: []multiaddr.Multiaddr{addr}, Seen: since}),
	)
	if err != nil {
		t.Fatalf("writing local state: %v", err)
	}
	before := snap(t, s)
	if before.len != len(stored) || !slices.Equal(before.order, hashes(stored)) || len(before.tips[c.Actor("C").Key].Hashes) != 2 {
		t.Fatalf("before the restart: Len %d of %d, Range in stored order %v, C's tip %v",
			before.len, len(stored), slices.Equal(before.order, hashes(stored)), before.tips[c.Actor("C").Key])
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, dir, store.DefaultOptions())
	after := snap(t, s)
	if what := before.diff(after); what != "" {
		t.Fatalf("%s differs after reopening:\nbefore %+v\nafter  %+v", what, before, after)
	}
	// The op counter resumes where it was: a new op comes last.
	if err := s.Put(later[0]); err != nil {
		t.Fatalf("Put after reopening: %v", err)
	}
	if got := ranged(t, s); !slices.Equal(got, append(hashes(stored), later[0].Hash())) {
		t.Fatalf("Range after reopening and one Put gives %d ops in another order", len(got))
	}
}

func TestClosed(t *testing.T) {
	c := chains(t, 1, "A")
	s, err := store.Open("", store.DefaultLocalOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	put(t, s, c.Ops...)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, errGet := s.Get(c.Genesis.Hash())
	_, errLen := s.Len()
	_, errPend := s.PutPending(c.Ops[1])
	for what, err := range map[string]error{
		"Put": s.Put(c.Ops...), "Get": errGet, "Len": errLen, "PutPending": errPend,
		"Range":      s.Range(func(*protocol.Op) error { return nil }),
		"SetNextSeq": s.SetNextSeq(1),
	} {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: error %v, want ErrClosed", what, err)
		}
	}
}

// TestOpenTwice: a second Open of a data dir in use fails with an error
// wrapping ErrInUse (kring run names it so), with badger's text; once the
// first store is closed, the dir opens again.
func TestOpenTwice(t *testing.T) {
	dir := t.TempDir()
	first := open(t, dir, diskOptions())
	s, err := store.Open(dir, diskOptions())
	if err == nil {
		s.Close()
		t.Fatal("a second Open of a directory in use succeeded")
	}
	if !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), "Cannot acquire directory lock") {
		t.Fatalf("a second Open: %v, want an error wrapping ErrInUse with badger's text", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(dir, diskOptions())
	if err != nil {
		t.Fatalf("Open after the first store closed: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}
