package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The states of a motion in progress (MotionInfo.State).
const (
	// MotionOpen: the motion has fewer counting votes than it needs.
	MotionOpen = "open"
	// MotionRipe: it has the votes it needs, and no enactment yet.
	MotionRipe = "ripe"
	// MotionSettling: a charter change is enacted and takes effect once
	// the members' acknowledgements settle its enactment.
	MotionSettling = "settling"
)

// motions answers GET /v1/motions: every decision in progress, the oldest
// first.
func (s *Server) motions(w http.ResponseWriter, r *http.Request) {
	_, out, err := openMotions(r.Context(), s.n)
	s.answer(w, r, http.StatusOK, out, err)
}

// Motions returns the decisions in progress on node n as GET /v1/motions
// lists them, for a caller that holds the node itself (the demo).
func Motions(ctx context.Context, n *node.Node) ([]MotionInfo, error) {
	_, out, err := openMotions(ctx, n)
	return out, err
}

// openMotions returns the decisions in progress on n, as GET /v1/motions
// lists them, with the State they were read from.
func openMotions(ctx context.Context, n *node.Node) (*trust.State, []MotionInfo, error) {
	st, open, err := n.Motions(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]MotionInfo, 0, len(open))
	for _, m := range open {
		out = append(out, motionInfo(st, m, n.Key()))
	}
	return st, out, nil
}

// about returns the motions whose subject is key k.
func about(motions []MotionInfo, k protocol.Key) []MotionInfo {
	var out []MotionInfo
	for _, m := range motions {
		if m.Subject == k.String() {
			out = append(out, m)
		}
	}
	return out
}

// motionInfo renders motion om of State st for organisation self.
func motionInfo(st *trust.State, om node.OpenMotion, self protocol.Key) MotionInfo {
	m := om.Motion
	mi := MotionInfo{
		ID: om.ID.String(), Kind: m.Kind.String(), Votes: len(om.Votes), Needed: om.Needed,
		Voters: []MotionVote{}, OpenedAt: om.Opened,
		Case: fmt.Sprintf("%x", m.Case), From: m.From,
	}
	if sub := m.Subject(); !sub.IsZero() {
		mi.Subject, mi.SubjectName = sub.String(), nameOf(st, sub)
	}
	for _, v := range om.Votes {
		mi.Voters = append(mi.Voters, MotionVote{
			Key: v.Voter.String(), Name: nameOf(st, v.Voter), Vote: v.Op.String(), At: v.At, AwaitsSettlement: v.AwaitsSettlement,
		})
		if v.Voter == self {
			mi.Voted = true
		}
	}
	for _, h := range m.Lifts {
		mi.Lifts = append(mi.Lifts, h.String())
	}
	if m.Keep != nil {
		mi.Keep = m.Keep.String()
	}
	if m.Application != nil {
		mi.Application = m.Application.ID().String()
	}
	if m.Charter != nil {
		doc := charterDoc(*m.Charter)
		mi.Charter = &doc
	}
	mi.State = motionState(om)
	mi.Effect = effect(st, m)
	mi.Next = next(mi, m.Kind)
	return mi
}

// motionState is MotionOpen, MotionRipe or MotionSettling.
func motionState(om node.OpenMotion) string {
	switch {
	case om.Settling:
		return MotionSettling
	case om.Ripe():
		return MotionRipe
	}
	return MotionOpen
}

// who names key k as people see it: its organisation and short key.
func who(st *trust.State, k protocol.Key) string {
	return protocol.Label(nameOf(st, k), k)
}

// effect says what enacting motion m would do.
func effect(st *trust.State, m protocol.Motion) string {
	th := st.Thresholds()
	sub := who(st, m.Subject())
	switch m.Kind {
	case protocol.MotionAdmit:
		return fmt.Sprintf("admits %s as a member: it joins the sharing set", sub)
	case protocol.MotionSuspend:
		return fmt.Sprintf("suspends %s network-wide: every node disconnects and refuses it until an unsuspend with %d votes lifts it", sub, th.Revoke)
	case protocol.MotionUnsuspend:
		what := fmt.Sprintf("lifts %d suspension%s of %s", len(m.Lifts), plural(len(m.Lifts)), sub)
		if m.Keep != nil {
			what = fmt.Sprintf("lifts the suspension of %s that its forked chain caused, keeping the twin %s", sub, m.Keep.Short())
			if len(m.Lifts) > 0 {
				what += fmt.Sprintf(", and %d suspension%s", len(m.Lifts), plural(len(m.Lifts)))
			}
		}
		return what + ": it rejoins the sharing set unless another suspension stands"
	case protocol.MotionRevoke:
		return fmt.Sprintf("revokes %s for good: every node cuts it off and refuses its later ops", sub)
	case protocol.MotionCharter:
		if m.Charter == nil {
			return "changes the charter"
		}
		c := m.Charter
		return fmt.Sprintf("puts charter v%d in force (admit=%d suspend=%d revoke=%d) once its enactment settles", c.Version, c.Admit, c.Suspend, c.Revoke)
	case protocol.MotionDisavow:
		return fmt.Sprintf("disavows %s's ops from seq %d on as signed by a thief of its key: their effects become void", sub, m.From)
	}
	return m.String()
}

// next says what the motion waits for.
func next(mi MotionInfo, kind protocol.MotionKind) string {
	switch {
	case mi.State == MotionSettling:
		return "enacted: takes effect once the members' acknowledgements settle the enactment"
	case mi.State == MotionRipe && kind == protocol.MotionAdmit:
		return "enough endorsements: the applicant's node enacts its admission as soon as it reaches a member"
	case mi.State == MotionRipe:
		return "enough votes: a voter's node enacts it automatically"
	}
	missing := mi.Needed - mi.Votes
	return fmt.Sprintf("needs %d more vote%s", missing, plural(missing))
}
