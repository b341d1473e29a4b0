package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// healthz answers 200 while the node runs, 503 once it stopped. It needs
// no token and says nothing about the circle.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.n.Err(); err != nil {
		writeError(w, fail(http.StatusServiceUnavailable, CodeNodeStopped, "the node stopped: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st := s.n.State()
	ks := st.Key(s.n.Key())
	ops, err := s.n.StoredOps()
	var unsettled int
	if err == nil {
		unsettled, err = s.n.Unsettled(r.Context())
	}
	var fork *OwnForkInfo
	if err == nil {
		fork, err = s.ownForkInfo(r.Context(), st)
	}
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	out := Status{
		Fork:          fork,
		Key:           s.n.Key().String(),
		PeerID:        s.n.ID().String(),
		Group:         s.n.Group().String(),
		Circle:        st.Charter.Name,
		Charter:       charterInfo(st),
		Status:        ks.Status.String(),
		Suspended:     ks.Suspended,
		Sharing:       ks.InSharingSet(),
		Ops:           ops,
		Pending:       s.n.PendingOps(),
		Peers:         len(s.n.Peers()),
		Members:       st.MemberCount(),
		SharingSet:    len(st.SharingSet()),
		Unsettled:     unsettled,
		ListenAddrs:   s.n.P2PAddrs(),
		Version:       s.opts.Version,
		StartedAt:     s.started.UTC(),
		UptimeSeconds: time.Since(s.started).Seconds(),
	}
	if ks.Profile != nil {
		out.Name = ks.Profile.Name
	}
	if e, ok := s.n.Enrolment(); ok && ks.Status != trust.StatusMember {
		out.Application = applicationProgress(st, e)
	}
	cu := s.n.CatchUp()
	out.Backlog, out.BacklogKnown = cu.Backlog, cu.Known
	rd := s.n.Readiness()
	if rd.Err != nil {
		out.NotReady = strings.TrimPrefix(rd.Err.Error(), "node: ")
	}
	out.Ready = rd.Err == nil
	if out.Sharing {
		out.Sync = syncInfo(st, rd)
	}
	disk := s.n.Disk()
	out.DiskLow, out.DiskFreeBytes = disk.Low, disk.Free
	if at, ok := s.n.NextAck(); ok {
		at = at.UTC()
		out.NextAck = &at
	}
	if err := s.n.Err(); err != nil {
		out.Error = err.Error()
	}
	writeJSON(w, http.StatusOK, out)
}

// applicationProgress renders this organisation's view of its application.
func applicationProgress(st *trust.State, e node.Enrolment) *ApplicationProgress {
	ap := &ApplicationProgress{
		ID: e.Application.String(), Known: e.Known, Endorsements: len(e.Endorsers),
		Needed: e.Needed, Missing: e.Missing(), Endorsers: []Endorser{}, Next: e.Next(), Problem: e.Problem,
	}
	for _, k := range e.Endorsers {
		ap.Endorsers = append(ap.Endorsers, Endorser{Key: k.String(), Name: nameOf(st, k)})
	}
	if e.Known {
		at := e.At.UTC()
		ap.AskedAt = &at
	}
	return ap
}

// syncInfo renders the node's Readiness for the API.
func syncInfo(st *trust.State, r node.Readiness) *SyncInfo {
	si := &SyncInfo{SyncedWith: []MemberRef{}, Members: r.Members, Unreachable: r.Unreachable}
	for _, k := range r.SyncedWith {
		si.SyncedWith = append(si.SyncedWith, MemberRef{Key: k.String(), Name: nameOf(st, k)})
	}
	return si
}

func (s *Server) peers(w http.ResponseWriter, r *http.Request) {
	st := s.n.State()
	out := []Peer{}
	for _, p := range s.n.Peers() {
		pi := Peer{PeerID: p.String(), Standing: s.n.Standing(p).String(), Addrs: []string{}}
		if k, ok := node.PeerKey(p); ok {
			ks := st.Key(k)
			pi.Key, pi.Status = k.String(), ks.Status.String()
			if ks.Profile != nil {
				pi.Name = ks.Profile.Name
			}
		}
		if sc, ok := s.n.PeerScore(p); ok {
			pi.Score = &sc
		}
		for _, a := range s.n.RemoteAddrs(p) {
			pi.Addrs = append(pi.Addrs, a.String())
		}
		out = append(out, pi)
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.PeerID, b.PeerID) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	blocks, err := s.n.Blocks(r.Context())
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	st, open, err := openMotions(r.Context(), s.n)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	out := []MemberInfo{}
	for _, k := range st.Keys() {
		out = append(out, s.memberInfo(st, k, blocks, about(open, k)))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) member(w http.ResponseWriter, r *http.Request) {
	k, err := parseKey(r.PathValue("key"))
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	st, open, err := openMotions(r.Context(), s.n)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	if st.Key(k).Status == trust.StatusStranger {
		s.answer(w, r, 0, nil, fail(http.StatusNotFound, CodeUnknownMember, "the log knows no member or applicant %s", k.Short()))
		return
	}
	blocks, err := s.n.Blocks(r.Context())
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	evs, err := s.n.Explain(r.Context(), k)
	if err != nil {
		s.answer(w, r, 0, nil, err)
		return
	}
	d := MemberDetail{MemberInfo: s.memberInfo(st, k, blocks, about(open, k)), Summary: st.Key(k).String(), Events: []Event{}}
	if d.Fork != nil {
		if err := s.addHolders(r.Context(), st, k, d.Fork); err != nil {
			s.answer(w, r, 0, nil, err)
			return
		}
	}
	for _, ev := range evs {
		d.Events = append(d.Events, Event{
			Op: ev.Op.String(), Author: ev.Author.String(), AuthorName: nameOf(st, ev.Author),
			What: ev.What, Counts: ev.Counts,
		})
	}
	writeJSON(w, http.StatusOK, d)
}

// connected reports whether this node is connected to k's node.
func (s *Server) connected(k protocol.Key) bool {
	p, err := node.PeerID(k)
	return err == nil && s.n.Connected(p)
}
