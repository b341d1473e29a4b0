package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Page sizes of GET /v1/advisories.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Orders of GET /v1/advisories (ListOptions.Order).
const (
	// OrderOldest lists the oldest advisories first (the default): page
	// forward with after=.
	OrderOldest = "oldest"
	// OrderNewest lists the newest advisories first: page back with
	// before=.
	OrderNewest = "newest"
)

func (s *Server) advisories(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := DefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadRequest, "limit %q is not a positive number", v))
			return
		}
		limit = min(n, MaxLimit)
	}
	order := q.Get("order")
	if order != "" && order != OrderOldest && order != OrderNewest {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadRequest, "order %q is unknown: use %q or %q", order, OrderOldest, OrderNewest))
		return
	}
	from, err := s.cursor(q.Get("after"))
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	end, err := s.bound(q.Get("before"))
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	var ads []node.StoredAdvisory
	if order == OrderNewest {
		ads, err = s.newest(r.Context(), from, end, limit)
	} else {
		ads, err = s.oldest(r.Context(), from, end, limit)
	}
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	st := s.n.State()
	out := make([]AdvisoryInfo, 0, len(ads))
	for _, ad := range ads {
		out = append(out, advisoryInfo(st, ad))
	}
	writeJSON(w, http.StatusOK, out)
}

// oldest returns, oldest first, at most limit live advisories stored at
// positions from <= pos < end.
func (s *Server) oldest(ctx context.Context, from, end uint64, limit int) ([]node.StoredAdvisory, error) {
	if from >= end {
		return nil, nil
	}
	ads, _, err := s.n.Advisories(ctx, from, limit)
	if err != nil {
		return nil, err
	}
	for i, ad := range ads {
		if ad.Pos >= end {
			return ads[:i], nil
		}
	}
	return ads, nil
}

// newest returns, newest first, at most limit live advisories stored at
// positions lo <= pos < hi.
func (s *Server) newest(ctx context.Context, lo, hi uint64, limit int) ([]node.StoredAdvisory, error) {
	ads, _, err := s.n.AdvisoriesBefore(ctx, hi, limit)
	if err != nil {
		return nil, err
	}
	for i, ad := range ads {
		if ad.Pos < lo {
			return ads[:i], nil
		}
	}
	return ads, nil
}

// cursor turns an after= value (empty, a position or an advisory ID) into
// the first stored position to read.
func (s *Server) cursor(after string) (uint64, error) {
	if after == "" {
		return 0, nil
	}
	pos, err := s.position("after", after)
	if err != nil {
		return 0, err
	}
	if pos == ^uint64(0) {
		return 0, fail(http.StatusBadRequest, CodeBadCursor, "after=%q is neither a position nor an advisory ID", after)
	}
	return pos + 1, nil
}

// bound turns a before= value (empty, a position or an advisory ID) into
// the first stored position not to read: the store's length when empty.
func (s *Server) bound(before string) (uint64, error) {
	if before == "" {
		n, err := s.n.StoredOps()
		return uint64(n), err
	}
	return s.position("before", before)
}

// position reads the cursor name=v: a stored position, or the ID of an
// advisory this node stored.
func (s *Server) position(name, v string) (uint64, error) {
	if len(v) == 2*protocol.HashSize {
		h, err := protocol.ParseHash(v)
		if err != nil {
			return 0, fail(http.StatusBadRequest, CodeBadCursor, "%s=%q is neither a position nor an advisory ID", name, v)
		}
		pos, ok, err := s.n.AdvisoryPosition(h)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fail(http.StatusNotFound, CodeNoAdvisory, "%s: no advisory %s in the log", name, h.Short())
		}
		return pos, nil
	}
	pos, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fail(http.StatusBadRequest, CodeBadCursor, "%s=%q is neither a position nor an advisory ID", name, v)
	}
	return pos, nil
}

