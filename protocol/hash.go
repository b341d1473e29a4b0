package protocol

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"filippo.io/edwards25519"
)

// HashSize is the length of a Hash in bytes.
const HashSize = sha256.Size

// Hash identifies an op, a motion or an application: the SHA-256 of its
// canonical encoding.
type Hash [HashSize]byte

// String returns the hash as lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Short returns the first 12 hex digits of the hash, for logs and people.
func (h Hash) Short() string { return h.String()[:12] }

// IsZero reports whether h is the all-zero hash.
func (h Hash) IsZero() bool { return h == Hash{} }

// Less orders hashes bytewise; preds are sorted in this order.
func (h Hash) Less(o Hash) bool { return bytes.Compare(h[:], o[:]) < 0 }

// ParseHash parses a 64-digit hex string.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != HashSize {
		return h, ErrBadHex
	}
	copy(h[:], b)
	return h, nil
}

// Key is a member's Ed25519 public key. It is also the libp2p identity of
// that member's node.
type Key [ed25519.PublicKeySize]byte

// KeyOf returns the Key of an Ed25519 private key.
func KeyOf(priv ed25519.PrivateKey) Key {
	var k Key
	copy(k[:], priv.Public().(ed25519.PublicKey))
	return k
}

// String returns the key as lower-case hex.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Short returns the first 12 hex digits of the key, for logs and people.
func (k Key) Short() string { return k.String()[:12] }

// IsZero reports whether k is the all-zero key.
func (k Key) IsZero() bool { return k == Key{} }

// Less orders keys bytewise.
func (k Key) Less(o Key) bool { return bytes.Compare(k[:], o[:]) < 0 }

// ParseKey parses a 64-digit hex string.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, ErrBadHex
	}
	copy(k[:], b)
	return k, nil
}

// CheckKey returns an error wrapping ErrWeakKey unless k is a key a
// signature can be trusted under: the canonical encoding of a point of the
// Ed25519 curve that is not of small order. It refuses
//
//   - 32 bytes that decode to no curve point;
//   - a non-canonical encoding (a y coordinate of p or more, or a sign bit
//     set on a point whose x is 0), which Go's crypto/ed25519 accepts and
//     which would give one key two encodings;
//   - the eight points of small order (the identity among them), whose
//     multiple by the cofactor 8 is the identity: under such a key the
//     signature R = identity, S = 0 verifies for every message.
//
// The key of a private key (KeyOf) always passes: it is a multiple of the
// base point, of prime order.
func CheckKey(k Key) error {
	p, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return fmt.Errorf("%w: %s is not a curve point", ErrWeakKey, k.Short())
	}
	if !bytes.Equal(p.Bytes(), k[:]) {
		return fmt.Errorf("%w: %s is not canonically encoded", ErrWeakKey, k.Short())
	}
	if p.MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return fmt.Errorf("%w: %s is a point of small order", ErrWeakKey, k.Short())
	}
	return nil
}

// smallOrder holds the canonical encodings of the eight points of small
// order of the Ed25519 curve (the identity, one point of order 2, two of
// order 4, four of order 8).
var smallOrder = func() (out [8]Key) {
	for i, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	} {
		if _, err := hex.Decode(out[i][:], []byte(h)); err != nil {
			panic(err) // constant hex
		}
	}
	return out
}()

// weakEncoding reports, from the bytes alone, what CheckKey reports for a
// key that is a curve point: a non-canonical encoding (y at least p, or
// x = 0 with the sign bit set) or one of the eight small-order points. It
// skips the point decompression CheckKey does, which an op's signature
// check does again anyway; a key that is no curve point fails that check.
// Op.Verify uses it on every op's author, where the decompression cost a
// tenth of the verification.
func weakEncoding(k Key) bool {
	y := k
	y[31] &= 0x7f
	sign := k[31] >> 7
	// y < p = 2^255 - 19, compared from the most significant byte.
	less := false
	for i := 31; i >= 0; i-- {
		pb := byte(0xff)
		switch i {
		case 31:
			pb = 0x7f
		case 0:
			pb = 0xed
		}
		if y[i] != pb {
			less = y[i] < pb
			break
		}
	}
	if !less {
		return true
	}
	if sign == 1 && (y == smallOrder[0] || y == smallOrder[1]) {
		return true // x = 0 exactly when y = 1 or y = p - 1; only its sign 0 is canonical
	}
	for _, s := range smallOrder {
		if k == s {
			return true
		}
	}
	return false
}

// encProbe is a fixed X25519 key that CheckEncKey agrees a secret with.
var encProbe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x4b}, 32))
	if err != nil {
		panic(err) // a constant 32-byte scalar is always a valid X25519 key
	}
	return k
}()

// CheckEncKey returns an error wrapping ErrWeakKey when k, a member's X25519
// encryption key, is of small order (the all-zero key among them): every
// key agreement with such a point gives a secret that does not depend on
// the private key, so anything encrypted to it could be read by anyone.
func CheckEncKey(k [32]byte) error {
	pub, err := ecdh.X25519().NewPublicKey(k[:])
	if err == nil {
		_, err = encProbe.ECDH(pub)
	}
	if err != nil {
		return fmt.Errorf("%w: encryption key %x is of small order", ErrWeakKey, k[:4])
	}
	return nil
}

// verify checks an Ed25519 signature by k over domain||msg under the
// signature rule (sig.go).
func (k Key) verify(domain string, msg, sig []byte) bool {
	return verifySig(k, withDomain(domain, msg), sig)
}

// sign signs domain||msg with priv.
func sign(priv ed25519.PrivateKey, domain string, msg []byte) []byte {
	return ed25519.Sign(priv, withDomain(domain, msg))
}

func withDomain(domain string, msg []byte) []byte {
	b := make([]byte, 0, len(domain)+1+len(msg))
	b = append(b, domain...)
	b = append(b, 0)
	return append(b, msg...)
}

// Signature domains. Each signed structure has its own prefix, so a
// signature made for one can never be replayed as another. The version in
// them is the wire format's: version 2 changed what founders sign and
// added kinds and fields, and shares no signature, hash or circle with
// version 1.
const (
	DomainOp          = "kring/op/v2"
	DomainGenesis     = "kring/genesis/v2"
	DomainApplication = "kring/application/v2"
	DomainMotion      = "kring/motion/v2"
)

func sum(domain string, b []byte) Hash {
	if domain == "" {
		return sha256.Sum256(b)
	}
	return sha256.Sum256(withDomain(domain, b))
}
