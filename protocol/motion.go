package protocol

import (
	"fmt"
	"slices"
)

// MotionKind says what a motion decides.
type MotionKind uint8

// The motions members vote on.
const (
	// MotionAdmit admits the applicant of an Application. A vote on it is
	// an endorsement; its enactment is authored by the applicant's key.
	MotionAdmit MotionKind = 1
	// MotionSuspend suspends a member network-wide.
	MotionSuspend MotionKind = 2
	// MotionUnsuspend lifts earlier suspensions of a member.
	MotionUnsuspend MotionKind = 3
	// MotionRevoke removes a member for good.
	MotionRevoke MotionKind = 4
	// MotionCharter puts a new charter version in force.
	MotionCharter MotionKind = 5
)

// String names the motion kind.
func (k MotionKind) String() string {
	switch k {
	case MotionAdmit:
		return "admit"
	case MotionSuspend:
		return "suspend"
	case MotionUnsuspend:
		return "unsuspend"
	case MotionRevoke:
		return "revoke"
	case MotionCharter:
		return "charter"
	}
	return fmt.Sprintf("motion(%d)", uint8(k))
}

// Motion is what a vote supports and an enactment carries out. Exactly the
// fields of its kind are set. Votes on the same motion share its hash, so an
// enactment can cite any of them; the vote's evidence is outside the motion.
type Motion struct {
	// Kind says what the motion decides.
	Kind MotionKind `cbor:"1,keyasint"`
	// Target is the member to suspend, unsuspend or revoke.
	Target *Key `cbor:"2,keyasint,omitempty"`
	// Application is the candidate's signed application (Admit).
	Application *Application `cbor:"3,keyasint,omitempty"`
	// Case distinguishes one suspension motion against a member from
	// another (Suspend), so that votes of an earlier, lifted case cannot
	// be cited again. The first voter picks it at random.
	Case []byte `cbor:"4,keyasint,omitempty"`
	// Lifts lists the hashes of the Suspend motions this motion lifts
	// (Unsuspend): sorted and unique.
	Lifts []Hash `cbor:"5,keyasint,omitempty"`
	// Charter is the proposed charter (Charter).
	Charter *Charter `cbor:"6,keyasint,omitempty"`
}

// Hash returns the motion's identity: SHA-256 over DomainMotion, a zero
// byte, and its canonical encoding.
func (m *Motion) Hash() Hash { return sum(DomainMotion, mustMarshal(m)) }

// Subject returns the key the motion is about: the target, or the applicant
// of an Admit. It is zero for a Charter motion.
func (m *Motion) Subject() Key {
	switch {
	case m.Target != nil:
		return *m.Target
	case m.Application != nil:
		return m.Application.Member.Key
	}
	return Key{}
}

// String describes the motion for logs.
func (m *Motion) String() string {
	if m.Kind == MotionCharter && m.Charter != nil {
		return fmt.Sprintf("charter v%d", m.Charter.Version)
	}
	return fmt.Sprintf("%s %s", m.Kind, m.Subject().Short())
}

func (m *Motion) validate() error {
	has := func(target, app, cse, lifts, charter bool) error {
		if (m.Target != nil) != target || (m.Application != nil) != app ||
			(len(m.Case) > 0 && !cse) || (len(m.Lifts) > 0) != lifts || (m.Charter != nil) != charter {
			return fmt.Errorf("%w: %s motion with the wrong fields", ErrInvalidBody, m.Kind)
		}
		return nil
	}
	var err error
	switch m.Kind {
	case MotionAdmit:
		if err = has(false, true, false, false, false); err == nil {
			err = m.Application.validate()
			if err == nil {
				err = m.Application.Verify()
			}
		}
	case MotionSuspend:
		err = has(true, false, true, false, false)
		if err == nil && len(m.Case) == 0 {
			err = fmt.Errorf("%w: a suspend motion needs a case", ErrInvalidBody)
		}
	case MotionRevoke:
		err = has(true, false, false, false, false)
	case MotionUnsuspend:
		err = has(true, false, false, true, false)
		if err == nil {
			err = checkSortedSet("lifts", m.Lifts, MaxListItems)
		}
	case MotionCharter:
		if err = has(false, false, false, false, true); err == nil {
			err = m.Charter.validate()
		}
	default:
		return fmt.Errorf("%w: motion %d", ErrUnknownKind, m.Kind)
	}
	if err != nil {
		return err
	}
	if m.Target != nil && m.Target.IsZero() {
		return fmt.Errorf("%w: zero target", ErrInvalidBody)
	}
	if len(m.Case) > MaxNonce {
		return fmt.Errorf("%w: case of %d bytes", ErrTooLarge, len(m.Case))
	}
	return nil
}

// checkSortedSet requires hs to be non-empty, sorted, unique and at most limit long.
func checkSortedSet(what string, hs []Hash, limit int) error {
	if len(hs) == 0 {
		return fmt.Errorf("%w: no %s", ErrInvalidBody, what)
	}
	if len(hs) > limit {
		return fmt.Errorf("%w: %d %s, limit %d", ErrTooLarge, len(hs), what, limit)
	}
	if !slices.IsSortedFunc(hs, compareHash) || len(slices.Compact(slices.Clone(hs))) != len(hs) {
		return fmt.Errorf("%w: %s not sorted and unique", ErrInvalidBody, what)
	}
	return nil
}
