package store

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// putDelta is what a staged Put changes in the caches.
type putDelta struct {
	fresh uint64                     // ops written
	heads map[protocol.Hash]bool     // the heads after the Put
	tips  map[protocol.Key]trust.Tip // the tips the Put changed
}

// Put implements trust.Store: all ops and their indexes go into one badger
// transaction. An error wraps trust.ErrNotClosed when an op's preds are
// missing, ErrTooBig when the batch does not fit one transaction, or
// ErrClosed; in every case nothing was stored.
func (s *Store) Put(ops ...*protocol.Op) error { return s.put(ops, true, 0) }

// put is Put, synced or not (PutVisible); with next above 0 the same
// write saves next as the lowest seq not yet reserved (PutVisibleOwn).
func (s *Store) put(ops []*protocol.Op, synced bool, next uint64) error {
	var d putDelta
	return s.writeThen(fmt.Sprintf("put of %d ops", len(ops)), func(txn *badger.Txn) error {
		if next > 0 {
			if err := raiseNextSeq(txn, next); err != nil {
				return err
			}
		}
		var err error
		d, err = s.stage(txn, ops)
		return err
	}, func() {
		s.n += d.fresh
		if d.fresh > 0 {
			s.heads = d.heads
		}
		maps.Copy(s.tips, d.tips)
	}, synced)
}

// stage writes the ops that are not yet stored into txn. The caller holds
// wmu, so the caches it reads are not changing.
func (s *Store) stage(txn *badger.Txn, ops []*protocol.Op) (putDelta, error) {
	d := putDelta{heads: maps.Clone(s.heads), tips: map[protocol.Key]trust.Tip{}}
	batch := map[protocol.Hash]bool{}
	for _, op := range ops {
		h := op.Hash()
		if len(op.Bytes()) == 0 {
			return d, fmt.Errorf("op %s has no encoding (not from protocol.Sign or Decode)", h.Short())
		}
		if batch[h] {
			continue
		}
		stored, err := s.stored(txn, op, h)
		if err != nil {
			return d, err
		}
		if stored {
			continue
		}
		if err := checkPreds(txn, batch, op); err != nil {
			return d, err
		}
		batch[h] = true
		if err := s.stageOp(txn, &d, op, h); err != nil {
			return d, err
		}
	}
	return d, s.stageHeadsTips(txn, d)
}

// stored reports whether op, of hash h, is stored. An op above its
// author's stored tip is not, and costs no read: every stored op of an
// author is at or below its tip (s.tips), so only a duplicate or a twin of
// a stored seq is looked up. The caller holds wmu.
func (s *Store) stored(txn *badger.Txn, op *protocol.Op, h protocol.Hash) (bool, error) {
	if op.Seq > s.tips[op.Author].Seq {
		return false, nil
	}
	return exists(txn, opKey(h))
}

// stageHeadsTips writes the head and tip keys a put changes, once each: a
// head that was one before and is not after is deleted, a new one set,
// and an author's tip set once, if its seq rose. Within a chain of ops in
// one put, each op is a head only until the next: writing each would cost
// a badger entry per op (a deletion of a key never written). The caller
// holds wmu.
func (s *Store) stageHeadsTips(txn *badger.Txn, d putDelta) error {
	before := s.heads
	for h := range before {
		if !d.heads[h] {
			if err := txn.Delete(headKey(h)); err != nil {
				return err
			}
		}
	}
	for h := range d.heads {
		if !before[h] {
			if err := txn.Set(headKey(h), nil); err != nil {
				return err
			}
		}
	}
	for a, t := range d.tips {
		if t.Seq <= s.tips[a].Seq {
			continue
		}
		if err := txn.Set(tipKey(a), be(t.Seq)); err != nil {
			return err
		}
	}
	return nil
}

// checkPreds returns an error wrapping trust.ErrNotClosed unless every
// pred of op is stored or in batch.
func checkPreds(txn *badger.Txn, batch map[protocol.Hash]bool, op *protocol.Op) error {
	for _, p := range op.Preds {
		if batch[p] {
			continue
		}
		stored, err := exists(txn, opKey(p))
		if err != nil {
			return err
		}
		if !stored {
			return fmt.Errorf("%w: %s cites %s", trust.ErrNotClosed, op, p.Short())
		}
	}
	return nil
}

