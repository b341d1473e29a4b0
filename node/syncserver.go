package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// maxRequestsPerStream bounds how long one sync stream may be used.
const maxRequestsPerStream = 1024

// maxApplicantFrame bounds a request from an endorsed applicant: room for
// its application or its one enactment.
const maxApplicantFrame = protocol.MaxOpSize + 64<<10

// serve answers one sync stream. Every request is checked against the
// admission snapshot in force when it arrives: a peer refused mid-stream
// gets nothing more. Members get everything; an endorsed applicant gets
// its own application's progress, and once it has the endorsements the
// charter requires, membership ops, and may push its own Admit enactment.
func (s *syncer) serve(st network.Stream) {
	defer st.Close()
	p := st.Conn().RemotePeer()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("sync handler panic", "peer", s.node.PeerName(p), "panic", fmt.Sprint(r))
			st.Reset()
		}
	}()
	r := bufio.NewReader(st)
	for range maxRequestsPerStream {
		limit := protocol.MaxSyncFrame
		switch s.gate.standing(p) {
		case Sharing:
		case Endorsed:
			limit = maxApplicantFrame
		default:
			st.Reset() // refused since the stream opened: read nothing more
			return
		}
		if err := st.SetDeadline(time.Now().Add(s.cfg.StreamTimeout)); err != nil {
			st.Reset()
			return
		}
		var req protocol.SyncRequest
		if err := protocol.ReadSync(r, &req, limit); err != nil {
			if !errors.Is(err, io.EOF) {
				s.log.Debug("sync request", "peer", s.node.PeerName(p), "err", err)
				st.Reset()
			}
			return
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.StreamTimeout)
		resp := s.answer(ctx, p, &req)
		cancel()
		if err := protocol.WriteSync(st, resp); err != nil {
			st.Reset()
			return
		}
	}
}

// answer serves one request.
func (s *syncer) answer(ctx context.Context, p peer.ID, req *protocol.SyncRequest) *protocol.SyncResponse {
	refuse := func(reason Reason) *protocol.SyncResponse { return &protocol.SyncResponse{Refused: reason.String()} }
	if req.Group != s.group {
		return refuse(ReasonWrongGroup)
	}
	if len(req.Want) > protocol.MaxSyncOps || len(req.Ops) > protocol.MaxSyncOps {
		return refuse(ReasonTooMany)
	}
	std := s.gate.standing(p)
	switch {
	case std == Sharing:
	case std == Endorsed && req.Kind == protocol.SyncAdmission:
	case std == Endorsed && (req.Kind == protocol.SyncGet || req.Kind == protocol.SyncPush) && s.endorsedEnough(p):
	default:
		return refuse(ReasonNotMember)
	}
	var resp *protocol.SyncResponse
	var err error
	switch req.Kind {
	case protocol.SyncTips:
		resp, err = s.serveTips()
	case protocol.SyncRange:
		resp, err = s.serveRange(req.Author, req.From)
	case protocol.SyncGet:
		resp, err = s.serveGet(ctx, req.Want, std == Sharing)
	case protocol.SyncPush:
		resp = s.servePush(ctx, p, std, req.Ops)
	case protocol.SyncAdmission:
		if k, ok := s.gate.keyOf(p); std != Sharing && (!ok || req.Application == nil || req.Application.Member.Key != k) {
			return refuse(ReasonNotOwnApplication)
		}
		resp, err = s.serveAdmission(ctx, req.Application)
	case protocol.SyncAddrs:
		resp = s.serveAddrs()
	default:
		return refuse(ReasonUnknownKind)
	}
	if err != nil {
		s.log.Warn("sync answer", "peer", s.node.PeerName(p), "kind", req.Kind, "err", err)
		return refuse(ReasonInternal)
	}
	return resp
}

