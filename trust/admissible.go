package trust

import (
	"github.com/kring-circle/kring/protocol"
)

// pastVotes answers admissible's questions about the votes in the causal
// past of the op it judges.
type pastVotes interface {
	// Vote returns the author and motion hash of the vote with hash h,
	// and ok=false when h is not a vote in the past.
	Vote(h protocol.Hash) (author protocol.Key, motion protocol.Hash, ok bool)
}

// view is what admissibility reads of the State of an op's past. A *State
// provides it, and so does the engine's resolver, so that an op on top of
// the log is judged without building a State.
type view interface {
	group() protocol.Hash
	epoch() protocol.Hash
	charter() *protocol.Charter
	key(k protocol.Key) KeyState
	memberCount() int
	// settledMember reports whether k is a member of the settled State.
	settledMember(k protocol.Key) bool
	liveGrant(h protocol.Hash) bool
	// suspension returns the target of the enacted, unlifted Suspend
	// motion m.
	suspension(m protocol.Hash) (protocol.Key, bool)
	// enacted reports whether motion m is enacted.
	enacted(m protocol.Hash) bool
	// nextCharter is the version a Charter motion must take.
	nextCharter() uint64
}

func (s *State) group() protocol.Hash              { return s.Group }
func (s *State) epoch() protocol.Hash              { return s.Epoch }
func (s *State) charter() *protocol.Charter        { return &s.Charter }
func (s *State) key(k protocol.Key) KeyState       { return s.Key(k) }
func (s *State) memberCount() int                  { return s.settledN }
func (s *State) settledMember(k protocol.Key) bool { return s.settled[k] }
func (s *State) liveGrant(h protocol.Hash) bool    { return s.live[h] }
func (s *State) nextCharter() uint64               { return s.NextCharterVersion() }
func (s *State) enacted(m protocol.Hash) bool      { return s.enactedSet[m] }
func (s *State) suspension(m protocol.Hash) (protocol.Key, bool) {
	k, ok := s.lifts[m]
	return k, ok
}

// admissible judges op against view, the State of the op's own causal past
// (or what the engine's resolver reads of it), with past answering for the
// votes in it. It returns nil when the op is admissible, or an error
// wrapping the named reason it is not; for an enactment, also the number of
// counting votes the motion needed in the view. The verdict is permanent:
// view and past never change for a given op. Signatures and the author
// chain are checked before, by protocol and by the Engine.
//
// admissible says nothing about whether a grant or an advisory counts: a
// denial concurrent with it may void it later (see Engine.Live).
func admissible(op *protocol.Op, view view, past pastVotes) (int, error) {
	if op.Kind == protocol.KindGenesis {
		return 0, refuse(ErrGenesis, "%s", op)
	}
	if op.Group != view.group() {
		return 0, refuse(ErrWrongGroup, "%s", op)
	}
	if op.Epoch != view.epoch() {
		return 0, refuse(ErrWrongEpoch, "%s names %s, the charter in force is %s", op, op.Epoch.Short(), view.epoch().Short())
	}
	author := view.key(op.Author)
	switch b := op.Content().(type) {
	case *protocol.Advisory:
		return 0, requireMember(author, false)
	case *protocol.Leave:
		if removed(author.Status) {
			return 0, refuse(ErrAuthorRemoved, "%s", op.Author.Short())
		}
		if author.Status != StatusMember && author.Status != StatusLapsed {
			return 0, refuse(ErrNotMember, "%s is %s", op.Author.Short(), author.Status)
		}
		return 0, nil
	case *protocol.Ack:
		// An acknowledgement only says what its author has seen: a member
		// or lapsed key signs it, suspended or not (docs/membership.md §5).
		if removed(author.Status) {
			return 0, refuse(ErrAuthorRemoved, "%s is %s", op.Author.Short(), author.Status)
		}
		if author.Status != StatusMember && author.Status != StatusLapsed {
			return 0, refuse(ErrNotMember, "%s is %s", op.Author.Short(), author.Status)
		}
		return 0, nil
	case *protocol.Vote:
		return 0, admissibleVote(op, b, author, view)
	case *protocol.Enact:
		return admissibleEnact(op, b, author, view, past)
	}
	return 0, refuse(ErrUnknownBody, "%T", op.Content())
}

func removed(s Status) bool { return s == StatusRevoked || s == StatusLeft }

// requireMember refuses an author that is not a member in the view, or is
// suspended there unless suspended members may act.
func requireMember(author KeyState, allowSuspended bool) error {
	switch {
	case removed(author.Status):
		return refuse(ErrAuthorRemoved, "%s is %s", author.Key.Short(), author.Status)
	case author.Status != StatusMember:
		return refuse(ErrNotMember, "%s is %s", author.Key.Short(), author.Status)
	case author.Suspended && !allowSuspended:
		return refuse(ErrAuthorSuspended, "%s", author.Key.Short())
	}
	return nil
}

