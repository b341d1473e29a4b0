package store_test

import (
	"errors"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

var garbage = []byte("\xa1\x01\xff not an op")

func TestCorruptOp(t *testing.T) {
	c := chains(t, 2, "A")
	for name, value := range map[string][]byte{
		"garbage":    garbage,
		"empty":      {},
		"another op": c.Ops[1].Bytes(),
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t, "", store.DefaultLocalOptions())
			put(t, s, c.Ops...)
			last := c.Ops[len(c.Ops)-1]
			victim := last.Hash()
			if err := s.PutRaw(store.SeqKey(last.Author, last.Seq, victim), value); err != nil {
				t.Fatalf("PutRaw: %v", err)
			}
			if op, err := s.Get(victim); !errors.Is(err, store.ErrCorrupt) || op != nil {
				t.Fatalf("Get of a corrupt op = %v, %v; want ErrCorrupt", op, err)
			}
			if err := s.Range(func(*protocol.Op) error { return nil }); !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Range over a corrupt op: error %v, want ErrCorrupt", err)
			}
			if _, err := trust.Load(s); !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("trust.Load of a corrupt store: error %v, want ErrCorrupt", err)
			}
			// The other ops are still readable.
			if _, err := s.Get(c.Genesis.Hash()); err != nil {
				t.Fatalf("Get of an intact op: %v", err)
			}
		})
	}
}

func TestCorruptLocal(t *testing.T) {
	s := open(t, "", store.DefaultLocalOptions())
	op := chains(t, 1, "A").Ops[1]
	if _, err := s.PutPending(op); err != nil {
		t.Fatalf("PutPending: %v", err)
	}
	n, _ := s.PendingCounter(op.Hash())
	a := member("A")
	for _, kv := range [][2][]byte{
		{store.PendingKey(n), garbage},
		{store.BlockKey(a), garbage},
		{store.AddrKey(a), []byte("\xa1\x01\x81\x42\xff\xff")}, // CBOR for {1: [h'ffff']}: not a multiaddr
	} {
		if err := s.PutRaw(kv[0], kv[1]); err != nil {
			t.Fatalf("PutRaw: %v", err)
		}
	}
	if _, err := s.Pending(); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Pending with a corrupt op: error %v, want ErrCorrupt", err)
	}
	if _, err := s.Blocks(); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Blocks with a corrupt block: error %v, want ErrCorrupt", err)
	}
	if _, err := s.Addrs(); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Addrs with a corrupt address: error %v, want ErrCorrupt", err)
	}
}

func TestCorruptOpen(t *testing.T) {
	c := chains(t, 1, "A")
	for name, tc := range map[string]struct {
		key, value []byte
		want       error
	}{
		"tip seq":      {store.TipKey(c.Actor("A").Key), []byte{1, 2, 3}, store.ErrCorrupt},
		"tip sans op":  {store.TipKey(c.Actor("A").Key), []byte{0, 0, 0, 0, 0, 0, 0, 9}, store.ErrCorrupt},
		"newer layout": {store.FormatKey, []byte{6}, store.ErrFormat},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := store.Open(dir, diskOptions())
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			put(t, s, c.Ops...)
			if err := errors.Join(s.PutRaw(tc.key, tc.value), s.Close()); err != nil {
				t.Fatalf("corrupting: %v", err)
			}
			// Twice: a failed Open releases the directory.
			for range 2 {
				if s, err := store.Open(dir, diskOptions()); !errors.Is(err, tc.want) {
					if err == nil {
						s.Close()
					}
					t.Fatalf("Open of a corrupt store: error %v, want %v", err, tc.want)
				}
			}
		})
	}
}
