package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// CodeUnknownMotion is the code of a vote for a charter motion that is not
// open: no counting vote for it, already enacted, or outdated by another
// change (404).
const CodeUnknownMotion = "unknown-motion"

// charter answers GET /v1/charter: the charter in force, its thresholds
// today, and the open motions to change it.
func (s *Server) charter(w http.ResponseWriter, r *http.Request) {
	st := s.n.State()
	v := CharterView{
		Charter: charterDoc(st.Charter),
		Epoch:   st.Epoch.String(),
		Limits:  []string{},
		Motions: []CharterMotion{},
	}
	if op, err := s.n.Op(st.Epoch); err == nil && op != nil {
		v.EpochAuthor, v.EpochAuthorName = op.Author.String(), nameOf(st, op.Author)
		v.InForceSince = time.UnixMilli(op.TS).UTC()
	}
	t := st.Thresholds()
	v.Thresholds = thresholdsInfo(t)
	v.Limits = append(v.Limits, Limits(st.Charter, t)...)
	for _, m := range openCharterMotions(st) {
		v.Motions = append(v.Motions, s.charterMotion(st, m, t))
	}
	if m, ok := st.PendingCharter(); ok {
		v.Pending = &CharterPending{ID: m.Hash().String(), Charter: charterDoc(*m.Charter)}
	}
	writeJSON(w, http.StatusOK, v)
}

