package protocol

import "fmt"

// Charter is a circle's constitution: the thresholds that decide membership,
// the written membership requirements, and the agreements on handling
// information. The genesis holds version 1; a Charter motion enacted by
// ChangeQuorum members replaces it with the next version.
type Charter struct {
	// Name is the circle's name.
	Name string `cbor:"1,keyasint"`
	// Version is 1 in the genesis and rises by one with each change.
	Version uint64 `cbor:"2,keyasint"`
	// Admit is k: endorsements needed to admit an applicant.
	Admit uint32 `cbor:"3,keyasint"`
	// Suspend is s: votes needed to suspend a member.
	Suspend uint32 `cbor:"4,keyasint"`
	// Revoke is r: votes needed to revoke a member, or to lift a suspension.
	Revoke uint32 `cbor:"5,keyasint"`
	// Change is c: votes needed to change the charter. Zero means the
	// default max(ceil(2n/3), 4), with n the members in the enactment's view.
	Change uint32 `cbor:"6,keyasint,omitempty"`
	// Requirements are the written membership requirements that
	// applicants answer with claims and endorsers vet.
	Requirements []Requirement `cbor:"7,keyasint,omitempty"`
	// TLPPolicy is the circle's agreement on handling information under
	// the Traffic Light Protocol.
	TLPPolicy string `cbor:"8,keyasint,omitempty"`
	// Cadence is the meeting cadence, e.g. "monthly".
	Cadence string `cbor:"9,keyasint,omitempty"`
	// Topics are the agenda and annual-plan topics.
	Topics []string `cbor:"10,keyasint,omitempty"`
	// AckInterval is the acknowledgement interval in seconds: a member's
	// node that has signed nothing for this long signs an Ack, so that
	// quiet members still settle the log. Zero (absent) means
	// DefaultAckInterval; otherwise it is between MinAckInterval and
	// MaxAckInterval. Changing it later needs a charter change.
	AckInterval uint32 `cbor:"11,keyasint,omitempty"`
}

// Bounds of Charter.AckInterval, in seconds.
const (
	// DefaultAckInterval is the acknowledgement interval of a charter
	// that sets none: 24 hours. A member that signs nothing else signs
	// one Ack a day, 365 small ops a year.
	DefaultAckInterval = 24 * 60 * 60
	// MinAckInterval is the shortest interval a charter may set: 1 hour.
	MinAckInterval = 60 * 60
	// MaxAckInterval is the longest interval a charter may set: 31 days.
	MaxAckInterval = 31 * 24 * 60 * 60
)

// Requirement is one written membership requirement.
type Requirement struct {
	// ID names the requirement for claims, e.g. "vital-clients".
	ID string `cbor:"1,keyasint"`
	// Text states it, e.g. "serves at least three vital clients".
	Text string `cbor:"2,keyasint"`
}

// DefaultCharter returns a version-1 charter with the default thresholds:
// k=3 endorsements, s=2 suspend votes, r=3 revoke votes, and the default
// change quorum.
func DefaultCharter(name string) Charter {
	return Charter{Name: name, Version: 1, Admit: 3, Suspend: 2, Revoke: 3}
}

// ChangeQuorum returns c, the votes needed to change the charter in a circle
// of n members.
func (c *Charter) ChangeQuorum(n int) int {
	if c.Change > 0 {
		return int(c.Change)
	}
	q := (2*n + 2) / 3
	return max(q, 4)
}

// AckSeconds returns the acknowledgement interval in seconds:
// AckInterval, or DefaultAckInterval when it is zero.
func (c *Charter) AckSeconds() uint32 {
	if c.AckInterval == 0 {
		return DefaultAckInterval
	}
	return c.AckInterval
}

func (c *Charter) validate() error {
	if c.Name == "" {
		return fmt.Errorf("%w: charter without name", ErrInvalidBody)
	}
	if c.Version == 0 {
		return fmt.Errorf("%w: charter version 0", ErrInvalidBody)
	}
	if c.Admit == 0 || c.Suspend == 0 || c.Revoke == 0 {
		return fmt.Errorf("%w: charter thresholds must be at least 1", ErrInvalidBody)
	}
	if max(c.Admit, c.Suspend, c.Revoke, c.Change) > MaxVotes {
		return fmt.Errorf("%w: charter threshold above %d", ErrInvalidBody, MaxVotes)
	}
	if c.AckInterval != 0 && (c.AckInterval < MinAckInterval || c.AckInterval > MaxAckInterval) {
		return fmt.Errorf("%w: ack interval of %d s, want %d to %d", ErrInvalidBody, c.AckInterval, MinAckInterval, MaxAckInterval)
	}
	if err := checkTexts(MaxShortText, c.Name, c.Cadence); err != nil {
		return err
	}
	if err := checkTexts(MaxLongText, c.TLPPolicy); err != nil {
		return err
	}
	if err := checkList("requirements", len(c.Requirements)); err != nil {
		return err
	}
	for _, r := range c.Requirements {
		if r.ID == "" {
			return fmt.Errorf("%w: requirement without ID", ErrInvalidBody)
		}
		if err := checkTexts(MaxShortText, r.ID); err != nil {
			return err
		}
		if err := checkTexts(MaxLongText, r.Text); err != nil {
			return err
		}
	}
	if err := checkList("topics", len(c.Topics)); err != nil {
		return err
	}
	return checkTexts(MaxShortText, c.Topics...)
}
