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
	// MotionUnsuspend lifts earlier suspensions of a member: those it
	// names in Lifts, and the one an equivocation caused when it names the
	// twin to keep in Keep.
	MotionUnsuspend MotionKind = 3
	// MotionRevoke removes a member for good.
	MotionRevoke MotionKind = 4
	// MotionCharter puts a new charter version in force.
	MotionCharter MotionKind = 5
	// MotionDisavow declares that the target's ops from seq From on were
	// signed by a thief of its key; trust voids their effects.
	MotionDisavow MotionKind = 6
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
	case MotionDisavow:
		return "disavow"
	}
	return fmt.Sprintf("motion(%d)", uint8(k))
}

// Motion is what a vote supports and an enactment carries out. Only the
// fields of its kind are set, and all those it requires (docs/protocol.md
// §3.7). Votes on the same motion share its hash, so an enactment can cite
// any of them; the vote's evidence is outside the motion.
type Motion struct {
	// Kind says what the motion decides.
	Kind MotionKind `cbor:"1,keyasint"`
	// Target is the member to suspend, unsuspend or revoke, or whose ops
	// are disavowed.
	Target *Key `cbor:"2,keyasint,omitempty"`
	// Application is the candidate's signed application (Admit).
	Application *Application `cbor:"3,keyasint,omitempty"`
	// Case distinguishes one suspension motion against a member from
	// another (Suspend), so that votes of an earlier, lifted case cannot
	// be cited again. The first voter picks it at random.
	Case []byte `cbor:"4,keyasint,omitempty"`
	// Lifts lists the hashes of the Suspend motions this motion lifts
	// (Unsuspend): sorted and unique. Optional when Keep is set.
	Lifts []Hash `cbor:"5,keyasint,omitempty"`
	// Charter is the proposed charter (Charter).
	Charter *Charter `cbor:"6,keyasint,omitempty"`
	// From is the first of the target's seqs disavowed (Disavow): its ops
	// from this seq on were signed by a thief. At least 1.
	From uint64 `cbor:"7,keyasint,omitempty"`
	// Keep is the hash of the twin op to keep when lifting the suspension
	// that an equivocation of the target caused (Unsuspend, optional): its
	// branch counts again, the other twin's stays void. An Unsuspend
	// motion has Lifts, Keep or both.
	Keep *Hash `cbor:"8,keyasint,omitempty"`
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
	switch {
	case m.Kind == MotionCharter && m.Charter != nil:
		return fmt.Sprintf("charter v%d", m.Charter.Version)
	case m.Kind == MotionDisavow:
		return fmt.Sprintf("%s %s from #%d", m.Kind, m.Subject().Short(), m.From)
	case m.Kind == MotionUnsuspend && m.Keep != nil:
		return fmt.Sprintf("%s %s keeping %s", m.Kind, m.Subject().Short(), m.Keep.Short())
	}
	return fmt.Sprintf("%s %s", m.Kind, m.Subject().Short())
}

// The fields of a motion, as bits of a set.
const (
	fieldTarget = 1 << iota
	fieldApplication
	fieldCase
	fieldLifts
	fieldCharter
	fieldFrom
	fieldKeep
)

// motionFields says, for each motion kind, which fields it may carry and
// which of those it must.
var motionFields = map[MotionKind]struct{ allowed, required int }{
	MotionAdmit:     {fieldApplication, fieldApplication},
	MotionSuspend:   {fieldTarget | fieldCase, fieldTarget | fieldCase},
	MotionUnsuspend: {fieldTarget | fieldLifts | fieldKeep, fieldTarget}, // and Lifts or Keep
	MotionRevoke:    {fieldTarget, fieldTarget},
	MotionCharter:   {fieldCharter, fieldCharter},
	MotionDisavow:   {fieldTarget | fieldFrom, fieldTarget | fieldFrom},
}

// fields returns the set of fields m carries.
func (m *Motion) fields() int {
	var f int
	set := func(bit int, present bool) {
		if present {
			f |= bit
		}
	}
	set(fieldTarget, m.Target != nil)
	set(fieldApplication, m.Application != nil)
	set(fieldCase, len(m.Case) > 0)
	set(fieldLifts, len(m.Lifts) > 0)
	set(fieldCharter, m.Charter != nil)
	set(fieldFrom, m.From != 0)
	set(fieldKeep, m.Keep != nil)
	return f
}

func (m *Motion) validate() error {
	want, known := motionFields[m.Kind]
	if !known {
		return fmt.Errorf("%w: motion %d", ErrUnknownKind, m.Kind)
	}
	has := m.fields()
	missing := want.required &^ has
	switch {
	case has&^want.allowed != 0 || missing&^(fieldCase|fieldFrom) != 0:
		return fmt.Errorf("%w: %s motion with the wrong fields", ErrInvalidBody, m.Kind)
	case missing&fieldCase != 0:
		return fmt.Errorf("%w: a suspend motion needs a case", ErrInvalidBody)
	case missing&fieldFrom != 0:
		return fmt.Errorf("%w: a disavow motion needs the first seq disavowed (from, at least 1)", ErrInvalidBody)
	case m.Kind == MotionUnsuspend && has&(fieldLifts|fieldKeep) == 0:
		return fmt.Errorf("%w: an unsuspend motion needs lifts or the twin to keep", ErrInvalidBody)
	}
	if m.Target != nil {
		if m.Target.IsZero() {
			return fmt.Errorf("%w: zero target", ErrInvalidBody)
		}
		if err := CheckKey(*m.Target); err != nil {
			return fmt.Errorf("target: %w", err)
		}
	}
	if len(m.Case) > MaxNonce {
		return fmt.Errorf("%w: case of %d bytes", ErrTooLarge, len(m.Case))
	}
	if len(m.Lifts) > 0 {
		if err := checkSortedSet("lifts", m.Lifts, MaxListItems); err != nil {
			return err
		}
	}
	if m.Keep != nil && m.Keep.IsZero() {
		return fmt.Errorf("%w: zero twin to keep", ErrInvalidBody)
	}
	switch m.Kind {
	case MotionAdmit:
		if err := m.Application.validate(); err != nil {
			return err
		}
		return m.Application.Verify()
	case MotionCharter:
		return m.Charter.validate()
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
