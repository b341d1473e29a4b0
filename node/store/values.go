package store

import (
	"encoding/binary"
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// opLoc is the o/ value of an op: where its bytes are (the s/ key of its
// author and seq) and its stored position, its i/ counter.
type opLoc struct {
	author protocol.Key
	seq    uint64
	pos    uint64
}

// opLocSize is the size of an o/ value: author, seq, position.
const opLocSize = 32 + 8 + 8

// appendValue appends l's o/ value to v.
func (l opLoc) appendValue(v []byte) []byte {
	v = append(v, l.author[:]...)
	v = binary.BigEndian.AppendUint64(v, l.seq)
	return binary.BigEndian.AppendUint64(v, l.pos)
}

// parseOpLoc decodes v, the o/ value of op h.
func parseOpLoc(h protocol.Hash, v []byte) (opLoc, error) {
	var l opLoc
	if len(v) != opLocSize {
		return l, fmt.Errorf("%w: the o/ value of op %s is %d bytes, want %d", ErrCorrupt, h.Short(), len(v), opLocSize)
	}
	copy(l.author[:], v)
	l.seq = binary.BigEndian.Uint64(v[32:])
	l.pos = binary.BigEndian.Uint64(v[40:])
	return l, nil
}

// Flags of an i/ value, after the op's hash.
const (
	indexOther    = 0 // the op is not an advisory
	indexAdvisory = 1 // the op is an advisory (Advisories, AdvisoryPos)
)

// indexEntry is the i/ value of a stored op: its author, seq and hash
// (its s/ key) and whether it is an advisory.
type indexEntry struct {
	author   protocol.Key
	seq      uint64
	hash     protocol.Hash
	advisory bool
}

// indexEntrySize is the size of an i/ value: author, seq, hash, flag.
const indexEntrySize = 32 + 8 + 32 + 1

// appendValue appends e's i/ value to v.
func (e indexEntry) appendValue(v []byte) []byte {
	v = append(v, e.author[:]...)
	v = binary.BigEndian.AppendUint64(v, e.seq)
	v = append(v, e.hash[:]...)
	flag := byte(indexOther)
	if e.advisory {
		flag = indexAdvisory
	}
	return append(v, flag)
}

// seqKey is the s/ key of the op e indexes, which holds its bytes.
func (e indexEntry) seqKey() []byte { return seqKey(e.author, e.seq, e.hash) }

// parseIndexEntry decodes v, the i/ value of the op stored n-th.
func parseIndexEntry(n uint64, v []byte) (indexEntry, error) {
	var e indexEntry
	if len(v) != indexEntrySize || v[indexEntrySize-1] > indexAdvisory {
		return e, fmt.Errorf("%w: the i/ value of op %d is %x, want an author, a seq, a hash and a flag", ErrCorrupt, n, v)
	}
	copy(e.author[:], v)
	e.seq = binary.BigEndian.Uint64(v[32:])
	copy(e.hash[:], v[40:])
	e.advisory = v[indexEntrySize-1] == indexAdvisory
	return e, nil
}
