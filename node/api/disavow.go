package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// DisavowPreview is what a Disavow motion would do if it were enacted on
// top of this node's log now (GET /v1/disavowals/preview): the members it
// would lapse and the ops it would void, worked out by the membership
// rules before anyone votes (docs/membership.md §4.6).
type DisavowPreview struct {
	// Target is the key whose ops are disavowed, TargetName its
	// organisation; From the first seq disavowed.
	Target     string `json:"target"`
	TargetName string `json:"target_name,omitempty"`
	From       uint64 `json:"from"`
	// Motion is the motion's ID: every vote for this target and seq
	// joins it.
	Motion string `json:"motion"`
	// Votes counts the members whose votes for it count already, Needed
	// the votes its enactment needs (c′); Voted is set when this
	// organisation's vote is among them.
	Votes  int  `json:"votes"`
	Needed int  `json:"needed"`
	Voted  bool `json:"voted"`
	// TargetOps counts the target's ops in this node's log with seq From
	// or higher, TargetCounting those of them that count today;
	// TargetTip is the target's highest seq in the log.
	TargetOps      int    `json:"target_ops"`
	TargetCounting int    `json:"target_counting"`
	TargetTip      uint64 `json:"target_tip"`
	// Lapses are the members that would lapse: their admission rests on
	// the disavowed ops.
	Lapses []MemberRef `json:"lapses"`
	// Changes are all the standings it would change, the target's own
	// included.
	Changes []StandingChange `json:"changes"`
	// Voided counts the ops that count today and would be void,
	// VoidedAdvisories the advisories among them.
	Voided           int `json:"voided"`
	VoidedAdvisories int `json:"voided_advisories"`
	// Applies is false when the enactment would not take effect now, and
	// Why then says why.
	Applies bool   `json:"applies"`
	Why     string `json:"why,omitempty"`
}

// MemberRef names a key and its organisation (its name, if the log knows
// it). Holder and Endorser are the same.
type MemberRef struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// StandingChange is one key's standing before and after: a status
// ("member", "lapsed", "revoked", ...) and whether it is suspended.
type StandingChange struct {
	MemberRef
	Before          string `json:"before"`
	After           string `json:"after"`
	SuspendedBefore bool   `json:"suspended_before"`
	SuspendedAfter  bool   `json:"suspended_after"`
}

// disavowPreview answers GET /v1/disavowals/preview?key=KEY&from=N.
func (s *Server) disavowPreview(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	k, err := parseKey(q.Get("key"))
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	from, err := strconv.ParseUint(q.Get("from"), 10, 64)
	if err != nil || from == 0 {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadRequest, "from=%q is not a seq: the first of the key's seqs to disavow, 1 or more", q.Get("from")))
		return
	}
	st := s.n.State()
	if st.Key(k).Status == trust.StatusStranger {
		s.answer(w, r, 0, nil, fail(http.StatusNotFound, CodeUnknownMember, "the log knows no member %s", k.Short()))
		return
	}
	p, err := s.n.PreviewDisavow(r.Context(), k, from)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.answer(w, r, http.StatusOK, previewInfo(st, p, s.n.Key()), nil)
}

func previewInfo(st *trust.State, p *node.DisavowPreview, self protocol.Key) DisavowPreview {
	target := *p.Motion.Target
	out := DisavowPreview{
		Target: target.String(), TargetName: nameOf(st, target), From: p.Motion.From, Motion: p.Motion.Hash().String(),
		Votes: len(p.Voters), Needed: p.Needed, Voted: slices.Contains(p.Voters, self),
		TargetOps: p.TargetOps, TargetCounting: p.TargetCounting, TargetTip: p.TargetTip,
		Lapses: []MemberRef{}, Changes: []StandingChange{},
		Voided: p.Voided, VoidedAdvisories: p.Advisories, Applies: p.Applies, Why: p.Why,
	}
	ref := func(k protocol.Key) MemberRef { return MemberRef{Key: k.String(), Name: nameOf(st, k)} }
	for _, k := range p.Lapses() {
		out.Lapses = append(out.Lapses, ref(k))
	}
	for _, c := range p.Changes {
		out.Changes = append(out.Changes, StandingChange{MemberRef: ref(c.Key),
			Before: c.Before.Status.String(), After: c.After.Status.String(),
			SuspendedBefore: c.Before.Suspended, SuspendedAfter: c.After.Suspended})
	}
	return out
}

// PreviewDisavow asks what disavowing key's ops from seq from on would do.
func (c *Client) PreviewDisavow(ctx context.Context, key string, from uint64) (DisavowPreview, error) {
	q := url.Values{"key": {key}, "from": {strconv.FormatUint(from, 10)}}
	var out DisavowPreview
	return out, c.do(ctx, http.MethodGet, "/v1/disavowals/preview?"+q.Encode(), nil, &out)
}
