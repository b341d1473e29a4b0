package protocol

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"hash"
	"sync"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// The signature rule. Every Ed25519 signature Kring checks, one at a time
// or in a batch, is checked by the rule of ZIP-215 (as
// curve25519-voi's VerifyOptionsZIP_215 implements it):
//
//   - A (the key) and R (the signature's first half) are 32 bytes that
//     decode to a point of the curve, canonically encoded or not, of any
//     order; the hash k = SHA-512(R || A || message) takes them as given;
//   - S (the second half) is a canonical scalar, less than the group order;
//   - the cofactored equation holds: [8][S]B = [8]R + [8][k]A.
//
// A batch checks one random linear combination of the same cofactored
// equations, so it accepts exactly when every member would be accepted
// alone (up to a chance of 2^-128 per failed batch, from the random
// coefficients), and a failed batch is checked again member by member.
// Kring's key check (CheckKey, weakEncoding) comes first wherever a key
// enters, so a key that is non-canonical or of small order never reaches
// the rule: what ZIP-215 admits for A, Kring refuses as ErrWeakKey.
var sigRule = &voi.Options{Verify: voi.VerifyOptionsZIP_215}

// verifySig reports whether sig is a valid signature of msg by k under
// the signature rule.
func verifySig(k Key, msg, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	return voi.VerifyWithOptions(k[:], msg, sig, sigRule)
}

// sigBatch checks many signatures at once under the signature rule. Its
// zero value is an empty batch; a sigBatch is not safe for concurrent use.
//
// It checks the batch as one random linear combination of the members'
// cofactored equations, [8]([-Σ z_i·S_i]B + Σ [z_i]R_i + Σ [z_i·k_i]A_i) =
// 0 with random 128-bit z_i, as curve25519-voi's BatchVerifier does, but
// sums the terms of each key first: Σ [z_i·k_i]A over one key's
// signatures is one term [Σ z_i·k_i]A. A sync range brings one author's
// ops, so its batch of n signatures is a multiscalar multiplication of
// n+2 points instead of 2n+1. The sum is the same point either way, so
// the batch accepts exactly what voi's would.
//
// A batch keeps its buffers when reset, so that one taken from
// sigBatches (getSigBatch, putSigBatch) checks the next batch without
// allocating them again.
type sigBatch struct {
	entries []sigEntry
	keys    map[Key]int // each key's index in points, -1 if it does not decode
	points  []curve.EdwardsPoint
	h       hash.Hash // SHA-512, reused for each k_i
	sum     [sha512.Size]byte
	bad     bool // a member is invalid whatever the others

	// Scratch of combined and verify, kept for the next batch.
	zs      []byte
	svals   []scalar.Scalar
	scalars []*scalar.Scalar
	pts     []*curve.EdwardsPoint
	valid   []bool
}

// sigEntry is one signature of a batch, decoded. The signed message is
// pre[:npre] followed by msg: an op's domain prefix and map header sit in
// pre, and msg is the rest of the op's own encoding, not a copy of it.
type sigEntry struct {
	k        Key
	pre      [maxSigPrefix]byte
	npre     uint8
	msg, sig []byte
	key      int // the key's index in sigBatch.points
	R        curve.EdwardsPoint
	S, hram  scalar.Scalar // S and k = SHA-512(R || A || msg)
}

// maxSigPrefix bounds the prefix addSplit takes: DomainOp, a zero byte
// and an op's map header fit.
const maxSigPrefix = 16

// message returns the entry's signed message in one new slice.
func (e *sigEntry) message() []byte {
	if e.npre == 0 {
		return e.msg
	}
	b := make([]byte, 0, int(e.npre)+len(e.msg))
	b = append(b, e.pre[:e.npre]...)
	return append(b, e.msg...)
}

// newSigBatch returns an empty batch with room for n signatures.
func newSigBatch(n int) *sigBatch {
	return &sigBatch{entries: make([]sigEntry, 0, n), keys: map[Key]int{}, h: sha512.New()}
}

// sigBatches holds batches that were checked, with their buffers, for
// the next batch to reuse.
var sigBatches = sync.Pool{New: func() any { return newSigBatch(0) }}

// getSigBatch returns an empty batch, from sigBatches when one is there.
func getSigBatch() *sigBatch {
	return sigBatches.Get().(*sigBatch)
}

// putSigBatch empties b and returns it to sigBatches. The caller must
// not use b, or a verdict slice verify returned from it, after.
func putSigBatch(b *sigBatch) {
	b.reset()
	sigBatches.Put(b)
}

// reset empties the batch and keeps its buffers. It drops the batch's
// references to the messages and signatures added, so that a batch in
// sigBatches holds no op's bytes.
func (b *sigBatch) reset() {
	clear(b.entries)
	b.entries = b.entries[:0]
	clear(b.keys)
	b.points = b.points[:0]
	clear(b.pts)
	b.bad = false
}

