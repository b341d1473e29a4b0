package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

func (s *Server) blocks(w http.ResponseWriter, r *http.Request) {
	bs, err := s.n.Blocks(r.Context())
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	st := s.n.State()
	out := make([]BlockInfo, 0, len(bs))
	for k, b := range bs {
		out = append(out, BlockInfo{Key: k.String(), Name: nameOf(st, k), Reason: b.Reason, Since: b.Since.UTC()})
	}
	slices.SortFunc(out, func(a, b BlockInfo) int { return strings.Compare(a.Key, b.Key) })
	writeJSON(w, http.StatusOK, out)
}

// block blocks a key on this node alone. Any key may be blocked, one the
// log does not know yet included; blocking it again replaces the reason.
func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	var req BlockRequest
	if err := decode(w, r, &req); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	k, err := parseKey(req.Key)
	switch {
	case err != nil:
	case k == s.n.Key():
		err = fail(http.StatusBadRequest, CodeSelf, "a node cannot block its own organisation")
	case len(req.Reason) > protocol.MaxLongText:
		err = fail(http.StatusBadRequest, CodeTooLarge, "the reason is %d bytes, at most %d", len(req.Reason), protocol.MaxLongText)
	default:
		err = s.n.Block(r.Context(), k, req.Reason)
	}
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Warn("blocked locally", "key", k.Short(), "reason", req.Reason)
	bs, err := s.n.Blocks(r.Context())
	b := bs[k]
	s.answer(w, r, http.StatusOK, BlockInfo{Key: k.String(), Name: nameOf(s.n.State(), k), Reason: b.Reason, Since: b.Since.UTC()}, err)
}

func (s *Server) unblock(w http.ResponseWriter, r *http.Request) {
	k, err := parseKey(r.PathValue("key"))
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	bs, err := s.n.Blocks(r.Context())
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	if _, ok := bs[k]; !ok {
		s.answer(w, r, 0, nil, fail(http.StatusNotFound, CodeNotBlocked, "this node does not block %s", k.Short()))
		return
	}
	if err := s.n.Unblock(r.Context(), k); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info("unblocked locally", "key", k.Short())
	w.WriteHeader(http.StatusNoContent)
}
