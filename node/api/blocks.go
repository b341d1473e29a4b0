package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// CodeAuthorBlocked (404) answers GET /v1/advisories/{id} for an advisory
// whose author this node blocks: it stays in the log, hidden here until
// the block is lifted.
const CodeAuthorBlocked = "author-blocked"

// BlockScope is the sentence a block's answer carries (BlockInfo.Note):
// what a local block does, and what it does not.
const BlockScope = "Only this node refuses it: it is disconnected and refused here, and its advisories are hidden " +
	"from this node's API, CLI and feeds (they stay in the log and show again on unblock). " +
	"Members who do not block it still relay the circle's advisories to it, this node's own included; " +
	"to stop that, the circle must suspend it (kring suspend)."

func (s *Server) blocks(w http.ResponseWriter, r *http.Request) {
	bs, err := s.n.Blocks(r.Context())
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	st := s.n.State()
	out := make([]BlockInfo, 0, len(bs))
	for k, b := range bs {
		out = append(out, blockInfo(st, k, b.Reason, b.Since))
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
	s.log.Warn("blocked locally", "party", s.n.KeyName(k), "reason", req.Reason)
	bs, err := s.n.Blocks(r.Context())
	b := bs[k]
	s.answer(w, r, http.StatusOK, blockInfo(s.n.State(), k, b.Reason, b.Since), err)
}

// blockInfo describes the block of k, with what a block does.
func blockInfo(st *trust.State, k protocol.Key, reason string, since time.Time) BlockInfo {
	return BlockInfo{Key: k.String(), Name: nameOf(st, k), Reason: reason, Since: since.UTC(), Note: BlockScope}
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
		s.answer(w, r, 0, nil, fail(http.StatusNotFound, CodeNotBlocked, "this node does not block %s", s.n.Label(k)))
		return
	}
	if err := s.n.Unblock(r.Context(), k); err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	s.log.Info("unblocked locally", "party", s.n.KeyName(k))
	w.WriteHeader(http.StatusNoContent)
}