// add puts the signature sig of msg by k in the batch. The batch keeps
// msg and sig until verify: the caller must not change them before. Each
// key is decoded once, at its first signature.
func (b *sigBatch) add(k Key, msg, sig []byte) {
	b.addSplit(k, nil, msg, sig)
}

// addSplit is add for the message pre followed by msg, which the batch
// hashes in place without joining them; pre is copied, and at most
// maxSigPrefix bytes.
func (b *sigBatch) addSplit(k Key, pre, msg, sig []byte) {
	if b.keys == nil {
		*b = *newSigBatch(0)
	}
	if len(pre) > maxSigPrefix {
		pre, msg = nil, append(append([]byte(nil), pre...), msg...)
	}
	b.entries = append(b.entries, sigEntry{k: k, npre: uint8(len(pre)), msg: msg, sig: sig})
	e := &b.entries[len(b.entries)-1]
	copy(e.pre[:], pre)
	if !b.decode(e) {
		b.bad = true
	}
}

// decode decodes e's key (once per key), R and S under the signature
// rule, and hashes k; it reports false if e is invalid whatever the
// equation says.
func (b *sigBatch) decode(e *sigEntry) bool {
	i, seen := b.keys[e.k]
	if !seen {
		i = -1
		var a curve.EdwardsPoint
		if decodePoint(&a, e.k[:]) {
			i = len(b.points)
			b.points = append(b.points, a)
		}
		b.keys[e.k] = i
	}
	e.key = i
	if i < 0 || len(e.sig) != ed25519.SignatureSize || !scalar.ScMinimalVartime(e.sig[32:]) || !decodePoint(&e.R, e.sig[:32]) {
		return false
	}
	if _, err := e.S.SetBytesModOrder(e.sig[32:]); err != nil {
		return false
	}
	b.h.Reset()
	b.h.Write(e.sig[:32])
	b.h.Write(e.k[:])
	b.h.Write(e.pre[:e.npre])
	b.h.Write(e.msg)
	_, err := e.hram.SetBytesModOrderWide(b.h.Sum(b.sum[:0]))
	return err == nil
}

// decodePoint decodes the 32 bytes b, canonical or not, into p; it
// reports false if they are no point of the curve.
func decodePoint(p *curve.EdwardsPoint, b []byte) bool {
	var c curve.CompressedEdwardsY
	if _, err := c.SetBytes(b); err != nil {
		return false
	}
	_, err := p.SetCompressedY(&c)
	return err == nil
}

// verify checks the batch. It reports whether every signature is valid,
// and each signature's verdict in the order added: when the batch as a
// whole fails, each signature is checked again on its own (verifySig),
// so the verdicts name exactly the bad ones. An empty batch is valid.
func (b *sigBatch) verify() (bool, []bool) {
	if len(b.entries) == 0 {
		return true, nil
	}
	valid := grow(b.valid, len(b.entries))
	b.valid = valid
	if !b.bad && b.combined() {
		for i := range valid {
			valid[i] = true
		}
		return true, valid
	}
	all := true
	for i := range b.entries {
		e := &b.entries[i]
		valid[i] = verifySig(e.k, e.message(), e.sig)
		all = all && valid[i]
	}
	return all, valid
}

// combined checks the batch's random linear combination of the
// signatures' equations, each key's terms summed into one; every member
// must have decoded.
func (b *sigBatch) combined() bool {
	n, m := len(b.entries), len(b.points)
	b.zs = grow(b.zs, 16*n)
	zs := b.zs
	if _, err := rand.Read(zs); err != nil {
		return false // checked one by one instead
	}
	b.svals = grow(b.svals, 1+n+m) // B | R_i | A_j
	b.scalars = grow(b.scalars, 1+n+m)
	b.pts = grow(b.pts, 1+n+m)
	svals, scalars, points := b.svals, b.scalars, b.pts
	clear(svals)
	for i := range svals {
		scalars[i] = &svals[i]
	}
	points[0] = curve.ED25519_BASEPOINT_POINT
	for j := range b.points {
		points[1+n+j] = &b.points[j]
	}
	bc, ac := &svals[0], svals[1+n:]
	for i := range b.entries {
		e := &b.entries[i]
		var zb [scalar.ScalarSize]byte
		copy(zb[:16], zs[16*i:])
		z := &svals[1+i]
		if _, err := z.SetBytesModOrder(zb[:]); err != nil {
			return false
		}
		points[1+i] = &e.R
		var t scalar.Scalar
		bc.Add(bc, t.Mul(z, &e.S))
		ac[e.key].Add(&ac[e.key], t.Mul(z, &e.hram))
	}
	bc.Neg(bc)
	var sum curve.EdwardsPoint
	return sum.MultiscalarMulVartime(scalars, points).IsSmallOrder()
}

// grow returns s with length n, its backing array reused when it has room.
// The elements are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