func (s *syncer) serveTips() (*protocol.SyncResponse, error) {
	tips, err := s.store.Tips()
	if err != nil {
		return nil, err
	}
	heads, err := s.store.Heads()
	if err != nil {
		return nil, err
	}
	resp := &protocol.SyncResponse{Heads: heads}
	if len(heads) > protocol.MaxSyncOps {
		resp.Heads = heads[:protocol.MaxSyncOps]
	}
	for k, t := range tips {
		if len(resp.Tips) == protocol.MaxSyncTips {
			break
		}
		resp.Tips = append(resp.Tips, protocol.SyncTip{Author: k, Seq: t.Seq, Hashes: t.Hashes})
	}
	sortTips(resp.Tips)
	return resp, nil
}

// serveRange returns author's ops from seq from on, a bounded batch. It
// cuts between seqs when it can, so that the ops of a fork at one seq
// travel together; a seq that alone exceeds the bounds (many forks of
// large ops) is cut inside, and the client fetches the rest as heads or
// missing preds.
func (s *syncer) serveRange(author protocol.Key, from uint64) (*protocol.SyncResponse, error) {
	ops, more, err := s.store.Chain(author, from, store.ChainLimits{Ops: protocol.MaxSyncOps, Bytes: protocol.MaxSyncBytes})
	if err != nil {
		return nil, err
	}
	return &protocol.SyncResponse{Ops: ops, More: more}, nil
}