// openCharterMotions returns the tallies of the motions that could still
// change the charter: Charter motions of the next version with counting
// votes and no enactment, sorted by motion hash.
func openCharterMotions(st *trust.State) []trust.Tally {
	var out []trust.Tally
	for _, t := range st.Tallies() {
		m := t.Motion
		if m.Kind == protocol.MotionCharter && !t.Enacted && m.Charter != nil && m.Charter.Version == st.NextCharterVersion() {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) charterMotion(st *trust.State, t trust.Tally, th trust.Thresholds) CharterMotion {
	cm := CharterMotion{
		ID: t.Motion.Hash().String(), Charter: charterDoc(*t.Motion.Charter),
		Votes: len(t.Voters), Needed: th.Change, Voters: []Voter{},
	}
	for _, k := range t.Voters {
		cm.Voters = append(cm.Voters, Voter{Key: k.String(), Name: nameOf(st, k)})
		if k == s.n.Key() {
			cm.Voted = true
		}
	}
	return cm
}

// charterDoc renders a charter; the ack interval is the one in force.
func charterDoc(c protocol.Charter) CharterDoc {
	d := CharterDocOf(c)
	d.AckIntervalSeconds = c.AckSeconds()
	return d
}

// CharterDocOf renders charter c exactly, so that its Charter method
// gives c back: an ack interval the charter leaves to the default stays
// 0. Empty lists are empty, not null, in JSON.
func CharterDocOf(c protocol.Charter) CharterDoc {
	d := CharterDoc{
		Name: c.Name, Version: c.Version, Admit: c.Admit, Suspend: c.Suspend, Revoke: c.Revoke, Change: c.Change,
		AckIntervalSeconds: c.AckInterval, Requirements: []RequirementInfo{},
		TLPPolicy: c.TLPPolicy, Cadence: c.Cadence, Topics: append([]string{}, c.Topics...),
	}
	for _, r := range c.Requirements {
		d.Requirements = append(d.Requirements, RequirementInfo{ID: r.ID, Text: r.Text})
	}
	return d
}

// Charter returns the protocol charter d describes: empty lists are left
// out, as the canonical encoding does.
func (d CharterDoc) Charter() protocol.Charter {
	c := protocol.Charter{
		Name: d.Name, Version: d.Version, Admit: d.Admit, Suspend: d.Suspend, Revoke: d.Revoke, Change: d.Change,
		AckInterval: d.AckIntervalSeconds, TLPPolicy: d.TLPPolicy, Cadence: d.Cadence,
	}
	for _, r := range d.Requirements {
		c.Requirements = append(c.Requirements, protocol.Requirement{ID: r.ID, Text: r.Text})
	}
	if len(d.Topics) > 0 {
		c.Topics = append([]string(nil), d.Topics...)
	}
	return c
}

func thresholdsInfo(t trust.Thresholds) ThresholdsInfo {
	return ThresholdsInfo{
		Members: t.N, Admit: t.Admit, Suspend: t.Suspend, Revoke: t.Revoke, Change: t.Change,
		Hostile: t.Hostile, Settle: t.Settle, CanSuspend: t.CanSuspend(), CanRevoke: t.CanRevoke(),
	}
}

// Limits says, a sentence each, what a circle under charter c with the
// thresholds t cannot do at its size, and where a floor makes a threshold
// differ from what the charter says.
func Limits(c protocol.Charter, t trust.Thresholds) []string {
	n := t.N
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	switch {
	case n == 2 && !t.CanSuspend() && !t.CanRevoke():
		add("with 2 members, neither can suspend or revoke the other")
	case n < 2:
		add("with %d member%s, nobody can suspend or revoke anyone", n, plural(n))
	case !t.CanSuspend() && !t.CanRevoke():
		add("with %d members, the other %d cannot reach s′ = %d or r′ = %d: no member can be suspended or revoked", n, n-1, t.Suspend, t.Revoke)
	case !t.CanSuspend():
		add("with %d members, the other %d cannot reach s′ = %d: no member can be suspended", n, n-1, t.Suspend)
	case !t.CanRevoke():
		add("with %d members, the other %d cannot reach r′ = %d: no member can be revoked, and no suspension lifted", n, n-1, t.Revoke)
	}
	if int(c.Admit) > t.Admit {
		add("the charter's admit = %d is more than the %d members: admitting needs all %d", c.Admit, n, t.Admit)
	}
	for _, th := range []struct {
		name, what  string
		wrote, need int
	}{{"suspend", "suspending", int(c.Suspend), t.Suspend}, {"revoke", "revoking or lifting a suspension", int(c.Revoke), t.Revoke}} {
		switch {
		case th.wrote < th.need && th.need == 2:
			add("the charter's %s = %d is raised to 2: no member acts alone in %s", th.name, th.wrote, th.what)
		case th.wrote > th.need && n >= 2:
			add("the charter's %s = %d is more than the %d other members: %s needs all %d of them", th.name, th.wrote, n-1, th.what, th.need)
		}
	}
	written := c.ChangeQuorum(n)
	what := fmt.Sprintf("change = %d", c.Change)
	if c.Change == 0 {
		what = fmt.Sprintf("default change = max(ceil(2n/3), 4) = %d", written)
	}
	switch {
	case written > t.Change && n > 0:
		add("the charter's %s is more than the %d members: a charter change needs all %d", what, n, t.Change)
	case written < t.Change:
		add("the charter's %s is raised to %d, a majority of the %d members: no minority changes the charter", what, t.Change, n)
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// proposeCharter answers POST /v1/charter/proposals: a vote for the
// Charter motion that carries the proposed charter.
func (s *Server) proposeCharter(w http.ResponseWriter, r *http.Request) {
	var req ProposeRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	c := req.Charter.Charter()
	st := s.n.State()
	next := st.NextCharterVersion()
	switch {
	case c.Version == 0:
		c.Version = next
	case c.Version != next:
		s.answer(w, r, 0, nil, fail(http.StatusUnprocessableEntity, node.ReasonCharterVersion.String(),
			"the proposal is version %d, but the charter in force is version %d: propose version %d (or leave the version out)",
			c.Version, st.Charter.Version, next))
		return
	}
	s.charterVote(w, r, protocol.Motion{Kind: protocol.MotionCharter, Charter: &c}, "charter change proposed")
}

// voteCharter answers POST /v1/charter/votes: a vote for an open charter
// motion.
func (s *Server) voteCharter(w http.ResponseWriter, r *http.Request) {
	var req CharterVoteRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	h, err := protocol.ParseHash(strings.ToLower(strings.TrimSpace(req.Motion)))
	if err != nil || h.IsZero() {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadRequest, "motion %q is not a motion ID (64 hex digits, as GET /v1/charter lists them)", req.Motion))
		return
	}
	for _, t := range openCharterMotions(s.n.State()) {
		if t.Motion.Hash() == h {
			s.charterVote(w, r, t.Motion, "voted for a charter change")
			return
		}
	}
	s.answer(w, r, 0, nil, fail(http.StatusNotFound, CodeUnknownMotion,
		"no open charter motion %s: it has no counting vote, was enacted, or another change came first (GET /v1/charter lists the open ones)", h.Short()))
}

func (s *Server) charterVote(w http.ResponseWriter, r *http.Request, m protocol.Motion, what string) {
	op, err := s.publishing(r, func(ctx context.Context) (*protocol.Op, error) { return s.n.Vote(ctx, m, protocol.Hash{}) })
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info(what, "motion", &m, "id", m.Hash().Short(), "op", op.Hash().Short())
	writeJSON(w, http.StatusCreated, opInfo(op))
}