func (s *Server) advisory(w http.ResponseWriter, r *http.Request) {
	h, err := protocol.ParseHash(r.PathValue("id"))
	if err != nil {
		s.answer(w, r, 0, nil, fail(http.StatusBadRequest, CodeBadRequest, "%q is not an advisory ID (64 hex digits)", r.PathValue("id")))
		return
	}
	ad, err := s.n.Advisory(r.Context(), h)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, advisoryInfo(s.n.State(), ad))
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	var req PublishRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	adv, err := req.advisory()
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	wait, err := publishWaitOf(r)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	var rd node.Readiness
	publish := func(ctx context.Context) (*protocol.Op, error) { return s.n.Publish(node.WithReadiness(ctx, &rd), adv) }
	if req.PlaintextRed {
		publish = func(ctx context.Context) (*protocol.Op, error) {
			return s.n.PublishPlaintextRed(node.WithReadiness(ctx, &rd), adv)
		}
	}
	op, err := s.publishingFor(r, wait, publish)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info("advisory published", "op", op.Hash().Short(), "tlp", adv.TLP,
		"synced_with", len(rd.SyncedWith), "members", rd.Members, "unreachable", rd.Unreachable)
	oi := opInfo(op)
	oi.Sync = syncInfo(s.n.State(), rd)
	writeJSON(w, http.StatusCreated, oi)
}

// advisory checks the request and builds the advisory body.
func (req *PublishRequest) advisory() (*protocol.Advisory, error) {
	tlp, err := ParseTLP(req.TLP)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(req.Title)
	switch {
	case title == "":
		return nil, fail(http.StatusBadRequest, CodeBadRequest, "an advisory needs a title")
	case len(title) > protocol.MaxShortText:
		return nil, fail(http.StatusBadRequest, CodeTooLarge, "the title is %d bytes, at most %d", len(title), protocol.MaxShortText)
	case len(req.Summary) > protocol.MaxLongText:
		return nil, fail(http.StatusBadRequest, CodeTooLarge, "the summary is %d bytes, at most %d", len(req.Summary), protocol.MaxLongText)
	case len(req.Content) > protocol.MaxContent:
		return nil, fail(http.StatusBadRequest, CodeTooLarge, "the content is %d bytes, at most %d", len(req.Content), protocol.MaxContent)
	case !utf8.ValidString(title) || !utf8.ValidString(req.Summary):
		return nil, fail(http.StatusBadRequest, CodeBadRequest, "the title and summary must be UTF-8")
	}
	adv := &protocol.Advisory{Title: title, Summary: req.Summary, TLP: tlp}
	if c := strings.TrimSpace(string(req.Content)); c != "" && c != "null" {
		adv.Content = []byte(req.Content)
	}
	return adv, nil
}

// ParseTLP reads a TLP 2.0 label, ignoring case, surrounding space and a
// "TLP:" prefix; anything else is refused (400 bad-tlp).
func ParseTLP(s string) (protocol.TLP, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "TLP:")
	tlp := protocol.TLP(t)
	if !tlp.Valid() {
		return "", fail(http.StatusBadRequest, CodeBadTLP,
			"TLP %q is not a TLP 2.0 label (CLEAR, GREEN, AMBER, AMBER+STRICT or RED)", s)
	}
	return tlp, nil
}

// publishing runs publish, an action that signs an op, once this
// organisation is in the sharing set (409 not-sharing at once otherwise),
// bounding its wait for the node to be ready: past publishWait, the
// request answers 409 not-synced (or another 409 that says why the node
// is not ready).
func (s *Server) publishing(r *http.Request, publish func(context.Context) (*protocol.Op, error)) (*protocol.Op, error) {
	return s.publishingFor(r, publishWait, publish)
}

// publishingFor is publishing with a wait of its own for the node to be
// ready; signing and sending then have publishWait.
func (s *Server) publishingFor(r *http.Request, wait time.Duration, publish func(context.Context) (*protocol.Op, error)) (*protocol.Op, error) {
	if ks := s.n.State().Key(s.n.Key()); !ks.InSharingSet() {
		return nil, fail(http.StatusConflict, CodeNotSharing, "this organisation is not in the circle's sharing set (%s)", ks)
	}
	ready, cancel := context.WithTimeout(r.Context(), wait)
	err := s.n.WaitReady(ready)
	cancel()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), publishWait)
	defer cancel()
	return publish(ctx)
}

// publishWaitOf reads a publish's wait= parameter: a duration such as
// "30s", from 0 (answer at once if the node is not ready) to
// MaxPublishWait; publishWait when absent.
func publishWaitOf(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return publishWait, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > MaxPublishWait {
		return 0, fail(http.StatusBadRequest, CodeBadRequest, "wait=%q is not a duration from 0s to %s, such as 30s", v, MaxPublishWait)
	}
	return d, nil
}
