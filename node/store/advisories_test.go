package store_test

import (
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// TestAdvisoryIndex checks that every stored advisory, and nothing else,
// is indexed at its stored position, across a restart.
func TestAdvisoryIndex(t *testing.T) {
	c := chains(t, 3, "A", "B")
	if _, err := c.Leave("C"); err != nil { // a non-advisory op among them
		t.Fatalf("Leave: %v", err)
	}
	dir := t.TempDir()
	s, err := store.Open(dir, diskOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	put(t, s, c.Ops...)
	put(t, s, c.Ops...) // a second Put of stored ops indexes nothing again

	var want []store.AdvisoryRef
	pos := uint64(0)
	for _, h := range ranged(t, s) {
		op, err := s.Get(h)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if op.Kind == protocol.KindAdvisory {
			want = append(want, store.AdvisoryRef{Pos: pos, Hash: h})
		}
		pos++
	}
	if len(want) != 6 {
		t.Fatalf("the circle has %d advisories, want 6", len(want))
	}
	check := func(s *store.Store) {
		t.Helper()
		got, err := s.Advisories(0, 100)
		if err != nil || len(got) != len(want) {
			t.Fatalf("Advisories(0, 100) = %d refs, %v; want %d", len(got), err, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("advisory %d = %+v, want %+v", i, got[i], want[i])
			}
			n, ok, err := s.AdvisoryPos(want[i].Hash)
			if err != nil || !ok || n != want[i].Pos {
				t.Errorf("AdvisoryPos(%s) = %d, %v, %v; want %d", want[i].Hash.Short(), n, ok, err, want[i].Pos)
			}
		}
		page, err := s.Advisories(want[1].Pos+1, 2)
		if err != nil || len(page) != 2 || page[0] != want[2] || page[1] != want[3] {
			t.Errorf("Advisories(after #1, 2) = %+v, %v; want #2 and #3", page, err)
		}
		if rest, err := s.Advisories(want[5].Pos+1, 10); err != nil || len(rest) != 0 {
			t.Errorf("Advisories after the last = %+v, %v; want none", rest, err)
		}
		back, err := s.AdvisoriesBefore(want[4].Pos, 3)
		if err != nil || len(back) != 3 || back[0] != want[3] || back[1] != want[2] || back[2] != want[1] {
			t.Errorf("AdvisoriesBefore(#4, 3) = %+v, %v; want #3, #2, #1", back, err)
		}
		if all, err := s.AdvisoriesBefore(^uint64(0), 100); err != nil || len(all) != 6 || all[0] != want[5] || all[5] != want[0] {
			t.Errorf("AdvisoriesBefore(end, 100) = %+v, %v; want all six, newest first", all, err)
		}
		if none, err := s.AdvisoriesBefore(want[0].Pos, 10); err != nil || len(none) != 0 {
			t.Errorf("AdvisoriesBefore(#0) = %+v, %v; want none", none, err)
		}
		if _, ok, err := s.AdvisoryPos(c.Genesis.Hash()); ok || err != nil {
			t.Errorf("AdvisoryPos(genesis) = %v, %v; want not found", ok, err)
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check(open(t, dir, diskOptions()))
}