// stageOp writes one new op, three entries: its bytes under its s/ key,
// where they are under o/ and its i/ entry; and updates d. The head and
// tip keys are written once the put's ops are staged (stageHeadsTips).
func (s *Store) stageOp(txn *badger.Txn, d *putDelta, op *protocol.Op, h protocol.Hash) error {
	n := s.n + d.fresh
	s.noteValue(op.Bytes())
	// The op's keys and values are cut from one buffer: badger keeps each
	// until the transaction commits, and the buffer is the op's alone.
	var buf opEntries
	sk, opk, loc, ik, iv := buf.cut(op, h, n)
	if err := txn.Set(sk, op.Bytes()); err != nil {
		return err
	}
	if err := txn.Set(opk, loc); err != nil {
		return err
	}
	if err := txn.Set(ik, iv); err != nil {
		return err
	}
	for _, p := range op.Preds {
		delete(d.heads, p)
	}
	d.heads[h] = true
	tip, ok := d.tips[op.Author]
	if !ok {
		tip = s.tips[op.Author]
	}
	switch {
	case op.Seq > tip.Seq:
		tip = trust.Tip{Seq: op.Seq, Hashes: []protocol.Hash{h}}
	case op.Seq == tip.Seq:
		tip.Hashes = protocol.SortPreds(append(slices.Clone(tip.Hashes), h))
	}
	d.tips[op.Author] = tip
	d.fresh++
	return nil
}

// Get implements trust.Store. The op is decoded from its stored bytes,
// found under the s/ key its o/ value names; an error wraps
// trust.ErrNotFound, ErrCorrupt or ErrClosed.
func (s *Store) Get(h protocol.Hash) (*protocol.Op, error) {
	var op *protocol.Op
	err := s.view("get "+h.Short(), func(txn *badger.Txn) error {
		v, ok, err := get(txn, opKey(h))
		if err != nil {
			return err
		}
		if !ok {
			return trust.ErrNotFound
		}
		l, err := parseOpLoc(h, v)
		if err != nil {
			return err
		}
		raw, ok, err := get(txn, seqKey(l.author, l.seq, h))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: op %s is located at %s#%d but not stored there", ErrCorrupt, h.Short(), l.author.Short(), l.seq)
		}
		op, err = decodeOp(h, raw)
		return err
	})
	return op, err
}

// decodeOp decodes the stored bytes of the op with hash h.
func decodeOp(h protocol.Hash, b []byte) (*protocol.Op, error) {
	op, err := protocol.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: op %s does not decode: %w", ErrCorrupt, h.Short(), err)
	}
	if op.Hash() != h {
		return nil, fmt.Errorf("%w: op %s: its bytes hash to %s", ErrCorrupt, h.Short(), op.Hash().Short())
	}
	return op, nil
}

// Has implements trust.Store.
func (s *Store) Has(h protocol.Hash) (bool, error) {
	var ok bool
	err := s.view("has "+h.Short(), func(txn *badger.Txn) error {
		var err error
		ok, err = exists(txn, opKey(h))
		return err
	})
	return ok, err
}

// BySeq implements trust.Store.
func (s *Store) BySeq(author protocol.Key, seq uint64) ([]protocol.Hash, error) {
	var hs []protocol.Hash
	err := s.view(fmt.Sprintf("by seq %s#%d", author.Short(), seq), func(txn *badger.Txn) error {
		var err error
		hs, err = bySeq(txn, author, seq)
		return err
	})
	return hs, err
}

// bySeq reads the s/ keys of (author, seq), which come sorted by hash.
func bySeq(txn *badger.Txn, author protocol.Key, seq uint64) ([]protocol.Hash, error) {
	var hs []protocol.Hash
	p := seqPrefix(author, seq)
	opt := badger.DefaultIteratorOptions
	opt.Prefix = p
	opt.PrefetchValues = false
	it := txn.NewIterator(opt)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		h, err := hashOf(it.Item().Key()[len(p):], "seq index hash")
		if err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// cached runs fn under the cache read lock of the open store.
func (s *Store) cached(fn func()) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn()
	return nil
}

// Tips implements trust.Store from memory.
func (s *Store) Tips() (map[protocol.Key]trust.Tip, error) {
	var out map[protocol.Key]trust.Tip
	err := s.cached(func() {
		out = make(map[protocol.Key]trust.Tip, len(s.tips))
		for k, t := range s.tips {
			out[k] = trust.Tip{Seq: t.Seq, Hashes: slices.Clone(t.Hashes)}
		}
	})
	return out, err
}

// Heads implements trust.Store from memory.
func (s *Store) Heads() ([]protocol.Hash, error) {
	var out []protocol.Hash
	err := s.cached(func() { out = protocol.SortPreds(slices.Collect(maps.Keys(s.heads))) })
	return out, err
}

// Len implements trust.Store from memory.
func (s *Store) Len() (int, error) {
	var n int
	err := s.cached(func() { n = int(s.n) })
	return n, err
}
