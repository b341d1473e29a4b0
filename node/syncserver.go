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

// serveSync answers one sync stream. Every request is checked against the
// admission snapshot in force when it arrives: a peer refused mid-stream
// gets nothing more. Members get everything; an endorsed applicant gets
// its own application's progress, and once it has the endorsements the
// charter requires, membership ops, and may push its own Admit enactment.
func (n *Node) serveSync(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("sync handler panic", "peer", n.peerName(p), "panic", fmt.Sprint(r))
			s.Reset()
		}
	}()
	r := bufio.NewReader(s)
	for range maxRequestsPerStream {
		limit := protocol.MaxSyncFrame
		switch n.gater.standing(p) {
		case Sharing:
		case Endorsed:
			limit = maxApplicantFrame
		default:
			s.Reset() // refused since the stream opened: read nothing more
			return
		}
		if err := s.SetDeadline(time.Now().Add(n.cfg.StreamTimeout)); err != nil {
			s.Reset()
			return
		}
		var req protocol.SyncRequest
		if err := protocol.ReadSync(r, &req, limit); err != nil {
			if !errors.Is(err, io.EOF) {
				n.log.Debug("sync request", "peer", n.peerName(p), "err", err)
				s.Reset()
			}
			return
		}
		ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
		resp := n.answer(ctx, p, &req)
		cancel()
		if err := protocol.WriteSync(s, resp); err != nil {
			s.Reset()
			return
		}
	}
}

// answer serves one request.
func (n *Node) answer(ctx context.Context, p peer.ID, req *protocol.SyncRequest) *protocol.SyncResponse {
	refuse := func(reason Reason) *protocol.SyncResponse { return &protocol.SyncResponse{Refused: reason.String()} }
	if req.Group != n.group {
		return refuse(ReasonWrongGroup)
	}
	if len(req.Want) > protocol.MaxSyncOps || len(req.Ops) > protocol.MaxSyncOps {
		return refuse(ReasonTooMany)
	}
	s := n.gater.standing(p)
	switch {
	case s == Sharing:
	case s == Endorsed && req.Kind == protocol.SyncAdmission:
	case s == Endorsed && (req.Kind == protocol.SyncGet || req.Kind == protocol.SyncPush) && n.endorsedEnough(p):
	default:
		return refuse(ReasonNotMember)
	}
	var resp *protocol.SyncResponse
	var err error
	switch req.Kind {
	case protocol.SyncTips:
		resp, err = n.serveTips()
	case protocol.SyncRange:
		resp, err = n.serveRange(req.Author, req.From)
	case protocol.SyncGet:
		resp, err = n.serveGet(ctx, req.Want, s == Sharing)
	case protocol.SyncPush:
		resp = n.servePush(ctx, p, s, req.Ops)
	case protocol.SyncAdmission:
		if k, ok := n.gater.keyOf(p); s != Sharing && (!ok || req.Application == nil || req.Application.Member.Key != k) {
			return refuse(ReasonNotOwnApplication)
		}
		resp, err = n.serveAdmission(ctx, req.Application)
	case protocol.SyncAddrs:
		resp = n.serveAddrs()
	default:
		return refuse(ReasonUnknownKind)
	}
	if err != nil {
		n.log.Warn("sync answer", "peer", n.peerName(p), "kind", req.Kind, "err", err)
		return refuse(ReasonInternal)
	}
	return resp
}