// serveGet returns the wanted ops this node holds; only membership ops
// unless the peer is in the sharing set. The node forwards an op by
// gossip once its loop has applied it, before the commit; a peer that got
// the op before its preds asks for them at once. So at the first wanted
// op not in the store, serveGet lets the loop finish its commit and looks
// again.
func (s *syncer) serveGet(ctx context.Context, want []protocol.Hash, all bool) (*protocol.SyncResponse, error) {
	resp := &protocol.SyncResponse{}
	size := 0
	waited := false
	for _, h := range want {
		op, err := s.store.Get(h)
		if errors.Is(err, trust.ErrNotFound) && !waited {
			waited = true
			if err := s.node.settle(ctx); err != nil {
				return nil, err
			}
			op, err = s.store.Get(h)
		}
		if errors.Is(err, trust.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !all && !op.Kind.IsMembership() {
			continue
		}
		if len(resp.Ops) == protocol.MaxSyncOps || (size > 0 && size+len(op.Bytes()) > protocol.MaxSyncBytes) {
			resp.More = true
			break
		}
		resp.Ops = append(resp.Ops, op.Bytes())
		size += len(op.Bytes())
	}
	return resp, nil
}

// servePush judges ops a peer hands over and gossips those accepted. An
// endorsed applicant may push only its own Admit enactment.
func (s *syncer) servePush(ctx context.Context, p peer.ID, std Standing, raw [][]byte) *protocol.SyncResponse {
	var ops []*protocol.Op
	for _, b := range raw {
		op, err := s.opener.open(b)
		if errors.Is(err, errOpenerStopped) {
			return &protocol.SyncResponse{Refused: ReasonInternal.String()}
		}
		if err != nil {
			s.verdicts.add(openVerdict(err))
			return &protocol.SyncResponse{Refused: openReason(err).String()}
		}
		if std != Sharing && !ownAdmit(op, p) {
			return &protocol.SyncResponse{Refused: ReasonNotMember.String()}
		}
		if s.node.deferredForDisk(op) {
			return &protocol.SyncResponse{Refused: ReasonDiskLow.String()}
		}
		if s.node.paced(p, op) {
			return &protocol.SyncResponse{Refused: ReasonPaced.String()}
		}
		ops = append(ops, op)
	}
	// Only members may make this node keep ops waiting for preds; an
	// applicant's enactment must cite what this node holds.
	vs, err := s.node.submitParking(ctx, ops, p, std == Sharing)
	if err != nil {
		return &protocol.SyncResponse{Refused: ReasonInternal.String()}
	}
	resp := &protocol.SyncResponse{}
	for _, v := range vs {
		if v.Reason == ReasonMissingPreds {
			s.fetchAs(p, pushedFetch) // e.g. a decision pushed to a cut-off node, whose votes cite ops it never saw
			break
		}
	}
	for i, v := range vs {
		if v.Reason == ReasonAccepted {
			resp.Accepted++
			if len(ops[i].Bytes()) > MaxGossipOp {
				continue // the author's node pushes it to each member; sync does the rest
			}
			if err := s.node.gossip(ctx, ops[i].Bytes()); err != nil {
				s.log.Debug("gossiping a pushed op", "op", ops[i], "err", err)
			}
		} else if resp.Refused == "" {
			resp.Refused = v.Reason.String()
		}
	}
	return resp
}

// ownAdmit reports whether op is peer p's enactment of its own admission.
func ownAdmit(op *protocol.Op, p peer.ID) bool {
	k, ok := PeerKey(p)
	if !ok || op.Author != k {
		return false
	}
	e, ok := op.Content().(*protocol.Enact)
	return ok && e.Motion.Kind == protocol.MotionAdmit && e.Motion.Application != nil && e.Motion.Application.Member.Key == k
}

// serveAdmission tells an endorsed applicant its application's progress,
// the counting endorsements (one per endorser), and, once they are as
// many as the charter requires (with the floors the judge applies), what
// its Admit enactment should cite: those endorsements, this node's heads
// and the charter in force. Short of that it answers
// too-few-endorsements, with the endorsements so far, their ops included
// (an applicant short of endorsements may fetch nothing).
func (s *syncer) serveAdmission(ctx context.Context, app *protocol.Application) (*protocol.SyncResponse, error) {
	if app == nil {
		return &protocol.SyncResponse{Refused: ReasonNoApplication.String()}, nil
	}
	t, err := s.node.admissionOf(ctx, protocol.Motion{Kind: protocol.MotionAdmit, Application: app})
	if err != nil {
		return &protocol.SyncResponse{}, err
	}
	resp := &protocol.SyncResponse{Votes: t.votes} // one per endorser
	if t.enough {
		resp.Heads, resp.Epoch = t.heads, t.epoch
		return resp, nil
	}
	resp.Refused = ReasonTooFewEndorsements.String()
	// Short of endorsements, the applicant may fetch nothing: the votes
	// themselves come with the answer, so that it can check who
	// endorsed it.
	// Votes carry the application: a batch cut at the sync bound shows
	// fewer endorsements, never a frame too large.
	size := 0
	for i, h := range resp.Votes {
		op, err := s.store.Get(h)
		if err != nil {
			return nil, err
		}
		if size += len(op.Bytes()); size > protocol.MaxSyncBytes {
			resp.Votes = resp.Votes[:i]
			break
		}
		resp.Ops = append(resp.Ops, op.Bytes())
	}
	return resp, nil
}

// endorsedEnough reports whether peer p is an applicant whose application
// has the endorsements the charter requires: only then may it push (its
// Admit enactment).
func (s *syncer) endorsedEnough(p peer.ID) bool {
	k, ok := s.gate.keyOf(p)
	return ok && s.node.State().Key(k).Missing() == 0
}

// serveAddrs lists where members listen: for each member of the sharing
// set whose signed peer record this node holds (its own included), the
// record as the member signed it, with its addresses beside it. It vouches
// for no address itself.
func (s *syncer) serveAddrs() *protocol.SyncResponse {
	resp := &protocol.SyncResponse{}
	for _, k := range s.node.State().SharingSet() {
		if len(resp.Addrs) == protocol.MaxSyncAddrs {
			break
		}
		p, err := PeerID(k)
		if err != nil {
			continue
		}
		env := s.node.signedRecord(p)
		if env == nil {
			continue
		}
		raw, err := env.Marshal()
		if err != nil {
			continue
		}
		addrs, err := heldRecordAddrs(k, env)
		if err != nil || len(addrs) == 0 {
			continue
		}
		sa := protocol.SyncAddr{Key: k, Record: raw}
		for _, a := range addrs[:min(len(addrs), maxMemberAddrs)] {
			sa.Addrs = append(sa.Addrs, a.Bytes())
		}
		resp.Addrs = append(resp.Addrs, sa)
	}
	return resp
}
