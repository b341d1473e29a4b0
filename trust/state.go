package trust

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// Status is where a key stands in a circle.
type Status uint8

// The statuses a key can have. Suspension is a separate flag: a suspended
// member is still a member, but not in the sharing set.
const (
	// StatusStranger: the log says nothing of this key.
	StatusStranger Status = iota
	// StatusApplicant: endorsed, but not (yet) admitted.
	StatusApplicant
	// StatusMember: a founder, or admitted by a live Admit enactment.
	StatusMember
	// StatusLapsed: was admitted, but no Admit of it is live any more
	// (an endorsement it relied on became void); it needs fresh
	// endorsements and a new Admit.
	StatusLapsed
	// StatusRevoked: removed for good by a Revoke enactment.
	StatusRevoked
	// StatusLeft: left for good.
	StatusLeft
)

// String names the status.
func (s Status) String() string {
	switch s {
	case StatusStranger:
		return "stranger"
	case StatusApplicant:
		return "applicant"
	case StatusMember:
		return "member"
	case StatusLapsed:
		return "lapsed"
	case StatusRevoked:
		return "revoked"
	case StatusLeft:
		return "left"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// KeyState is what the log says of one key.
type KeyState struct {
	// Key is the organisation's key.
	Key protocol.Key
	// Status is where the key stands.
	Status Status
	// Founder is true for the genesis founders.
	Founder bool
	// Suspended is true while a suspension of the key stands, or when
	// the key equivocated.
	Suspended bool
	// Equivocated is the lowest seq at which the key forked its chain,
	// or 0.
	Equivocated uint64
	// ForkSuspended is the seq of the fork that suspends the key: its
	// lowest fork that no keep-lift resolved (docs/membership.md §4.4),
	// or 0. An Unsuspend naming one of the twins at this seq as Keep
	// lifts it.
	ForkSuspended uint64
	// Profile is the organisation's profile: from the genesis, or from
	// its application.
	Profile *protocol.Profile
	// Application is the ID of the application under consideration for
	// applicants and lapsed members (the one with most live
	// endorsements), or the one a member was admitted with.
	Application protocol.Hash
	// Endorsements is the number of distinct live endorsements of
	// Application.
	Endorsements int
	// Needed is the number of endorsements the charter in force requires.
	Needed int
}

// Missing returns how many more endorsements the key needs before it can
// enact its Admit (0 for members and for keys that need only a new Admit).
func (k KeyState) Missing() int {
	if k.Status != StatusApplicant && k.Status != StatusLapsed {
		return 0
	}
	return max(0, k.Needed-k.Endorsements)
}

// InSharingSet reports whether the key is a member that is not suspended.
func (k KeyState) InSharingSet() bool { return k.Status == StatusMember && !k.Suspended }

// String describes the key's standing in one line, as the CLI shows it.
func (k KeyState) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", k.Key.Short(), k.Status)
	if k.Founder {
		b.WriteString(" founder")
	}
	if k.Suspended {
		b.WriteString(" suspended")
	}
	if k.Equivocated > 0 {
		fmt.Fprintf(&b, " equivocated@%d", k.Equivocated)
	}
	if k.Status == StatusApplicant || k.Status == StatusLapsed {
		fmt.Fprintf(&b, " endorsements=%d/%d", k.Endorsements, k.Needed)
		if m := k.Missing(); m > 0 {
			fmt.Fprintf(&b, " (needs %d more endorsement%s)", m, plural(m))
		} else {
			b.WriteString(" (needs a new Admit)")
		}
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Tally is the standing of one motion: which members' votes count for it.
type Tally struct {
	// Motion is the motion voted on.
	Motion protocol.Motion
	// Votes are the counting votes, one per voter, by op hash, sorted.
	Votes []protocol.Hash
	// Voters are the distinct voters of Votes, sorted.
	Voters []protocol.Key
	// Enacted is true once an enactment of the motion is in the log.
	Enacted bool
}

// State is the membership of a circle as one causally closed set of ops
// determines it. A State is immutable once returned; it is safe to share.
type State struct {
	// Group is the circle: the hash of its genesis.
	Group protocol.Hash
	// Charter is the charter in force.
	Charter protocol.Charter
	// Epoch is the hash of the op that put the charter in force.
	Epoch protocol.Hash

	keys       map[protocol.Key]*KeyState
	members    int
	live       map[protocol.Hash]bool // live grants: endorsements, unsuspend votes, admit and unsuspend enactments
	tallies    map[protocol.Hash]*Tally
	lifts      map[protocol.Hash]protocol.Key // enacted, unlifted suspension motions -> target
	enactedSet map[protocol.Hash]bool         // motions enacted
	// settledN is n of the settled State, which thresholds read
	// (docs/membership.md §2), so that concurrent removals never shrink a
	// quorum.
	settledN int
	settled  map[protocol.Key]bool // the members of the settled State
	// topCharter is the highest version of any Charter enactment, in
	// force or not.
	topCharter uint64
	// pending is the Charter motion whose enactment counts and waits to
	// settle, or nil.
	pending *protocol.Motion
}

// PendingCharter returns the Charter motion whose enactment counts but
// waits to settle: its charter takes effect once the members'
// acknowledgements settle the enactment (docs/membership.md §4.7). The
// second result is false when no change waits.
func (s *State) PendingCharter() (protocol.Motion, bool) {
	if s.pending == nil {
		return protocol.Motion{}, false
	}
	return *s.pending, true
}

// Thresholds returns what each motion needs in this State: the charter in
// force with its floors, for n members of the settled State, so that
// concurrent removals never shrink a quorum (docs/membership.md §2).
func (s *State) Thresholds() Thresholds { return ThresholdsFor(&s.Charter, s.memberCount()) }

// NextCharterVersion returns the version a new charter motion takes: the
// one after the charter in force and after every charter enacted, settled
// or not (docs/membership.md §5), so that a version that never settles
// does not block the ones after it.
func (s *State) NextCharterVersion() uint64 { return max(s.Charter.Version, s.topCharter) + 1 }

// Key returns what the state says of k; a key the log never mentions is a
// stranger.
func (s *State) Key(k protocol.Key) KeyState {
	if ks, ok := s.keys[k]; ok {
		return *ks
	}
	return KeyState{Key: k, Status: StatusStranger, Needed: int(s.Charter.Admit)}
}

// Keys returns every key the state knows, sorted.
func (s *State) Keys() []protocol.Key {
	return slices.SortedFunc(maps.Keys(s.keys), compareKeys)
}

// Members returns the members (suspended or not), sorted.
func (s *State) Members() []protocol.Key {
	return s.filter(func(k *KeyState) bool { return k.Status == StatusMember })
}

// SharingSet returns the members that are not suspended, sorted: the
// organisations every node shares with (less its own local blocks).
func (s *State) SharingSet() []protocol.Key {
	return s.filter(func(k *KeyState) bool { return k.InSharingSet() })
}

// IsMember reports whether k is a member (suspended or not).
func (s *State) IsMember(k protocol.Key) bool { return s.Key(k).Status == StatusMember }

// InSharingSet reports whether k is a member that is not suspended.
func (s *State) InSharingSet(k protocol.Key) bool { return s.Key(k).InSharingSet() }

// MemberCount returns the number of members, suspended or not.
func (s *State) MemberCount() int { return s.members }

// Tally returns the standing of the motion with hash m, if any vote for it
// counts.
func (s *State) Tally(m protocol.Hash) (Tally, bool) {
	t, ok := s.tallies[m]
	if !ok {
		return Tally{}, false
	}
	return *t, true
}

// Tallies returns the standing of every motion with counting votes, sorted
// by motion hash.
func (s *State) Tallies() []Tally {
	hs := slices.SortedFunc(maps.Keys(s.tallies), compareHashes)
	out := make([]Tally, 0, len(hs))
	for _, h := range hs {
		out = append(out, *s.tallies[h])
	}
	return out
}

func (s *State) filter(keep func(*KeyState) bool) []protocol.Key {
	var out []protocol.Key
	for _, k := range s.Keys() {
		if keep(s.keys[k]) {
			out = append(out, k)
		}
	}
	return out
}

// Equal reports whether two states are identical in every respect: the
// charter (all of it) and epoch, the standing and profile of every key, the
// live grants, the tallies with their votes, and the standing suspensions.
func (s *State) Equal(o *State) bool {
	return reflect.DeepEqual(s, o)
}

// String renders the whole state deterministically, one fact a line; two
// states are identical exactly when their renderings are.
func (s *State) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "charter %q v%d k=%d s=%d r=%d c=%d epoch=%s\n", s.Charter.Name, s.Charter.Version,
		s.Charter.Admit, s.Charter.Suspend, s.Charter.Revoke, s.Charter.ChangeQuorum(s.members), s.Epoch.Short())
	for _, k := range s.Keys() {
		fmt.Fprintf(&b, "key %s\n", s.keys[k])
	}
	for _, h := range slices.SortedFunc(maps.Keys(s.live), compareHashes) {
		fmt.Fprintf(&b, "live %s\n", h.Short())
	}
	for _, t := range s.Tallies() {
		fmt.Fprintf(&b, "tally %s votes=%d enacted=%v\n", t.Motion.String(), len(t.Votes), t.Enacted)
	}
	return b.String()
}

func compareKeys(a, b protocol.Key) int { return strings.Compare(string(a[:]), string(b[:])) }

func compareHashes(a, b protocol.Hash) int { return strings.Compare(string(a[:]), string(b[:])) }

// Suspensions returns the enacted Suspend motions against k that no
// Unsuspend has lifted, sorted: what an Unsuspend motion for k lists in
// Lifts. It is empty for a key that is not suspended by enactment (an
// equivocator's suspension is not a motion and cannot be lifted).
func (s *State) Suspensions(k protocol.Key) []protocol.Hash {
	var out []protocol.Hash
	for m, target := range s.lifts {
		if target == k {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, compareHashes)
	return out
}