func (n *Node) serveTips() (*protocol.SyncResponse, error) {
	tips, err := n.store.Tips()
	if err != nil {
		return nil, err
	}
	heads, err := n.store.Heads()
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
func (n *Node) serveRange(author protocol.Key, from uint64) (*protocol.SyncResponse, error) {
	ops, more, err := n.store.Chain(author, from, store.ChainLimits{Ops: protocol.MaxSyncOps, Bytes: protocol.MaxSyncBytes})
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
func (n *Node) serveGet(ctx context.Context, want []protocol.Hash, all bool) (*protocol.SyncResponse, error) {
	resp := &protocol.SyncResponse{}
	size := 0
	waited := false
	for _, h := range want {
		op, err := n.store.Get(h)
		if errors.Is(err, trust.ErrNotFound) && !waited {
			waited = true
			if err := n.do(ctx, func(*loop) {}); err != nil {
				return nil, err
			}
			op, err = n.store.Get(h)
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
func (n *Node) servePush(ctx context.Context, p peer.ID, s Standing, raw [][]byte) *protocol.SyncResponse {
	var ops []*protocol.Op
	for _, b := range raw {
		op, err := n.opener.open(b)
		if errors.Is(err, errOpenerStopped) {
			return &protocol.SyncResponse{Refused: ReasonInternal.String()}
		}
		if err != nil {
			n.verdicts.add(openVerdict(err))
			return &protocol.SyncResponse{Refused: openReason(err).String()}
		}
		if s != Sharing && !ownAdmit(op, p) {
			return &protocol.SyncResponse{Refused: ReasonNotMember.String()}
		}
		if n.deferredForDisk(op) {
			return &protocol.SyncResponse{Refused: ReasonDiskLow.String()}
		}
		if n.paced(p, op) {
			return &protocol.SyncResponse{Refused: ReasonPaced.String()}
		}
		ops = append(ops, op)
	}
	// Only members may make this node keep ops waiting for preds; an
	// applicant's enactment must cite what this node holds.
	vs, err := n.submitParking(ctx, ops, p, s == Sharing)
	if err != nil {
		return &protocol.SyncResponse{Refused: ReasonInternal.String()}
	}
	resp := &protocol.SyncResponse{}
	for _, v := range vs {
		if v.Reason == ReasonMissingPreds {
			n.fetchAs(p, pushedFetch) // e.g. a decision pushed to a cut-off node, whose votes cite ops it never saw
			break
		}
	}
	for i, v := range vs {
		if v.Reason == ReasonAccepted {
			resp.Accepted++
			if len(ops[i].Bytes()) > MaxGossipOp {
				continue // the author's node pushes it to each member; sync does the rest
			}
			if err := n.topic.Publish(ctx, ops[i].Bytes()); err != nil {
				n.log.Debug("gossiping a pushed op", "op", ops[i], "err", err)
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
func (n *Node) serveAdmission(ctx context.Context, app *protocol.Application) (*protocol.SyncResponse, error) {
	if app == nil {
		return &protocol.SyncResponse{Refused: ReasonNoApplication.String()}, nil
	}
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	resp := &protocol.SyncResponse{}
	short := false
	err := n.do(ctx, func(l *loop) {
		st := l.eng.State()
		t, ok := st.Tally(m.Hash())
		resp.Votes = t.Votes // one per endorser
		if !ok || len(t.Voters) < st.Thresholds().Admit {
			resp.Refused = ReasonTooFewEndorsements.String()
			short = true
			return
		}
		resp.Heads = l.eng.Heads()
		resp.Epoch = l.eng.Epoch()
	})
	if err != nil || !short {
		return resp, err
	}
	// Short of endorsements, the applicant may fetch nothing: the votes
	// themselves come with the answer, so that it can check who
	// endorsed it.
	// Votes carry the application: a batch cut at the sync bound shows
	// fewer endorsements, never a frame too large.
	size := 0
	for i, h := range resp.Votes {
		op, err := n.store.Get(h)
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
func (n *Node) endorsedEnough(p peer.ID) bool {
	k, ok := n.gater.keyOf(p)
	return ok && n.State().Key(k).Missing() == 0
}

// serveAddrs lists where members listen: for each member of the sharing
// set whose signed peer record this node holds (its own included), the
// record as the member signed it, with its addresses beside it. It vouches
// for no address itself.
func (n *Node) serveAddrs() *protocol.SyncResponse {
	resp := &protocol.SyncResponse{}
	for _, k := range n.State().SharingSet() {
		if len(resp.Addrs) == protocol.MaxSyncAddrs {
			break
		}
		p, err := PeerID(k)
		if err != nil {
			continue
		}
		env := n.signedRecord(p)
		if env == nil {
			continue
		}
		raw, err := env.Marshal()
		if err != nil {
			continue
		}
		addrs, err := openAddrRecord(k, raw)
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
