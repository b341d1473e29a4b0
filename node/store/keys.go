package store

import (
	"encoding/binary"
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// Key prefixes; doc.go describes the layout.
const (
	prefixOp         = 'o'
	prefixSeq        = 's'
	prefixTip        = 't'
	prefixIndex      = 'i'
	prefixHead       = 'h'
	prefixPending    = 'p'
	prefixPendingIdx = 'q'
	prefixBlock      = 'b'
	prefixAddr       = 'a'
	prefixMeta       = 'm'
)

// formatVersion is the layout this package writes and reads, kept under
// keyFormat. Version 5 holds the ops of version 4 in fewer entries, and an
// op's bytes under its s/ key, in seq order (doc.go): version 4 kept them
// under o/, and a v/ and a w/ key for each advisory. Version 4 holds ops of wire format 2 (docs/protocol.md) whose
// signatures ZIP-215's rule accepts and that the membership rules of
// docs/membership.md judge; version 3 held ops whose signatures
// crypto/ed25519 accepted, a set that differs; version 2 held ops under the
// version-1 rules, whose States differ, and version 1 ops of wire format 1.
// It reads none of them.
const formatVersion = 5

var (
	keyFormat  = key(prefixMeta, []byte("format"))
	keyNextSeq = key(prefixMeta, []byte("next-seq"))
	keyOwn     = key(prefixMeta, []byte("own-outstanding"))
)

// prefix returns the two-byte prefix "<p>/".
func prefix(p byte) []byte { return []byte{p, '/'} }

// key joins a prefix and fixed-size parts.
func key(p byte, parts ...[]byte) []byte {
	n := 2
	for _, part := range parts {
		n += len(part)
	}
	k := make([]byte, 0, n)
	k = append(k, p, '/')
	for _, part := range parts {
		k = append(k, part...)
	}
	return k
}

func be(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func opKey(h protocol.Hash) []byte              { return key(prefixOp, h[:]) }
func headKey(h protocol.Hash) []byte            { return key(prefixHead, h[:]) }
func tipKey(a protocol.Key) []byte              { return key(prefixTip, a[:]) }
func indexKey(n uint64) []byte                  { return key(prefixIndex, be(n)) }
func pendingKey(n uint64) []byte                { return key(prefixPending, be(n)) }
func pendingIdxKey(h protocol.Hash) []byte      { return key(prefixPendingIdx, h[:]) }
func blockKey(k protocol.Key) []byte            { return key(prefixBlock, k[:]) }
func addrKey(k protocol.Key) []byte             { return key(prefixAddr, k[:]) }
func seqPrefix(a protocol.Key, s uint64) []byte { return key(prefixSeq, a[:], be(s)) }

func seqKey(a protocol.Key, s uint64, h protocol.Hash) []byte {
	return key(prefixSeq, a[:], be(s), h[:])
}

// Sizes of the keys an op is stored under.
const (
	seqKeySize   = 2 + 32 + 8 + 32 // s/<author><seq><hash>
	opKeySize    = 2 + 32          // o/<hash>
	indexKeySize = 2 + 8           // i/<n>
)

// opEntries is room for one op's keys and values, all but the op's bytes.
type opEntries [seqKeySize + opKeySize + opLocSize + indexKeySize + indexEntrySize]byte

// cut writes the s/ key, the o/ key and value and the i/ key and value
// of op h, stored at position n, into e, and returns them as slices of it
// whose capacities end where each ends: with e on the heap, one
// allocation for the five.
func (e *opEntries) cut(op *protocol.Op, h protocol.Hash, n uint64) (seq, o, loc, idx, ival []byte) {
	b := e[:0]
	next := func(from int) []byte { return b[from:len(b):len(b)] }
	b = append(b, prefixSeq, '/')
	b = append(b, op.Author[:]...)
	b = binary.BigEndian.AppendUint64(b, op.Seq)
	b = append(b, h[:]...)
	seq = next(0)
	at := len(b)
	b = append(b, prefixOp, '/')
	b = append(b, h[:]...)
	o = next(at)
	at = len(b)
	b = opLoc{author: op.Author, seq: op.Seq, pos: n}.appendValue(b)
	loc = next(at)
	at = len(b)
	b = append(b, prefixIndex, '/')
	b = binary.BigEndian.AppendUint64(b, n)
	idx = next(at)
	at = len(b)
	b = indexEntry{author: op.Author, seq: op.Seq, hash: h, advisory: op.Kind == protocol.KindAdvisory}.appendValue(b)
	ival = next(at)
	return seq, o, loc, idx, ival
}

// lastKey is at or after every key of prefix p with an 8-byte suffix (the
// counters), for reverse seeks.
func lastKey(p byte) []byte {
	return key(p, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
}

// suffix returns what follows the prefix of k, which must be size bytes.
func suffix(k []byte, size int) ([]byte, error) {
	if len(k) != 2+size {
		return nil, fmt.Errorf("%w: key %q is %d bytes, want %d", ErrCorrupt, k, len(k), 2+size)
	}
	return k[2:], nil
}

// uint64Of decodes an 8-byte big-endian value.
func uint64Of(b []byte, what string) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: %s is %d bytes, want 8", ErrCorrupt, what, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// hashOf decodes a 32-byte hash.
func hashOf(b []byte, what string) (protocol.Hash, error) {
	var h protocol.Hash
	if len(b) != len(h) {
		return h, fmt.Errorf("%w: %s is %d bytes, want %d", ErrCorrupt, what, len(b), len(h))
	}
	copy(h[:], b)
	return h, nil
}

// keyOf decodes a 32-byte member key.
func keyOf(b []byte, what string) (protocol.Key, error) {
	var k protocol.Key
	if len(b) != len(k) {
		return k, fmt.Errorf("%w: %s is %d bytes, want %d", ErrCorrupt, what, len(b), len(k))
	}
	copy(k[:], b)
	return k, nil
}