// admissibleVote: grants and charter votes need a member in the sharing
// set; denial votes any member, suspended or not.
func admissibleVote(op *protocol.Op, v *protocol.Vote, author KeyState, view view) error {
	m := &v.Motion
	if err := requireMember(author, m.Kind == protocol.MotionSuspend || m.Kind == protocol.MotionRevoke); err != nil {
		return err
	}
	if m.Kind != protocol.MotionCharter && m.Subject() == op.Author {
		return refuse(ErrSelfMotion, "%s on %s", op.Author.Short(), m)
	}
	// A member vouches for others once the circle has settled its own
	// admission (docs/membership.md §5, review round 15's CE-5).
	if m.Kind == protocol.MotionAdmit && !view.settledMember(op.Author) {
		return refuse(ErrUnsettledEndorser, "%s was admitted, but its admission is not yet settled: it may endorse once the members have acknowledged it", op.Author.Short())
	}
	return motionStands(m, view)
}

// motionStands checks that a motion makes sense in the view: the candidate
// can still join, the target is a member, the suspensions to lift stand,
// the charter version is the next one.
func motionStands(m *protocol.Motion, view view) error {
	switch m.Kind {
	case protocol.MotionAdmit:
		app := m.Application
		cand := view.key(app.Member.Key)
		if app.Group != view.group() || removed(cand.Status) || cand.Status == StatusMember {
			return refuse(ErrCandidate, "%s is %s", cand.Key.Short(), cand.Status)
		}
	case protocol.MotionSuspend, protocol.MotionRevoke, protocol.MotionUnsuspend:
		// A lapsed member can come back with a new Admit, so it can
		// still be suspended, revoked, and have a suspension lifted.
		if t := view.key(*m.Target); t.Status != StatusMember && t.Status != StatusLapsed {
			return refuse(ErrTargetNotMember, "%s is %s", t.Key.Short(), t.Status)
		}
		if m.Kind != protocol.MotionUnsuspend {
			return nil
		}
		for _, s := range m.Lifts {
			if target, ok := view.suspension(s); !ok || target != *m.Target {
				return refuse(ErrNotSuspended, "suspension %s of %s", s.Short(), m.Target.Short())
			}
		}
	case protocol.MotionCharter:
		if next := view.nextCharter(); m.Charter.Version != next {
			return refuse(ErrCharterVersion, "v%d, the next version is v%d", m.Charter.Version, next)
		}
	}
	return nil
}

func admissibleEnact(op *protocol.Op, e *protocol.Enact, author KeyState, view view, past pastVotes) (int, error) {
	m := &e.Motion
	if m.Kind == protocol.MotionAdmit {
		if op.Author != m.Subject() {
			return 0, refuse(ErrEnactAuthor, "%s enacts the Admit of %s", op.Author.Short(), m.Subject().Short())
		}
		if removed(author.Status) {
			return 0, refuse(ErrAuthorRemoved, "%s is %s", author.Key.Short(), author.Status)
		}
	} else if err := requireMember(author, true); err != nil {
		return 0, err
	}
	if err := motionStands(m, view); err != nil {
		return 0, err
	}
	want := m.Hash()
	if m.Kind == protocol.MotionSuspend && view.enacted(want) {
		// A suspension case is enacted once: its votes cannot suspend
		// again after it is lifted.
		return 0, refuse(ErrReenacted, "%s", m)
	}
	voters := make(map[protocol.Key]bool, len(e.Votes))
	counting := 0
	for _, h := range e.Votes {
		voter, motion, ok := past.Vote(h)
		if !ok || motion != want {
			return 0, refuse(ErrVote, "%s", h.Short())
		}
		if voters[voter] {
			return 0, refuse(ErrDuplicateVoter, "%s", voter.Short())
		}
		if m.Kind != protocol.MotionCharter && voter == m.Subject() {
			return 0, refuse(ErrSelfMotion, "vote %s by %s", h.Short(), voter.Short())
		}
		voters[voter] = true
		if !isGrant(m.Kind) || view.liveGrant(h) {
			counting++
		}
	}
	need := threshold(m.Kind, view)
	if counting < need {
		return 0, refuse(ErrTooFewVotes, "%s has %d, needs %d", m, counting, need)
	}
	return need, nil
}

// isGrant reports whether votes on motions of kind k are grants, which
// count only while live.
func isGrant(k protocol.MotionKind) bool {
	return k == protocol.MotionAdmit || k == protocol.MotionUnsuspend
}

// threshold returns the counting votes a motion of kind k needs under the
// view's charter, with the floors of docs/membership.md §2 (ThresholdsFor)
// for the members of the view.
func threshold(k protocol.MotionKind, view view) int {
	return ThresholdsFor(view.charter(), view.memberCount()).For(k)
}
