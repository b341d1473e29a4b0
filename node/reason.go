package node

import (
	"errors"
	"fmt"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Reason names why the node judged an op as it did (a Verdict's Reason)
// or why a sync server refused a request (SyncResponse.Refused carries
// its String). It is a small integer, not a string, so that a misspelt
// reason does not compile; String gives the label that logs, metrics
// (kring_ops_total's reason), the API and the sync wire show. The zero
// Reason names nothing.
type Reason uint8

// The reasons: first the node's own, then a sync server's, then
// protocol's and trust's.
const (
	// ReasonAccepted: the op is stored and forwarded.
	ReasonAccepted Reason = iota + 1
	// ReasonPublished: the node signed and stored the op itself.
	ReasonPublished
	// ReasonDuplicate: the op is in the log already (also trust.ErrDuplicate).
	ReasonDuplicate
	// ReasonMissingPreds: ops the op cites are not here yet; sync fetches
	// them (also trust.ErrMissingPreds).
	ReasonMissingPreds
	// ReasonUnknownAuthor: an op whose preds are missing, by an author the
	// State does not know, may not wait for them.
	ReasonUnknownAuthor
	// ReasonOverQuota: the forwarder's share of the pending buffer is full.
	ReasonOverQuota
	// ReasonVoid: admissible, but its author was removed concurrently: kept,
	// never forwarded.
	ReasonVoid
	// ReasonNotSharing: the forwarder is not in the sharing set.
	ReasonNotSharing
	// ReasonPanic: judging the op panicked; the validator recovered.
	ReasonPanic
	// ReasonDiskLow: the disk is short of space; the op waits for sync.
	ReasonDiskLow
	// ReasonPaced: the author or forwarder sent more than its pace allows.
	ReasonPaced

	// Reasons a sync server refuses a request with.

	// ReasonNotMember: the peer may not make this request (also
	// trust.ErrNotMember: the author is not a member in the op's past).
	ReasonNotMember
	// ReasonTooMany: the request names more ops than one answer carries.
	ReasonTooMany
	// ReasonNotOwnApplication: an applicant asked about another's application.
	ReasonNotOwnApplication
	// ReasonNoApplication: an admission request without an application.
	ReasonNoApplication
	// ReasonTooFewEndorsements: the application has fewer endorsements
	// than the charter requires.
	ReasonTooFewEndorsements
	// ReasonInternal: the server failed to answer.
	ReasonInternal

	// Reasons protocol.Open refuses an op with; each names the protocol
	// error of its name (ReasonUnknownKind also a sync request of an
	// unknown kind, ReasonWrongGroup also trust.ErrWrongGroup and a sync
	// request for another circle).

	ReasonTooLarge     // protocol.ErrTooLarge
	ReasonMalformed    // protocol.ErrMalformed
	ReasonNonCanonical // protocol.ErrNonCanonical
	ReasonUnknownKind  // protocol.ErrUnknownKind
	ReasonUnknownField // protocol.ErrUnknownField
	ReasonBadSignature // protocol.ErrBadSignature
	ReasonWrongGroup   // protocol.ErrWrongGroup
	ReasonSeqPrev      // protocol.ErrSeqPrev
	ReasonPreds        // protocol.ErrPreds
	ReasonTooManyPreds // protocol.ErrTooManyPreds
	ReasonInvalidBody  // protocol.ErrInvalidBody
	ReasonBadHex       // protocol.ErrBadHex

	// Reasons the trust engine refuses an op with; each names the trust
	// error of its name (see also ReasonDuplicate, ReasonMissingPreds,
	// ReasonWrongGroup and ReasonNotMember).

	ReasonChain             // trust.ErrChain
	ReasonSeqTooHigh        // trust.ErrSeqTooHigh
	ReasonWrongEpoch        // trust.ErrWrongEpoch
	ReasonAuthorRemoved     // trust.ErrAuthorRemoved
	ReasonAuthorSuspended   // trust.ErrAuthorSuspended
	ReasonTargetNotMember   // trust.ErrTargetNotMember
	ReasonSelfMotion        // trust.ErrSelfMotion
	ReasonUnsettledEndorser // trust.ErrUnsettledEndorser
	ReasonCandidate         // trust.ErrCandidate
	ReasonEnactAuthor       // trust.ErrEnactAuthor
	ReasonVote              // trust.ErrVote
	ReasonDuplicateVoter    // trust.ErrDuplicateVoter
	ReasonTooFewVotes       // trust.ErrTooFewVotes
	ReasonCharterVersion    // trust.ErrCharterVersion
	ReasonNotSuspended      // trust.ErrNotSuspended
	ReasonGenesis           // trust.ErrGenesis
	ReasonUnknownBody       // trust.ErrUnknownBody
	ReasonReenacted         // trust.ErrReenacted
	ReasonOther             // an error that wraps none of the above

	reasonEnd // one past the last Reason
)

// reasonNames are the labels, as metrics and the sync wire have always
// shown them.
var reasonNames = [reasonEnd]string{
	ReasonAccepted:           "accepted",
	ReasonPublished:          "published",
	ReasonDuplicate:          "duplicate",
	ReasonMissingPreds:       "missing-preds",
	ReasonUnknownAuthor:      "unknown-author",
	ReasonOverQuota:          "over-quota",
	ReasonVoid:               "void",
	ReasonNotSharing:         "not-sharing",
	ReasonPanic:              "panic",
	ReasonDiskLow:            "disk-low",
	ReasonPaced:              "paced",
	ReasonNotMember:          "not-member",
	ReasonTooMany:            "too-many",
	ReasonNotOwnApplication:  "not-own-application",
	ReasonNoApplication:      "no-application",
	ReasonTooFewEndorsements: "too-few-endorsements",
	ReasonInternal:           "internal",
	ReasonTooLarge:           "too-large",
	ReasonMalformed:          "malformed",
	ReasonNonCanonical:       "non-canonical",
	ReasonUnknownKind:        "unknown-kind",
	ReasonUnknownField:       "unknown-field",
	ReasonBadSignature:       "bad-signature",
	ReasonWrongGroup:         "wrong-group",
	ReasonSeqPrev:            "seq-prev",
	ReasonPreds:              "preds",
	ReasonTooManyPreds:       "too-many-preds",
	ReasonInvalidBody:        "invalid-body",
	ReasonBadHex:             "bad-hex",
	ReasonChain:              "chain",
	ReasonSeqTooHigh:         "seq-too-high",
	ReasonWrongEpoch:         "wrong-epoch",
	ReasonAuthorRemoved:      "author-removed",
	ReasonAuthorSuspended:    "author-suspended",
	ReasonTargetNotMember:    "target-not-member",
	ReasonSelfMotion:         "self-motion",
	ReasonUnsettledEndorser:  "unsettled-endorser",
	ReasonCandidate:          "candidate",
	ReasonEnactAuthor:        "enact-author",
	ReasonVote:               "vote",
	ReasonDuplicateVoter:     "duplicate-voter",
	ReasonTooFewVotes:        "too-few-votes",
	ReasonCharterVersion:     "charter-version",
	ReasonNotSuspended:       "not-suspended",
	ReasonGenesis:            "genesis",
	ReasonUnknownBody:        "unknown-body",
	ReasonReenacted:          "reenacted",
	ReasonOther:              "other",
}

// String returns the reason's label, e.g. "missing-preds"; a Reason that
// names nothing prints as Reason(N).
func (r Reason) String() string {
	if r < reasonEnd && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// MarshalText returns the label, so that JSON and log handlers show it
// rather than the number.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// reasonNamed returns the Reason whose label is s, or the zero Reason:
// it reads the reason a sync server sent.
func reasonNamed(s string) Reason {
	for r, name := range reasonNames {
		if name == s && s != "" {
			return Reason(r)
		}
	}
	return 0
}

// errReason ties a protocol or trust error to its Reason.
type errReason struct {
	err    error
	reason Reason
}

// protocolReasons names the protocol errors an op can fail decoding or
// verification with.
var protocolReasons = []errReason{
	{protocol.ErrTooLarge, ReasonTooLarge},
	{protocol.ErrMalformed, ReasonMalformed},
	{protocol.ErrNonCanonical, ReasonNonCanonical},
	{protocol.ErrUnknownKind, ReasonUnknownKind},
	{protocol.ErrUnknownField, ReasonUnknownField},
	{protocol.ErrBadSignature, ReasonBadSignature},
	{protocol.ErrWrongGroup, ReasonWrongGroup},
	{protocol.ErrSeqPrev, ReasonSeqPrev},
	{protocol.ErrPreds, ReasonPreds},
	{protocol.ErrTooManyPreds, ReasonTooManyPreds},
	{protocol.ErrInvalidBody, ReasonInvalidBody},
	{protocol.ErrBadHex, ReasonBadHex},
}

// trustReasons names the trust errors, as trust.Reason does.
var trustReasons = []errReason{
	{trust.ErrDuplicate, ReasonDuplicate},
	{trust.ErrMissingPreds, ReasonMissingPreds},
	{trust.ErrWrongGroup, ReasonWrongGroup},
	{trust.ErrChain, ReasonChain},
	{trust.ErrSeqTooHigh, ReasonSeqTooHigh},
	{trust.ErrWrongEpoch, ReasonWrongEpoch},
	{trust.ErrAuthorRemoved, ReasonAuthorRemoved},
	{trust.ErrAuthorSuspended, ReasonAuthorSuspended},
	{trust.ErrNotMember, ReasonNotMember},
	{trust.ErrTargetNotMember, ReasonTargetNotMember},
	{trust.ErrSelfMotion, ReasonSelfMotion},
	{trust.ErrUnsettledEndorser, ReasonUnsettledEndorser},
	{trust.ErrCandidate, ReasonCandidate},
	{trust.ErrEnactAuthor, ReasonEnactAuthor},
	{trust.ErrVote, ReasonVote},
	{trust.ErrDuplicateVoter, ReasonDuplicateVoter},
	{trust.ErrTooFewVotes, ReasonTooFewVotes},
	{trust.ErrCharterVersion, ReasonCharterVersion},
	{trust.ErrNotSuspended, ReasonNotSuspended},
	{trust.ErrGenesis, ReasonGenesis},
	{trust.ErrUnknownBody, ReasonUnknownBody},
	{trust.ErrReenacted, ReasonReenacted},
}

// reasonIn returns the Reason of the first error in table that err wraps.
func reasonIn(table []errReason, err error) (Reason, bool) {
	for _, r := range table {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return 0, false
}

// openReason names why protocol.Open refused an op: ReasonMalformed when
// err wraps no protocol error.
func openReason(err error) Reason {
	if r, ok := reasonIn(protocolReasons, err); ok {
		return r
	}
	return ReasonMalformed
}

// TrustReason returns the Reason naming the trust error err wraps (its
// String is trust.Reason(err)), and false when err wraps none.
func TrustReason(err error) (Reason, bool) { return reasonIn(trustReasons, err) }
