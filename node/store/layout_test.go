package store_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// TestLayoutEntriesPerOp checks format 5's layout: an op's bytes are its
// s/ value, its o/ value its author, seq and stored position, its i/
// value its author, seq, hash and a flag set for an advisory, and the
// store writes no w/ or v/ keys, so an advisory costs three badger
// entries, not five.
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
		flag := byte(0)
		if op.Kind == protocol.KindAdvisory {
			advisories++
			flag = 1
		}
		where := append(op.Author[:], binary.BigEndian.AppendUint64(nil, op.Seq)...)
		for _, kv := range []struct {
			name       string
			key, value []byte
		}{
			{"s/", store.SeqKey(op.Author, op.Seq, h), op.Bytes()},
			{"o/", store.OpKey(h), binary.BigEndian.AppendUint64(slices.Clone(where), uint64(pos))},
			{"i/", store.IndexKey(uint64(pos)), append(append(slices.Clone(where), h[:]...), flag)},
		} {
			v, ok, err := s.GetRaw(kv.key)
			if err != nil || !ok || string(v) != string(kv.value) {
				t.Errorf("%s value of op %d = %x, %v, %v; want %x", kv.name, pos, v[:min(len(v), 80)], ok, err, kv.value[:min(len(kv.value), 80)])
			}
		}
	}
	if advisories != 6 {
		t.Fatalf("the circle has %d advisories, want 6", advisories)
	}
	n, err := s.KeysByPrefix()
	if err != nil {
		t.Fatalf("KeysByPrefix: %v", err)
	}
	ops := len(c.Ops)
	if n['o'] != ops || n['s'] != ops || n['i'] != ops || n['v'] != 0 || n['w'] != 0 {
		t.Errorf("keys o/ %d, s/ %d, i/ %d, v/ %d, w/ %d; want %d, %d, %d, 0, 0", n['o'], n['s'], n['i'], n['v'], n['w'], ops, ops, ops)
	}
}

// An o/ value whose position does not index its op is corrupt:
// AdvisoryPos says so instead of reporting a wrong position, and the op
// still reads, its bytes being intact.
func TestCorruptOpPosition(t *testing.T) {
	c := chains(t, 2, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	victim := c.Ops[len(c.Ops)-1]
	loc := append(victim.Author[:], binary.BigEndian.AppendUint64(nil, victim.Seq)...)
	for name, pos := range map[string]uint64{"another op's": 1, "unindexed": 1000} {
		if err := s.PutRaw(store.OpKey(victim.Hash()), binary.BigEndian.AppendUint64(loc, pos)); err != nil {
			t.Fatalf("PutRaw: %v", err)
		}
		if _, _, err := s.AdvisoryPos(victim.Hash()); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("AdvisoryPos of an op holding %s position: %v, want ErrCorrupt", name, err)
		}
		if op, err := s.Get(victim.Hash()); err != nil || op.Hash() != victim.Hash() {
			t.Errorf("Get of an op holding %s position = %v, %v; want it", name, op, err)
		}
	}
	// An o/ value naming a seq that does not hold the op.
	wrongSeq := append(victim.Author[:], binary.BigEndian.AppendUint64(nil, victim.Seq+1)...)
	if err := s.PutRaw(store.OpKey(victim.Hash()), binary.BigEndian.AppendUint64(wrongSeq, 2)); err != nil {
		t.Fatalf("PutRaw: %v", err)
	}
	if op, err := s.Get(victim.Hash()); !errors.Is(err, store.ErrCorrupt) || op != nil {
		t.Errorf("Get of an op located at the wrong seq = %v, %v; want ErrCorrupt", op, err)
	}
}

// An i/ value that is not an author, a seq, a hash and a flag is corrupt:
// Advisories and Range say so.
func TestCorruptIndexValue(t *testing.T) {
	c := chains(t, 2, "A")
	s := open(t, "", store.DefaultLocalOptions())
	put(t, s, c.Ops...)
	op := c.Ops[1]
	h := op.Hash()
	entry := append(append(op.Author[:], binary.BigEndian.AppendUint64(nil, op.Seq)...), h[:]...)
	for name, v := range map[string][]byte{
		"hash alone":   h[:],
		"no flag":      entry,
		"unknown flag": append(entry[:len(entry):len(entry)], 2),
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
