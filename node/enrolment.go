package node

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Enrolment is an applicant's own view of its application's progress: what
// the members its node asked last showed it. Members let an applicant's
// node in once one of them endorsed it, so until then nothing is Known.
type Enrolment struct {
	// Application is the application's ID.
	Application protocol.Hash
	// Known is set once a member answered about the application with
	// endorsements (or with enough of them).
	Known bool
	// Endorsers are the distinct members whose endorsements a member
	// showed and this node checked (signed votes on this very
	// application), sorted.
	Endorsers []protocol.Key
	// Needed is the number of endorsements the charter requires, as
	// this node's log knows the charter.
	Needed int
	// Enough is set when a member shows enough endorsements to admit.
	Enough bool
	// From is the member whose answer this is, and At when it came.
	From peer.ID
	At   time.Time
	// Problem says, when a member shows enough endorsements but this
	// node cannot enact its admission with them, why not; "" otherwise.
	Problem string
}

// Missing returns how many more endorsements the application needs, as
// far as the node knows (Needed while nothing is Known).
func (e Enrolment) Missing() int {
	if e.Enough {
		return 0
	}
	return max(0, e.Needed-len(e.Endorsers))
}

// String sums the progress up in one line, as logs show it.
func (e Enrolment) String() string {
	switch {
	case !e.Known:
		return fmt.Sprintf("no member has shown an endorsement yet (%d needed)", e.Needed)
	case e.Enough && len(e.Endorsers) == 0:
		return "a member shows enough endorsements, which this node could not check"
	case e.Enough:
		return fmt.Sprintf("%d of %d endorsements: enough", len(e.Endorsers), e.Needed)
	}
	return fmt.Sprintf("%d of %d endorsements: %d more needed", len(e.Endorsers), e.Needed, e.Missing())
}

// Next says in a sentence what happens next with the application.
func (e Enrolment) Next() string {
	id := e.Application.Short()
	switch {
	case !e.Known:
		return fmt.Sprintf("members' nodes answer this node once a member has endorsed application %s: send the application file to members, who endorse it with kring endorse", id)
	case e.Enough && e.Problem != "":
		return "members show enough endorsements, but this node could not enact its admission with them (see problem); it tries again at every enrolment interval"
	case e.Enough:
		return "enough endorsements: this node enacts its admission by itself and then syncs the circle's log"
	case e.Missing() == 1:
		return fmt.Sprintf("when 1 more member endorses application %s, this node enacts its admission by itself", id)
	}
	return fmt.Sprintf("when %d more members endorse application %s, this node enacts its admission by itself", e.Missing(), id)
}

// EndorserNames names the endorsers as "organisation (short key)", with
// the names the log st knows (those of founders, at least), or the short
// key alone.
func (e Enrolment) EndorserNames(st *trust.State) []string {
	out := make([]string, len(e.Endorsers))
	for i, k := range e.Endorsers {
		name := ""
		if p := st.Key(k).Profile; p != nil {
			name = p.Name
		}
		out[i] = protocol.Label(name, k)
	}
	return out
}

// Enrolment returns what this node knows of the progress of the
// application it enrols with (Enrol); ok is false before the first try.
// Safe for concurrent use.
func (n *Node) Enrolment() (e Enrolment, ok bool) {
	p := n.enrolment.Load()
	if p == nil {
		return Enrolment{}, false
	}
	return *p, true
}

// better reports whether answer e says more than answer o of one round:
// enough endorsements, or more endorsers.
func (e *Enrolment) better(o *Enrolment) bool {
	switch {
	case o == nil:
		return true
	case e.Enough != o.Enough:
		return e.Enough
	}
	return len(e.Endorsers) > len(o.Endorsers)
}

// noteEnrolment keeps best, the best answer of one round of Enrol, as the
// application's progress. A round in which no member answered keeps the
// last answer about the same application, if any.
func (n *Node) noteEnrolment(app protocol.Hash, best *Enrolment) {
	if best == nil {
		if old := n.enrolment.Load(); old != nil && old.Application == app {
			return
		}
		best = &Enrolment{Application: app, Needed: neededIn(n.State())}
	}
	n.enrolment.Store(best) // its Endorsers come sorted (openEndorsements)
}

// neededIn returns the endorsements this node's log says the charter asks.
func neededIn(st *trust.State) int {
	return st.Thresholds().Admit
}
