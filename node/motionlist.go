package node

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// OpenMotion is a decision in progress: a motion with counting votes that
// no enactment in the log carries yet, or a charter change that is enacted
// and waits to settle before it takes effect.
type OpenMotion struct {
	// Motion is the motion voted on; ID its hash.
	Motion protocol.Motion
	ID     protocol.Hash
	// Votes are the counting votes, one per voter, oldest first.
	Votes []CastVote
	// Needed is the number of counting votes its enactment needs today:
	// the charter's threshold with the floors trust applies
	// (trust.State.Thresholds).
	Needed int
	// Opened is the author's clock on the oldest counting vote
	// (informational: no rule reads it).
	Opened time.Time
	// Settling is set for a charter change that is enacted and takes
	// effect once the members' acknowledgements settle its enactment.
	Settling bool
}

// Ripe reports whether the motion has the votes its enactment needs but
// no enactment yet.
func (m OpenMotion) Ripe() bool { return !m.Settling && len(m.Votes) >= m.Needed }

// CastVote is one counting vote on an open motion.
type CastVote struct {
	// Voter is the member who voted; Op the vote's hash.
	Voter protocol.Key
	Op    protocol.Hash
	// At is the voter's clock when it signed the vote (informational).
	At time.Time
	// AwaitsSettlement is set for a vote that counts but that a quorum of
	// members has not yet been seen to acknowledge, so that a backdated op
	// could still reach it (trust.Engine.AwaitsSettlement: only
	// endorsements settle; other votes are never marked).
	AwaitsSettlement bool
}

// Motions returns the decisions in progress in this node's log, the oldest
// first, and the State they were read from: every motion with counting
// votes and no enactment that can still be enacted (not a charter motion
// another change outdated, not a removal or lift of a key that is gone or
// no longer suspended, not the admission of a member), and the enacted
// charter change that waits to settle, if any.
func (n *Node) Motions(ctx context.Context) (*trust.State, []OpenMotion, error) {
	var st *trust.State
	var out []OpenMotion
	err := n.do(ctx, func(l *loop) {
		st = l.eng.State()
		pending, settling := st.PendingCharter()
		th := st.Thresholds()
		for _, t := range st.Tallies() {
			isPending := settling && t.Motion.Hash() == pending.Hash()
			if !isPending && !stillOpen(st, t) {
				continue
			}
			m := OpenMotion{Motion: t.Motion, ID: t.Motion.Hash(), Needed: th.For(t.Motion.Kind), Settling: isPending}
			for _, h := range t.Votes {
				op, ok := l.eng.Op(h)
				if !ok {
					continue
				}
				at := time.UnixMilli(op.TS).UTC()
				m.Votes = append(m.Votes, CastVote{Voter: op.Author, Op: h, At: at, AwaitsSettlement: l.eng.AwaitsSettlement(h)})
				if m.Opened.IsZero() || at.Before(m.Opened) {
					m.Opened = at
				}
			}
			slices.SortFunc(m.Votes, func(a, b CastVote) int {
				return cmp.Or(a.At.Compare(b.At), compareKeys(a.Voter, b.Voter))
			})
			out = append(out, m)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(out, func(a, b OpenMotion) int { return a.Opened.Compare(b.Opened) })
	return st, out, nil
}

// stillOpen reports whether tally t is of a motion that an enactment could
// still carry out in State st.
func stillOpen(st *trust.State, t trust.Tally) bool {
	if t.Enacted {
		return false
	}
	m := t.Motion
	subject := st.Key(m.Subject())
	gone := subject.Status == trust.StatusRevoked || subject.Status == trust.StatusLeft
	switch m.Kind {
	case protocol.MotionAdmit:
		return !gone && subject.Status != trust.StatusMember
	case protocol.MotionSuspend, protocol.MotionRevoke:
		return !gone
	case protocol.MotionUnsuspend:
		if gone || !subject.Suspended {
			return false
		}
		if m.Keep != nil {
			return true
		}
		standing := st.Suspensions(m.Subject())
		for _, h := range m.Lifts {
			if _, ok := slices.BinarySearchFunc(standing, h, compareHashes); ok {
				return true
			}
		}
		return false
	case protocol.MotionCharter:
		return m.Charter != nil && m.Charter.Version == st.NextCharterVersion()
	}
	return true // a disavowal reaches a key that is gone too
}

func compareKeys(a, b protocol.Key) int { return slices.Compare(a[:], b[:]) }

func compareHashes(a, b protocol.Hash) int { return slices.Compare(a[:], b[:]) }
