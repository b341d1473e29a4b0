package protocol

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"slices"
)

// Kind says what an op's body is. Decoders reject kinds they do not know;
// a later version adds kinds without changing how existing ops encode.
type Kind uint8

// The op kinds of this version.
const (
	KindGenesis  Kind = 1 // the circle's first op: charter and co-signed founders
	KindVote     Kind = 2 // a member's vote on a motion (an endorsement is a vote on Admit)
	KindEnact    Kind = 3 // enacts a motion by citing enough votes
	KindLeave    Kind = 4 // a member leaves the circle for good
	KindAdvisory Kind = 5 // a security advisory shared with the circle
	KindAck      Kind = 6 // a quiet member acknowledges the log it has seen
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindGenesis:
		return "genesis"
	case KindVote:
		return "vote"
	case KindEnact:
		return "enact"
	case KindLeave:
		return "leave"
	case KindAdvisory:
		return "advisory"
	case KindAck:
		return "ack"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsMembership reports whether ops of this kind can change the membership
// State (genesis, votes, enactments, leave). Data ops (advisories) cannot,
// and neither can an acknowledgement, which decides nothing itself: it
// only says, through its preds, what its author has seen.
func (k Kind) IsMembership() bool {
	return k == KindGenesis || k == KindVote || k == KindEnact || k == KindLeave
}

// Op is one signed entry of a circle's log. Its canonical encoding is a CBOR
// map with small integer keys (see docs/protocol.md); its hash is the
// SHA-256 of that encoding including Sig.
//
// An Op obtained from Decode or Sign must not be modified: it caches its
// encoding, hash and decoded body.
type Op struct {
	// Group is the hash of the circle's genesis op; zero in the genesis itself.
	Group Hash `cbor:"1,keyasint"`
	// Author is the signing member's key.
	Author Key `cbor:"2,keyasint"`
	// Seq numbers the author's ops from 1 without gaps.
	Seq uint64 `cbor:"3,keyasint"`
	// Prev is the author's op with Seq-1; absent when Seq is 1.
	Prev *Hash `cbor:"4,keyasint,omitempty"`
	// Preds are the heads the author had when signing: sorted, unique,
	// containing Prev, at most MaxPreds; absent only in a genesis.
	Preds []Hash `cbor:"5,keyasint,omitempty"`
	// Epoch is the hash of the op that put the charter in force in the
	// op's view (the genesis, or a charter enactment); zero in the genesis.
	Epoch Hash `cbor:"6,keyasint"`
	// Kind says what Body holds.
	Kind Kind `cbor:"7,keyasint"`
	// Body is the canonical CBOR encoding of the kind's body type.
	Body []byte `cbor:"8,keyasint"`
	// TS is the author's clock in Unix milliseconds. Informational only:
	// no membership rule reads it.
	TS int64 `cbor:"9,keyasint"`
	// Sig is the author's Ed25519 signature over DomainOp, a zero byte, and
	// the op's encoding without Sig.
	Sig []byte `cbor:"10,keyasint,omitempty"`

	raw  []byte
	hash Hash
	body Body
}

// Hash returns the op's identity: SHA-256 of its full encoding.
func (o *Op) Hash() Hash { return o.hash }

// Bytes returns the op's canonical encoding. The slice is shared: callers
// must not modify it.
func (o *Op) Bytes() []byte { return o.raw }

// Content returns the decoded body; its dynamic type follows Kind
// (*Genesis, *Vote, *Enact, *Leave, *Advisory, *Ack).
func (o *Op) Content() Body { return o.body }

// IsGenesis reports whether the op is a circle's genesis.
func (o *Op) IsGenesis() bool { return o.Kind == KindGenesis }

// String describes the op for logs.
func (o *Op) String() string {
	return fmt.Sprintf("%s %s by %s#%d", o.Kind, o.hash.Short(), o.Author.Short(), o.Seq)
}

// signingBytes is the encoding that the author signs: the op without Sig.
// For a genesis, the body is also taken without the founders' signatures,
// so that founder #1 can sign the op when drafting and anyone can assemble
// it once every founder has signed; each founder signs the same bytes
// under DomainGenesis.
func (o *Op) signingBytes() []byte {
	if b, ok := o.signedPart(""); ok {
		return b
	}
	c := *o
	c.Sig = nil
	if g, ok := o.body.(*Genesis); ok && o.Kind == KindGenesis {
		c.Body = g.withoutSigs()
	}
	return mustMarshal(&c)
}

// signedPart derives the signing bytes of a decoded op other than a genesis
// from its canonical encoding, without encoding it again: Sig, key 10, is
// the last pair of the map, so the op without it is the same pairs but the
// last under a map header one smaller. The result starts with prefix. It
// reports false when the encoding is not of that shape (an op being signed
// has none yet).
func (o *Op) signedPart(prefix string) ([]byte, bool) {
	head, rest, ok := o.signedSplit()
	if !ok {
		return nil, false
	}
	b := make([]byte, 0, len(prefix)+1+len(rest))
	b = append(b, prefix...)
	b = append(b, head)
	return append(b, rest...), true
}

// signedSplit is signedPart without the copy: the signing bytes are head
// followed by rest, and rest is the op's own encoding (which must not be
// modified).
func (o *Op) signedSplit() (head byte, rest []byte, ok bool) {
	const sigPair = 3 + ed25519.SignatureSize // key 10, a 64-byte string header, the signature
	r := o.raw
	if o.Kind == KindGenesis || len(o.Sig) != ed25519.SignatureSize || len(r) < 1+sigPair {
		return 0, nil, false
	}
	tail := r[len(r)-sigPair:]
	if r[0] < 0xa2 || r[0] > 0xb7 || tail[0] != 0x0a || tail[1] != 0x58 || tail[2] != ed25519.SignatureSize || !bytes.Equal(tail[3:], o.Sig) {
		return 0, nil, false
	}
	return r[0] - 1, r[1 : len(r)-sigPair], true
}

// signedMessage returns what the author's signature of the op covers:
// DomainOp, a zero byte and the signing bytes, built in one buffer.
func (o *Op) signedMessage() []byte {
	if b, ok := o.signedPart(DomainOp + "\x00"); ok {
		return b
	}
	return withDomain(DomainOp, o.signingBytes())
}

// Sign sets the op's Author to the key of priv, encodes body as the op's
// Body, checks the op's structure as Decode would, and signs it. On success
// the op is sealed: Hash, Bytes and Content are set.
func Sign(o *Op, body Body, priv ed25519.PrivateKey) error {
	if body == nil || body.Kind() != o.Kind {
		return fmt.Errorf("%w: body does not match kind %s", ErrInvalidBody, o.Kind)
	}
	o.Author = KeyOf(priv)
	b, err := marshal(body)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	o.Body = b
	o.body = body
	if err := o.checkStructure(); err != nil {
		return err
	}
	o.Sig = sign(priv, DomainOp, o.signingBytes())
	o.raw = mustMarshal(o)
	if len(o.raw) > MaxOpSize {
		return fmt.Errorf("%w: op is %d bytes, limit %d", ErrTooLarge, len(o.raw), MaxOpSize)
	}
	o.hash = sum("", o.raw)
	return nil
}

// Decode parses an op strictly: at most MaxOpSize bytes, canonical CBOR,
// known kind and fields, a body valid for its kind, and the structural rules
// (seq/prev, sorted unique preds containing prev, at most MaxPreds). The
// keys inside the body (founders, an applicant, a motion's target) must pass
// CheckKey. It does not check the author's key or signatures (see Verify),
// or anything that needs other ops.
// It never panics, whatever the input.
func Decode(b []byte) (*Op, error) {
	if len(b) > MaxOpSize {
		return nil, fmt.Errorf("%w: op is %d bytes, limit %d", ErrTooLarge, len(b), MaxOpSize)
	}
	o := new(Op)
	if err := unmarshalStrict(b, o); err != nil {
		return nil, err
	}
	body, err := decodeBody(o.Kind, o.Body)
	if err != nil {
		return nil, err
	}
	o.body = body
	if err := o.checkStructure(); err != nil {
		return nil, err
	}
	if len(o.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature is %d bytes", ErrBadSignature, len(o.Sig))
	}
	o.raw = slices.Clone(b)
	o.hash = sum("", o.raw)
	return o, nil
}

// checkStructure enforces the rules that need no other op.
func (o *Op) checkStructure() error {
	if err := o.body.validate(); err != nil {
		return err
	}
	if o.Seq == 0 {
		return fmt.Errorf("%w: seq 0", ErrSeqPrev)
	}
	if o.Kind == KindGenesis {
		if !o.Group.IsZero() || !o.Epoch.IsZero() || o.Seq != 1 || o.Prev != nil || len(o.Preds) != 0 {
			return fmt.Errorf("%w: a genesis has seq 1 and no group, epoch, prev or preds", ErrInvalidBody)
		}
		return nil
	}
	if o.Group.IsZero() {
		return fmt.Errorf("%w: missing group", ErrWrongGroup)
	}
	if (o.Seq == 1) != (o.Prev == nil) {
		return fmt.Errorf("%w: seq %d with prev=%v", ErrSeqPrev, o.Seq, o.Prev != nil)
	}
	if len(o.Preds) == 0 {
		return fmt.Errorf("%w: no preds", ErrPreds)
	}
	if len(o.Preds) > MaxPreds {
		return fmt.Errorf("%w: %d preds, limit %d", ErrTooManyPreds, len(o.Preds), MaxPreds)
	}
	for i := 1; i < len(o.Preds); i++ {
		if !o.Preds[i-1].Less(o.Preds[i]) {
			return fmt.Errorf("%w: not sorted and unique at %d", ErrPreds, i)
		}
	}
	if o.Prev != nil {
		if _, found := slices.BinarySearchFunc(o.Preds, *o.Prev, compareHash); !found {
			return fmt.Errorf("%w: prev not among preds", ErrPreds)
		}
	}
	return nil
}

func compareHash(a, b Hash) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// Verify checks the author's key (as CheckKey would, from its bytes alone),
// then the author's signature and, for a genesis, every founder's
// signature. It returns an error wrapping ErrWeakKey when the author's key
// is weak, ErrBadSignature when a signature does not verify, or
// ErrInvalidBody when a genesis is not authored by its founder #1.
func (o *Op) Verify() error {
	if err := o.checkAuthor(); err != nil {
		return err
	}
	msg := o.signingBytes()
	if !o.Author.verify(DomainOp, msg, o.Sig) {
		return o.badSignature()
	}
	if o.Kind == KindGenesis {
		g, ok := o.body.(*Genesis)
		if !ok {
			return fmt.Errorf("%w: a genesis op without a decoded genesis body", ErrInvalidBody)
		}
		if err := g.verify(o.Author, msg); err != nil {
			return err
		}
	}
	return nil
}

// checkAuthor returns an error wrapping ErrWeakKey when the author's key
// is weak, judged from its bytes alone (weakEncoding).
func (o *Op) checkAuthor() error {
	if weakEncoding(o.Author) {
		return fmt.Errorf("op %s: author: %w: %s is not canonically encoded or of small order", o.hash.Short(), ErrWeakKey, o.Author.Short())
	}
	return nil
}

// badSignature is the error of an op whose author's signature does not
// verify.
func (o *Op) badSignature() error {
	return fmt.Errorf("%w: op %s by %s", ErrBadSignature, o.hash.Short(), o.Author.Short())
}

// CheckGroup returns ErrWrongGroup unless the op belongs to the circle whose
// genesis hash is group (a genesis belongs to the circle it founds).
func (o *Op) CheckGroup(group Hash) error {
	if o.Kind == KindGenesis {
		if o.hash != group {
			return fmt.Errorf("%w: a second genesis %s", ErrWrongGroup, o.hash.Short())
		}
		return nil
	}
	if o.Group != group {
		return fmt.Errorf("%w: op %s is for circle %s", ErrWrongGroup, o.hash.Short(), o.Group.Short())
	}
	return nil
}

// CheckChain checks that prev is the op's predecessor in its author's chain:
// same author, seq one less, and the hash the op names. prev is nil exactly
// when the op has Seq 1.
func CheckChain(o, prev *Op) error {
	if prev == nil {
		return CheckPrev(o, nil)
	}
	return CheckPrev(o, &Link{Hash: prev.hash, Author: prev.Author, Seq: prev.Seq})
}

// Link is what CheckPrev reads of an op's predecessor: its hash, author
// and seq, as a caller that keeps only ops' headers has them.
type Link struct {
	Hash   Hash
	Author Key
	Seq    uint64
}

// CheckPrev is CheckChain against the predecessor's link.
func CheckPrev(o *Op, prev *Link) error {
	switch {
	case o.Prev == nil && prev == nil:
		return nil
	case o.Prev == nil || prev == nil:
		return fmt.Errorf("%w: op %s", ErrSeqPrev, o.hash.Short())
	case prev.Hash != *o.Prev || prev.Author != o.Author || prev.Seq+1 != o.Seq:
		return fmt.Errorf("%w: op %s seq %d after %s seq %d", ErrSeqPrev, o.hash.Short(), o.Seq, prev.Hash.Short(), prev.Seq)
	}
	return nil
}

// Open decodes, verifies and checks the group of an op received from a
// peer: the full check that needs no other op.
func Open(b []byte, group Hash) (*Op, error) {
	o, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if err := o.CheckGroup(group); err != nil {
		return nil, err
	}
	if err := o.Verify(); err != nil {
		return nil, err
	}
	return o, nil
}

// SortPreds sorts and deduplicates hashes in place and returns the result,
// ready to be used as an op's Preds.
func SortPreds(hs []Hash) []Hash {
	slices.SortFunc(hs, compareHash)
	return slices.Compact(hs)
}
