package trust

import (
	"errors"
	"fmt"
)

// Reasons an op is refused. Apply, Check and Resolve return errors that wrap
// exactly one of these; Reason names it for logs and metrics. All but
// ErrDuplicate and ErrMissingPreds mean the op is invalid for every honest
// node (a Reject); those two mean "not now" (an Ignore).
var (
	ErrDuplicate         = errors.New("trust: op already applied")
	ErrMissingPreds      = errors.New("trust: preds not yet known")
	ErrWrongGroup        = errors.New("trust: op of another circle")
	ErrChain             = errors.New("trust: author chain broken")
	ErrSeqTooHigh        = errors.New("trust: seq beyond the supported range")
	ErrWrongEpoch        = errors.New("trust: epoch is not the charter in force in the op's past")
	ErrAuthorRemoved     = errors.New("trust: author revoked or left in the op's past")
	ErrAuthorSuspended   = errors.New("trust: author suspended in the op's past")
	ErrNotMember         = errors.New("trust: author not a member in the op's past")
	ErrTargetNotMember   = errors.New("trust: target neither a member nor lapsed in the op's past")
	ErrSelfMotion        = errors.New("trust: a member may not vote on a motion about itself")
	ErrUnsettledEndorser = errors.New("trust: endorsement by a member whose admission is not yet settled in the op's past")
	ErrCandidate         = errors.New("trust: candidate removed, already a member, or of another circle")
	ErrEnactAuthor       = errors.New("trust: Admit enacted by a key other than the candidate's")
	ErrVote              = errors.New("trust: cited vote not in the past, not a vote, or for another motion")
	ErrDuplicateVoter    = errors.New("trust: two cited votes by one member")
	ErrTooFewVotes       = errors.New("trust: fewer counting votes than the charter requires")
	ErrCharterVersion    = errors.New("trust: charter version is not the next one")
	ErrNotSuspended      = errors.New("trust: lifts a suspension not enacted in the op's past")
	ErrGenesis           = errors.New("trust: a genesis where none may stand")
	ErrUnknownBody       = errors.New("trust: op without a body this version judges")
	ErrReenacted         = errors.New("trust: motion already enacted in the op's past")
)

// reasons names every trust error, in a fixed order.
var reasons = []struct {
	err  error
	name string
}{
	{ErrDuplicate, "duplicate"},
	{ErrMissingPreds, "missing-preds"},
	{ErrWrongGroup, "wrong-group"},
	{ErrChain, "chain"},
	{ErrSeqTooHigh, "seq-too-high"},
	{ErrWrongEpoch, "wrong-epoch"},
	{ErrAuthorRemoved, "author-removed"},
	{ErrAuthorSuspended, "author-suspended"},
	{ErrNotMember, "not-member"},
	{ErrTargetNotMember, "target-not-member"},
	{ErrSelfMotion, "self-motion"},
	{ErrUnsettledEndorser, "unsettled-endorser"},
	{ErrCandidate, "candidate"},
	{ErrEnactAuthor, "enact-author"},
	{ErrVote, "vote"},
	{ErrDuplicateVoter, "duplicate-voter"},
	{ErrTooFewVotes, "too-few-votes"},
	{ErrCharterVersion, "charter-version"},
	{ErrNotSuspended, "not-suspended"},
	{ErrGenesis, "genesis"},
	{ErrUnknownBody, "unknown-body"},
	{ErrReenacted, "reenacted"},
}

// Reason returns the short name of the trust error err wraps, for logs and
// metric labels: "ok" for nil, "other" when it wraps none.
func Reason(err error) string {
	if err == nil {
		return "ok"
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}

// IsTransient reports whether err means the op may become acceptable later
// (missing preds) or was already applied, rather than being invalid.
func IsTransient(err error) bool {
	return errors.Is(err, ErrDuplicate) || errors.Is(err, ErrMissingPreds)
}

func refuse(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{reason}, args...)...)
}
