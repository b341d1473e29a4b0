package node

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// heldBits is the size in bits of the held filter: 512 KiB, whatever the
// log's length. With heldHashes bits an op, about one op in 15,000 that
// the node does not hold passes for held at 100,000 ops held, one in 7 at
// a million; such an op costs a store read (Node.holds), nothing worse.
const (
	heldBits   = 1 << 22
	heldHashes = 4
)

// heldFilter is a Bloom filter of the hashes of the ops the node stores:
// it answers "not held" for certain and "held" only perhaps, so that a
// new op gossiped to the node is told apart from a replayed one without
// a store read, and only an op that may be held costs one (Node.holds).
// It never forgets a hash; an op it is not told of is only read from the
// store when replayed, as any op would be.
//
// Safe for concurrent use: the loop adds the ops it writes (loop.put) and
// those it loads at start (heldTap), while pubsub's validators ask;
// every word is read and set atomically. It is not state the loop owns:
// an answer that lags a write by a moment costs a replayed op its
// signature check, and the loop still calls it a duplicate. It is written
// here, not taken from github.com/bits-and-blooms/bloom/v3, because that
// filter is not safe for an Add beside a Test, and the validators must not
// wait on a lock the loop holds.
type heldFilter struct {
	words [heldBits / 64]atomic.Uint64
}

// bits returns the filter's bits for op h. An op's hash is SHA-256, so
// its 8-byte words are independent and uniform.
func (f *heldFilter) bits(h protocol.Hash) [heldHashes]uint32 {
	var out [heldHashes]uint32
	for i := range out {
		out[i] = uint32(binary.LittleEndian.Uint64(h[8*i:]) % heldBits)
	}
	return out
}

// add notes that the node stores op h.
func (f *heldFilter) add(h protocol.Hash) {
	for _, b := range f.bits(h) {
		w := &f.words[b/64]
		if m := uint64(1) << (b % 64); w.Load()&m == 0 {
			w.Or(m)
		}
	}
}

// mayHold reports false if the node does not store op h, and true if it
// may.
func (f *heldFilter) mayHold(h protocol.Hash) bool {
	for _, b := range f.bits(h) {
		if f.words[b/64].Load()&(uint64(1)<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// heldTap is the node's store as trust.Load reads it at start: every op
// Range hands the engine goes in the filter too, so that the ops stored
// before a restart count as held without a second read of the log.
type heldTap struct {
	*store.Store
	f *heldFilter
}

// Range implements trust.Store.
func (t heldTap) Range(fn func(*protocol.Op) error) error {
	return t.Store.Range(func(op *protocol.Op) error {
		t.f.add(op.Hash())
		return fn(op)
	})
}
