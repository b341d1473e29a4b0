package store

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/fxamacker/cbor/v2"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/protocol"
)

// NextSeq returns the lowest seq this node has not reserved for signing,
// as last saved by SetNextSeq or PutVisibleOwn, or 0 when none was ever
// saved.
func (s *Store) NextSeq() (uint64, error) {
	var n uint64
	err := s.view("next seq", func(txn *badger.Txn) error {
		var err error
		n, err = nextSeq(txn)
		return err
	})
	return n, err
}

func nextSeq(txn *badger.Txn) (uint64, error) {
	v, ok, err := get(txn, keyNextSeq)
	if err != nil || !ok {
		return 0, err
	}
	return uint64Of(v, "next seq")
}

// SetNextSeq durably saves n as the lowest seq not yet reserved: before it
// signs the op with seq n-1, the node saves n, so that after a crash it
// knows which seqs it may have signed. Lowering the saved value is refused
// with an error wrapping ErrSeqRewind; saving the same value again is fine.
func (s *Store) SetNextSeq(n uint64) error {
	return s.write(fmt.Sprintf("set next seq %d", n), func(txn *badger.Txn) error {
		return raiseNextSeq(txn, n)
	}, nil)
}

// raiseNextSeq saves n as the lowest seq not yet reserved in txn, refusing
// to lower the saved value.
func raiseNextSeq(txn *badger.Txn, n uint64) error {
	cur, err := nextSeq(txn)
	if err != nil {
		return err
	}
	if n < cur {
		return fmt.Errorf("%w: from %d to %d", ErrSeqRewind, cur, n)
	}
	return txn.Set(keyNextSeq, be(n))
}

// Block is this node's own refusal of a member (a local block): it is not
// an op, no other node sees it, and the node can lift it with Unblock.
type Block struct {
	// Reason says why, for the operator.
	Reason string
	// Since is when the block was set. It is stored to the nanosecond and
	// read back in UTC.
	Since time.Time
}

// blockRecord is a Block's stored form (CBOR).
type blockRecord struct {
	Reason string `cbor:"1,keyasint"`
	Sec    int64  `cbor:"2,keyasint"`
	Nsec   int64  `cbor:"3,keyasint"`
}

// SetBlock durably blocks member k, replacing any earlier block of k.
func (s *Store) SetBlock(k protocol.Key, b Block) error {
	v, err := cbor.Marshal(blockRecord{Reason: b.Reason, Sec: b.Since.Unix(), Nsec: int64(b.Since.Nanosecond())})
	if err != nil {
		return fmt.Errorf("store: encoding the block of %s: %w", k.Short(), err)
	}
	return s.write("block "+k.Short(), func(txn *badger.Txn) error { return txn.Set(blockKey(k), v) }, nil)
}

// Unblock lifts this node's block of member k; it does nothing when k is
// not blocked.
func (s *Store) Unblock(k protocol.Key) error {
	return s.write("unblock "+k.Short(), func(txn *badger.Txn) error { return txn.Delete(blockKey(k)) }, nil)
}

// Blocks returns this node's local blocks, by member.
func (s *Store) Blocks() (map[protocol.Key]Block, error) {
	out := map[protocol.Key]Block{}
	err := s.view("blocks", func(txn *badger.Txn) error {
		return scan(txn, prefixBlock, true, func(key, v []byte) error {
			k, err := memberOf(key)
			if err != nil {
				return err
			}
			var r blockRecord
			if err := cbor.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: block of %s: %w", ErrCorrupt, k.Short(), err)
			}
			out[k] = Block{Reason: r.Reason, Since: time.Unix(r.Sec, r.Nsec).UTC()}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddrEntry is what the address book knows of one member's node.
type AddrEntry struct {
	// Addrs are the node's addresses, in the order given to PutAddrs.
	Addrs []multiaddr.Multiaddr
	// Seen is when the addresses were last confirmed. It is stored to the
	// nanosecond and read back in UTC.
	Seen time.Time
}

// addrRecord is an AddrEntry's stored form (CBOR, multiaddrs as bytes).
type addrRecord struct {
	Addrs [][]byte `cbor:"1,keyasint"`
	Sec   int64    `cbor:"2,keyasint"`
	Nsec  int64    `cbor:"3,keyasint"`
}

// PutAddrs durably records e as member k's entry in the address book,
// replacing the previous one. Every address must be non-empty.
func (s *Store) PutAddrs(k protocol.Key, e AddrEntry) error {
	r := addrRecord{Sec: e.Seen.Unix(), Nsec: int64(e.Seen.Nanosecond())}
	for i, a := range e.Addrs {
		if len(a) == 0 {
			return fmt.Errorf("store: addresses of %s: address %d is empty", k.Short(), i)
		}
		r.Addrs = append(r.Addrs, a.Bytes())
	}
	v, err := cbor.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encoding the addresses of %s: %w", k.Short(), err)
	}
	return s.write("addresses of "+k.Short(), func(txn *badger.Txn) error { return txn.Set(addrKey(k), v) }, nil)
}

// Addrs returns the address book, by member.
func (s *Store) Addrs() (map[protocol.Key]AddrEntry, error) {
	out := map[protocol.Key]AddrEntry{}
	err := s.view("addresses", func(txn *badger.Txn) error {
		return scan(txn, prefixAddr, true, func(key, v []byte) error {
			k, err := memberOf(key)
			if err != nil {
				return err
			}
			var r addrRecord
			if err := cbor.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: addresses of %s: %w", ErrCorrupt, k.Short(), err)
			}
			e := AddrEntry{Seen: time.Unix(r.Sec, r.Nsec).UTC()}
			for _, b := range r.Addrs {
				a, err := multiaddr.NewMultiaddrBytes(b)
				if err != nil {
					return fmt.Errorf("%w: address of %s: %w", ErrCorrupt, k.Short(), err)
				}
				e.Addrs = append(e.Addrs, a)
			}
			out[k] = e
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// memberOf returns the member key that ends a b/ or a/ key.
func memberOf(key []byte) (protocol.Key, error) {
	b, err := suffix(key, len(protocol.Key{}))
	if err != nil {
		return protocol.Key{}, err
	}
	return keyOf(b, "member key")
}
