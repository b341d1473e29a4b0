package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
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

// verify checks an Ed25519 signature by k over domain||msg.
func (k Key) verify(domain string, msg, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(k[:]), withDomain(domain, msg), sig)
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
// signature made for one can never be replayed as another.
const (
	DomainOp          = "kring/op/v1"
	DomainGenesis     = "kring/genesis/v1"
	DomainApplication = "kring/application/v1"
	DomainMotion      = "kring/motion/v1"
)

func sum(domain string, b []byte) Hash {
	if domain == "" {
		return sha256.Sum256(b)
	}
	return sha256.Sum256(withDomain(domain, b))
}
