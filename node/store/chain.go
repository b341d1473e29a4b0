package store

import (
	"crypto/sha256"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/kring-circle/kring/protocol"
)

// ChainLimits bound one Chain read: at most Ops ops and, unless the first
// seq alone is larger, at most Bytes bytes of them.
type ChainLimits struct {
	Ops, Bytes int
}

// Chain returns the stored bytes of author's ops from seq from on, in seq
// order (the ops of one seq sorted by hash), as a sync range answer sends
// them: it stops at the first seq it does not hold, and before a seq whose
// ops would break the limits, which it reports as more. Only when the
// first seq alone breaks them does it cut inside the seq. It reads the s/
// keys in order, which hold the ops' bytes, in one badger transaction, and
// decodes nothing; each op's bytes are checked
// against their hash, and a mismatch is an error wrapping ErrCorrupt.
func (s *Store) Chain(author protocol.Key, from uint64, lim ChainLimits) (ops [][]byte, more bool, err error) {
	from = max(from, 1)
	err = s.view(fmt.Sprintf("chain %s from #%d", author.Short(), from), func(txn *badger.Txn) error {
		ops, more, err = chain(txn, author, from, lim)
		return err
	})
	return ops, more, err
}

func chain(txn *badger.Txn, author protocol.Key, from uint64, lim ChainLimits) (ops [][]byte, more bool, err error) {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = key(prefixSeq, author[:])
	opt.PrefetchValues = false // read one at a time, once the seq is known
	it := txn.NewIterator(opt)
	defer it.Close()
	size := 0
	var group [][]byte // the ops of seq want read so far
	groupBytes := 0
	// flush adds the group of one seq; it reports false when the limits
	// stop the read before or inside it.
	flush := func() bool {
		if len(ops) > 0 && (len(ops)+len(group) > lim.Ops || size+groupBytes > lim.Bytes) {
			more = true // the whole seq in the next batch
			return false
		}
		for _, b := range group {
			if len(ops) > 0 && (len(ops)+1 > lim.Ops || size+len(b) > lim.Bytes) {
				more = true
				return false
			}
			ops = append(ops, b)
			size += len(b)
		}
		group, groupBytes = nil, 0
		return true
	}
	want := from
	plen := len(opt.Prefix)
	for it.Seek(seqPrefix(author, from)); it.Valid(); it.Next() {
		k := it.Item().Key()
		seq, err := uint64Of(k[plen:min(len(k), plen+8)], "seq index seq")
		if err != nil {
			return nil, false, err
		}
		h, err := hashOf(k[min(len(k), plen+8):], "seq index hash")
		if err != nil {
			return nil, false, err
		}
		if seq != want {
			if seq != want+1 || len(group) == 0 {
				break // a gap: the chain ends here for this store
			}
			if !flush() {
				return ops, more, nil
			}
			want = seq
		}
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, false, fmt.Errorf("reading op %s: %w", h.Short(), err)
		}
		if protocol.Hash(sha256.Sum256(raw)) != h {
			return nil, false, fmt.Errorf("%w: op %s: its bytes hash to something else", ErrCorrupt, h.Short())
		}
		group = append(group, raw)
		groupBytes += len(raw)
	}
	if len(group) > 0 {
		flush()
	}
	return ops, more, nil
}
