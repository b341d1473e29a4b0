package protocol

import (
	"crypto/ed25519"

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
type sigBatch struct {
	v    *voi.BatchVerifier
	n    int
	keys map[Key]*batchKey // the keys seen, by key
}

// batchKey is a key of a batch: how many of its signatures were added,
// and once a second one is, the key decoded once for all of them.
type batchKey struct {
	n int
	x *voi.ExpandedPublicKey // nil until the second signature, or if k does not decode
}

// newSigBatch returns an empty batch with room for n signatures. Its check
// uses no tables of the keys' multiples: Kring's batches are used once,
// and in them the tables cost more than they saved (at 32 to 128
// signatures; the same at 256, where the verifier stops using them). A
// key repeated in the batch is still decoded only once (add).
func newSigBatch(n int) *sigBatch {
	return &sigBatch{v: voi.NewBatchVerifierWithCapacity(n).ForceNoPublicKeyExpansion(), keys: map[Key]*batchKey{}}
}

// add puts the signature sig of msg by k in the batch. The batch keeps
// msg and sig until verify: the caller must not change them before. A
// key with more than one signature in the batch (a sync range brings
// one author's ops) is decoded once, at its second signature, for all
// the rest, instead of once a signature; the verifier checks the decoded
// key under the same rule (voi's AddExpandedWithOptions).
func (b *sigBatch) add(k Key, msg, sig []byte) {
	if b.v == nil {
		*b = *newSigBatch(0)
	}
	bk := b.keys[k]
	if bk == nil {
		bk = &batchKey{}
		b.keys[k] = bk
	}
	if bk.n++; bk.n == 2 {
		bk.x, _ = voi.NewExpandedPublicKey(k[:]) // nil if k does not decode: added as it is, it fails alike
	}
	if bk.x != nil {
		b.v.AddExpandedWithOptions(bk.x, msg, sig, sigRule)
	} else {
		b.v.AddWithOptions(k[:], msg, sig, sigRule)
	}
	b.n++
}

// verify checks the batch. It reports whether every signature is valid,
// and each signature's verdict in the order added: when the batch as a
// whole fails, each signature is checked again on its own, so the verdicts
// name exactly the bad ones. An empty batch is valid.
func (b *sigBatch) verify() (bool, []bool) {
	if b.n == 0 {
		return true, nil
	}
	return b.v.Verify(nil)
}
