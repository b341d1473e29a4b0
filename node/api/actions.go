package api

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

func (s *Server) endorse(w http.ResponseWriter, r *http.Request) {
	var req EndorseRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	evidence, err := protocol.ParseHash(strings.TrimSpace(req.Evidence))
	if err != nil || evidence.IsZero() {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadEvidence, "evidence %q is not the SHA-256 of the vetting evidence (64 hex digits)", req.Evidence))
		return
	}
	app, err := protocol.DecodeApplication(req.Application)
	switch {
	case len(req.Application) == 0:
		err = fail(http.StatusBadRequest, CodeBadRequest, "no application given")
	case errors.Is(err, protocol.ErrBadSignature):
		err = fail(http.StatusBadRequest, CodeBadSignature, "the application's signature does not verify: it is forged or was altered (%v)", err)
	case err != nil:
		err = fail(http.StatusBadRequest, CodeBadRequest, "not a Kring application: %v", err)
	case app.Group != s.n.Group():
		err = fail(http.StatusBadRequest, CodeWrongGroup, "the application is for circle %s, this node's circle is %s", app.Group.Short(), s.n.Group().Short())
	case app.Member.Key == s.n.Key():
		err = fail(http.StatusBadRequest, CodeSelf, "an organisation cannot endorse its own application")
	}
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	op, err := s.publishing(r, func(ctx context.Context) (*protocol.Op, error) { return s.n.Vote(ctx, m, evidence) })
	if errors.Is(err, node.ErrAlreadyVoted) {
		err = fail(http.StatusConflict, CodeEndorsed, "this organisation already endorsed application %s (%s); a second endorsement would count once",
			app.ID().Short(), detailOf(err, node.ErrAlreadyVoted))
	}
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info("applicant endorsed", "applicant", protocol.Label(app.Member.Profile.Name, app.Member.Key), "op", op.Hash().Short())
	writeJSON(w, http.StatusCreated, opInfo(op))
}

// voteMotions are the motions POST /v1/votes takes.
var voteMotions = map[string]protocol.MotionKind{
	"suspend":   protocol.MotionSuspend,
	"unsuspend": protocol.MotionUnsuspend,
	"revoke":    protocol.MotionRevoke,
	"disavow":   protocol.MotionDisavow,
}

func (s *Server) vote(w http.ResponseWriter, r *http.Request) {
	var req VoteRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	m, err := s.motion(req)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	op, err := s.publishing(r, func(ctx context.Context) (*protocol.Op, error) { return s.n.Vote(ctx, m, protocol.Hash{}) })
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info("voted", "motion", req.Motion, "target", s.n.KeyName(*m.Target), "op", op.Hash().Short())
	writeJSON(w, http.StatusCreated, opInfo(op))
}

// motion checks a vote request and builds its motion.
func (s *Server) motion(req VoteRequest) (protocol.Motion, error) {
	kind, ok := voteMotions[strings.ToLower(strings.TrimSpace(req.Motion))]
	if !ok {
		return protocol.Motion{}, fail(http.StatusBadRequest, CodeBadRequest, "motion %q is not one of suspend, unsuspend, revoke, disavow", req.Motion)
	}
	target, err := parseKey(req.Target)
	if err != nil {
		return protocol.Motion{}, err
	}
	if target == s.n.Key() {
		return protocol.Motion{}, fail(http.StatusBadRequest, CodeSelf, "a member may not vote on a motion about itself")
	}
	if !slices.Contains(s.n.State().Keys(), target) {
		return protocol.Motion{}, fail(http.StatusNotFound, CodeUnknownMember, "the log knows no member %s", target.Short())
	}
	m := protocol.Motion{Kind: kind, Target: &target}
	if req.Case != "" {
		c, err := hex.DecodeString(req.Case)
		switch {
		case kind != protocol.MotionSuspend:
			return m, fail(http.StatusBadRequest, CodeBadRequest, "only a suspend vote takes a case")
		case err != nil || len(c) == 0 || len(c) > protocol.MaxNonce:
			return m, fail(http.StatusBadRequest, CodeBadRequest, "case %q is not 1 to %d bytes in hex", req.Case, protocol.MaxNonce)
		}
		m.Case = c
	}
	switch {
	case kind == protocol.MotionDisavow && req.From == 0:
		return m, fail(http.StatusBadRequest, CodeBadRequest, "a disavow vote needs from: the first of the target's seqs signed by the thief, at least 1")
	case kind != protocol.MotionDisavow && req.From != 0:
		return m, fail(http.StatusBadRequest, CodeBadRequest, "only a disavow vote takes from")
	case kind != protocol.MotionUnsuspend && req.Keep != "":
		return m, fail(http.StatusBadRequest, CodeBadRequest, "only an unsuspend vote takes keep")
	}
	m.From = req.From
	if req.Keep != "" {
		keep, err := s.keepOf(target, req.Keep)
		if err != nil {
			return m, err
		}
		m.Keep = keep
	}
	return m, nil
}

// acknowledge answers POST /v1/acknowledgements: an Ack signed now, so
// that what waits on this organisation's acknowledgement settles without
// waiting for the charter's interval.
func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), publishWait)
	defer cancel()
	op, err := s.n.Acknowledge(ctx)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusCreated, opInfo(op))
}

func (s *Server) leave(w http.ResponseWriter, r *http.Request) {
	var req LeaveRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	if len(req.Reason) > protocol.MaxLongText {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeTooLarge, "the reason is %d bytes, at most %d", len(req.Reason), protocol.MaxLongText))
		return
	}
	body := &protocol.Leave{Reason: req.Reason}
	op, err := s.publishing(r, func(ctx context.Context) (*protocol.Op, error) { return s.n.Publish(ctx, body) })
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Warn("this organisation left the circle", "op", op.Hash().Short())
	writeJSON(w, http.StatusCreated, opInfo(op))
}
