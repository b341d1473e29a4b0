package protocol

import "errors"

// Errors returned by Decode, Op.Verify, Op.CheckGroup, CheckChain and CheckKey. Each
// names one way an op can be malformed or forged; callers test for them
// with errors.Is. The returned errors wrap these with detail.
var (
	// ErrTooLarge: the op, or one of its fields, is over its size limit.
	ErrTooLarge = errors.New("protocol: over size limit")
	// ErrMalformed: the bytes are not a CBOR op of the expected shape.
	ErrMalformed = errors.New("protocol: malformed encoding")
	// ErrNonCanonical: the bytes decode, but are not the Core
	// Deterministic Encoding of what they decode to.
	ErrNonCanonical = errors.New("protocol: non-canonical encoding")
	// ErrUnknownKind: the op kind or motion kind is not one this version knows.
	ErrUnknownKind = errors.New("protocol: unknown kind")
	// ErrUnknownField: the encoding carries a field this version does not know.
	ErrUnknownField = errors.New("protocol: unknown field")
	// ErrBadSignature: a signature does not verify under its key.
	ErrBadSignature = errors.New("protocol: bad signature")
	// ErrWrongGroup: the op belongs to another circle.
	ErrWrongGroup = errors.New("protocol: wrong group")
	// ErrSeqPrev: seq and prev disagree (seq 1 without prev, a prev whose
	// author or seq does not match).
	ErrSeqPrev = errors.New("protocol: seq/prev mismatch")
	// ErrPreds: preds are not sorted and unique, omit prev, or are empty on
	// an op that is not a genesis.
	ErrPreds = errors.New("protocol: bad preds")
	// ErrTooManyPreds: more preds than MaxPreds.
	ErrTooManyPreds = errors.New("protocol: too many preds")
	// ErrInvalidBody: the body breaks a rule of its kind (a missing
	// field, a bad TLP label, a charter threshold of zero, ...).
	ErrInvalidBody = errors.New("protocol: invalid body")
	// ErrWeakKey: a public key is not the canonical encoding of an Ed25519
	// curve point, or is a point of small order. Such a key (the identity
	// point, for one) with a crafted signature verifies for every message,
	// so it is refused wherever a key enters: an op's author, a genesis
	// founder, an applicant, a motion's target.
	ErrWeakKey = errors.New("protocol: weak or non-canonical key")
	// ErrBadHex: a hash or key string is not 64 hex digits.
	ErrBadHex = errors.New("protocol: not a 64-digit hex string")
)
