package store_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// TestLayoutEntriesPerOp checks format 5's layout: an op's o/ value is its
// stored position and then its bytes, its i/ value its hash and a flag set
// for an advisory, and the store writes no w/ or v/ keys, so an advisory
// costs three badger entries, not five.
func TestLayoutEntriesPerOp(t *testing.T) {
	c := chains(t, 3, "A", "B")
	if _, err := c.Leave("C"); err != nil { // a non-advisory op among them
		t.Fatalf("Leave: %v", err)
	}
	s := open(t, "", store.DefaultLocalOptions())
	if err := s.Put(c.Ops...); err != nil {
		t.Fatalf("Put: %v", err)
	}
	advisories := 0
	for pos, h := range ranged(t, s) {
		op, err := s.Get(h)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if op.Kind == protocol.KindAdvisory {
			advisories++
		}
		v, ok, err := s.GetRaw(store.OpKey(h))
		if err != nil || !ok {
			t.Fatalf("o/ of op %d: %v, %v", pos, ok, err)
		}
		iv, ok, err := s.GetRaw(store.IndexKey(uint64(pos)))
		wantIndex := append(h[:], 0)
		if op.Kind == protocol.KindAdvisory {
			wantIndex[len(h)] = 1
		}
		if err != nil || !ok || string(iv) != string(wantIndex) {
			t.Errorf("i/ value of op %d = %x, %v, %v; want %x", pos, iv, ok, err, wantIndex)
		}
		want := binary.BigEndian.AppendUint64(nil, uint64(pos))
		want = append(want, op.Bytes()...)
		if string(v) != string(want) {
			t.Errorf("o/ value of op %d = %x…, want its position then its bytes, %x…", pos, v[:min(len(v), 12)], want[:12])
		}
	}
	n, err := s.KeysByPrefix()
	if err != nil {
		t.Fatalf("KeysByPrefix: %v", err)
	}
	ops := len(c.Ops)
	if advisories != 6 {
		t.Fatalf("the circle has %d advisories, want 6", advisories)
	}
	if n['o'] != ops || n['s'] != ops || n['i'] != ops || n['v'] != 0 || n['w'] != 0 {
		t.Errorf("keys o/ %d, s/ %d, i/ %d, v/ %d, w/ %d; want %d, %d, %d, 0, 0", n['o'], n['s'], n['i'], n['v'], n['w'], ops, ops, ops)
	}
}

// An o/ value whose position is not the op's i/ counter is corrupt: Range
// and AdvisoryPos say so instead of reporting a wrong position.
func TestCorruptOpPosition(t *testing.T) {
	c := chains(t, 2, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	victim := c.Ops[len(c.Ops)-1]
	wrong := binary.BigEndian.AppendUint64(nil, 1)
	if err := s.PutRaw(store.OpKey(victim.Hash()), append(wrong, victim.Bytes()...)); err != nil {
		t.Fatalf("PutRaw: %v", err)
	}
	if err := s.Range(func(*protocol.Op) error { return nil }); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Range over an op holding a wrong position: %v, want ErrCorrupt", err)
	}
	if _, _, err := s.AdvisoryPos(victim.Hash()); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("AdvisoryPos of an op holding a wrong position: %v, want ErrCorrupt", err)
	}
	if op, err := s.Get(victim.Hash()); err != nil || op.Hash() != victim.Hash() {
		t.Errorf("Get of the op = %v, %v; want it, its bytes are intact", op, err)
	}
}

// An i/ value that is not a hash and a flag is corrupt: Advisories and
// Range say so.
func TestCorruptIndexValue(t *testing.T) {
	c := chains(t, 2, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	h := c.Ops[1].Hash()
	for name, v := range map[string][]byte{
		"hash alone":   h[:],
		"unknown flag": append(h[:len(h):len(h)], 2),
	} {
		if err := s.PutRaw(store.IndexKey(1), v); err != nil {
			t.Fatalf("PutRaw: %v", err)
		}
		if _, err := s.Advisories(0, 10); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s: Advisories: %v, want ErrCorrupt", name, err)
		}
		if err := s.Range(func(*protocol.Op) error { return nil }); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s: Range: %v, want ErrCorrupt", name, err)
		}
	}
}
