package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ErrNotSuspended is returned by Vote for an Unsuspend motion when no
// enacted suspension of its target stands, so there is nothing to lift.
var ErrNotSuspended = errors.New("node: no enacted suspension of that member stands")

// ErrAlreadyVoted is returned by Vote when this organisation's vote on the
// motion counts already: a second one would count once, and only clutter
// the log. The error names the vote that counts.
var ErrAlreadyVoted = errors.New("node: this organisation's vote on the motion counts already")

// Vote publishes this organisation's vote for motion m, with evidence the
// hash of the vetting evidence the organisation keeps (required for an
// endorsement, i.e. a vote on an Admit motion). It fills in what a person
// should not have to: a Suspend motion without a Case joins the open
// suspension motion against the same target with the most votes, or opens a
// new one with a random case; an Unsuspend motion without Lifts lifts every
// standing suspension of its target (ErrNotSuspended if there is none, and
// no Keep). An Unsuspend of a member that a fork of its chain suspends
// must name the twin to keep (ErrKeepRequired), one of the twins at that
// seq (ErrNotATwin; see Twins); Keep for a member no fork suspends is
// ErrNotForked. A motion this organisation's vote counts for already is
// ErrAlreadyVoted.
// It returns the published vote, or the error Publish returns.
func (n *Node) Vote(ctx context.Context, m protocol.Motion, evidence protocol.Hash) (*protocol.Op, error) {
	st := n.State()
	switch {
	case m.Kind == protocol.MotionSuspend && len(m.Case) == 0 && m.Target != nil:
		m.Case = openCase(st, *m.Target)
		if m.Case == nil {
			m.Case = make([]byte, 16)
			if _, err := rand.Read(m.Case); err != nil {
				return nil, fmt.Errorf("node: picking a suspension case: %w", err)
			}
		}
	case m.Kind == protocol.MotionUnsuspend && m.Target != nil:
		if err := n.checkKeep(st, m); err != nil {
			return nil, err
		}
		if len(m.Lifts) == 0 {
			m.Lifts = st.Suspensions(*m.Target)
		}
		if len(m.Lifts) == 0 && m.Keep == nil {
			return nil, fmt.Errorf("%w: %s", ErrNotSuspended, m.Target.Short())
		}
	}
	if err := n.votedBefore(ctx, st, m); err != nil {
		return nil, err
	}
	return n.Publish(ctx, &protocol.Vote{Motion: m, Evidence: evidence})
}

// votedBefore returns an error wrapping ErrAlreadyVoted, naming the vote,
// when this organisation's vote on motion m counts in State st.
func (n *Node) votedBefore(ctx context.Context, st *trust.State, m protocol.Motion) error {
	t, ok := st.Tally(m.Hash())
	if !ok || !votedBy(t, n.key) {
		return nil
	}
	var own *protocol.Op
	if err := n.do(ctx, func(l *loop) {
		for _, h := range t.Votes {
			if op, ok := l.eng.Op(h); ok && op.Author == n.key {
				own = op
				return
			}
		}
	}); err != nil {
		return err
	}
	if own == nil {
		return ErrAlreadyVoted
	}
	return fmt.Errorf("%w: vote %s of %s", ErrAlreadyVoted, own.Hash(), time.UnixMilli(own.TS).UTC().Format(time.RFC3339))
}

// openCase returns the case of the unenacted suspension motion against
// target with the most counting votes, or nil if there is none.
func openCase(st *trust.State, target protocol.Key) []byte {
	var best []byte
	most := 0
	for _, t := range st.Tallies() {
		m := t.Motion
		if m.Kind != protocol.MotionSuspend || t.Enacted || m.Target == nil || *m.Target != target {
			continue
		}
		if len(t.Voters) > most {
			best, most = m.Case, len(t.Voters)
		}
	}
	return best
}

// Explain lists the ops that made key k's standing, as trust.Engine.Explain
// does, read from this node's log.
func (n *Node) Explain(ctx context.Context, k protocol.Key) ([]trust.Event, error) {
	var evs []trust.Event
	if err := n.do(ctx, func(l *loop) { evs = l.eng.Explain(k) }); err != nil {
		return nil, err
	}
	return evs, nil
}

// enactTimeout bounds one automatic enactment, including the wait for
// the node to be ready to publish.
const enactTimeout = time.Minute

// autoEnact enacts, when Config.AutoEnact is set, every motion this
// organisation voted for whose counting votes reach the charter's
// threshold and that no enactment in the log carries yet. Every voter
// does so; concurrent enactments of one motion are harmless (the log
// keeps both, the State counts the motion once). It runs after a State
// change and publishes from its own goroutine, never from the loop.
func (l *loop) autoEnact(st *trust.State) {
	n := l.n
	if !n.cfg.AutoEnact || !st.InSharingSet(n.key) {
		return
	}
	for _, t := range st.Tallies() {
		if t.Enacted || !votedBy(t, n.key) || len(t.Votes) < threshold(st, t.Motion) {
			continue
		}
		h := t.Motion.Hash()
		if l.enacting[h] {
			continue
		}
		l.enacting[h] = true
		enact := &protocol.Enact{Motion: t.Motion, Votes: citeVotes(t.Votes)}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			defer func() {
				// The loop forgets the motion; once the node stops, nothing
				// enacts any more.
				_ = n.doNow(n.ctx, func(l *loop) { delete(l.enacting, h) })
			}()
			ctx, cancel := context.WithTimeout(n.ctx, enactTimeout)
			defer cancel()
			op, err := n.Publish(ctx, enact)
			if err != nil {
				n.log.Debug("automatic enactment not published", "motion", &enact.Motion, "err", err)
				return
			}
			n.log.Info("enacted a motion whose votes reached the threshold", "motion", &enact.Motion, "op", op)
		}()
	}
}

// threshold is the number of counting votes the charter in force asks of
// motion m, with the floors trust applies (trust.ThresholdsFor over the
// members of the State): what an enactment must cite for the log to accept
// it. It is more than any motion can gather for the motions this node never
// enacts for others (Admit). A Disavow is enacted like the others once its
// c′ votes are in: the members who voted for it want it in force, and the
// rules judge it (docs/membership.md §4.6).
func threshold(st *trust.State, m protocol.Motion) int {
	switch {
	case m.Kind == protocol.MotionAdmit:
		return protocol.MaxVotes + 1 // the applicant's own node enacts it
	case m.Kind == protocol.MotionCharter && (m.Charter == nil || m.Charter.Version != st.NextCharterVersion()):
		return protocol.MaxVotes + 1 // stale: another change came first
	}
	return st.Thresholds().For(m.Kind)
}

func votedBy(t trust.Tally, k protocol.Key) bool {
	for _, v := range t.Voters {
		if v == k {
			return true
		}
	}
	return false
}

// citeVotes returns the votes an enactment cites: all counting votes, up to
// the protocol's limit (votes are sorted, so every node cites the same).
func citeVotes(votes []protocol.Hash) []protocol.Hash {
	out := append([]protocol.Hash(nil), votes...)
	if len(out) > protocol.MaxVotes {
		out = out[:protocol.MaxVotes]
	}
	return out
}
