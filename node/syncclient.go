package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// ErrRefused reports a sync request the other node refused; the message
// names its reason.
var ErrRefused = errors.New("node: sync refused")

// maxGetRounds bounds how many rounds of fetching missing preds one sync
// makes; a log deeper than this is finished by the next sync.
const maxGetRounds = 64

// syncConn is the client side of one sync stream.
type syncConn struct {
	s       network.Stream
	r       *bufio.Reader
	group   protocol.Hash
	timeout time.Duration
}

// open opens a sync stream to peer p.
func (s *syncer) open(ctx context.Context, p peer.ID) (*syncConn, error) {
	st, err := s.host.NewStream(ctx, p, protocol.SyncProtocol)
	if err != nil {
		return nil, fmt.Errorf("node: sync stream to %s: %w", p, err)
	}
	return &syncConn{s: st, r: bufio.NewReader(st), group: s.group, timeout: s.cfg.StreamTimeout}, nil
}

// call sends one request and reads its response; a refusal is an error
// wrapping ErrRefused.
func (c *syncConn) call(req *protocol.SyncRequest) (*protocol.SyncResponse, error) {
	if err := c.send(req); err != nil {
		return nil, err
	}
	return c.recv(req.Kind)
}

// callRaw sends one request and reads its response, refusal included.
func (c *syncConn) callRaw(req *protocol.SyncRequest) (*protocol.SyncResponse, error) {
	if err := c.send(req); err != nil {
		return nil, err
	}
	return c.recvRaw(req.Kind)
}

// send writes one request; its response is read by recv. The stream's
// deadline covers the whole exchange.
func (c *syncConn) send(req *protocol.SyncRequest) error {
	req.Group = c.group
	if err := c.s.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	if err := protocol.WriteSync(c.s, req); err != nil {
		return fmt.Errorf("node: sync %s: %w", req.Kind, err)
	}
	return nil
}

// recv reads the response to the request of kind k sent last; a refusal
// is an error wrapping ErrRefused.
func (c *syncConn) recv(k protocol.SyncKind) (*protocol.SyncResponse, error) {
	resp, err := c.recvRaw(k)
	if err != nil {
		return nil, err
	}
	if resp.Refused != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrRefused, k, resp.Refused)
	}
	return resp, nil
}

func (c *syncConn) recvRaw(k protocol.SyncKind) (*protocol.SyncResponse, error) {
	var resp protocol.SyncResponse
	if err := protocol.ReadSync(c.r, &resp, protocol.MaxSyncFrame); err != nil {
		return nil, fmt.Errorf("node: sync %s: %w", k, err)
	}
	return &resp, nil
}

func (c *syncConn) close() { c.s.Close() }

// syncWith is Node.SyncWith.
func (s *syncer) syncWith(ctx context.Context, p peer.ID) error {
	ctx = withForwarder(ctx, p) // p's ops count against p's pending quota
	c, err := s.open(ctx, p)
	if err != nil {
		return err
	}
	defer c.close()
	tips, err := c.call(&protocol.SyncRequest{Kind: protocol.SyncTips})
	if err != nil {
		return err
	}
	bl := s.backlog()
	stored, err := s.store.Len()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	bl.see(p, tips.Tips, stored)
	s.noteOwnTip(p, tips.Tips)
	// Authors another sync is pulling now wait until the others are done.
	var busy []protocol.SyncTip
	var want []protocol.Hash
	for _, t := range tips.Tips {
		release := s.pulls.try(t.Author)
		if release == nil {
			busy = append(busy, t)
			continue
		}
		tipped, err := s.pullAuthor(ctx, c, p, t)
		release()
		if err != nil {
			return err
		}
		want = append(want, t.Hashes[:tipped]...)
	}
	for _, t := range busy {
		release, err := s.pulls.wait(ctx, t.Author)
		if err != nil {
			return err
		}
		tipped, err := s.pullAuthor(ctx, c, p, t)
		release()
		if err != nil {
			return err
		}
		want = append(want, t.Hashes[:tipped]...)
	}
	want = append(want, untipped(tips.Heads, tips.Tips)...)
	if err := s.pullWanted(ctx, c, p, want); err != nil {
		return err
	}
	stored, _ = s.store.Len()
	bl.done(p, stored)
	s.syncDone(p)
	s.learnPeerAddrs(c)
	if s.gate.standing(p) == Sharing {
		s.node.saveAddrs(p)
		s.syncedMember(p)
	}
	return nil
}

// pullAuthor pulls what this node lacks of the range tip t shows, while
// this sync holds t.Author's turn. One author's range failing (e.g. a
// forged op in it) must not keep this node from the others' ops: what is
// missing is fetched by hash afterwards. Only a cancelled context or a
// reset stream end the sync. It returns how many of the tip's hashes
// (twins after a fork) the sync may fetch: none if the author's pace held
// part of the range back, no more than the pace holds if it is paced
// (syncPace), every one otherwise.
func (s *syncer) pullAuthor(ctx context.Context, c *syncConn, p peer.ID, t protocol.SyncTip) (int, error) {
	mine, err := s.store.Tips()
	if err != nil {
		return 0, fmt.Errorf("node: %w", err)
	}
	have := mine[t.Author]
	to, paced := s.node.syncPace(t.Author, have.Seq, t.Seq)
	if to > have.Seq {
		if err := s.pullRange(ctx, c, t.Author, have.Seq+1, to, paced); err != nil {
			s.log.Debug("sync range", "peer", s.node.PeerName(p), "author", s.node.KeyName(t.Author), "err", err)
			if ctx.Err() != nil || errors.Is(err, network.ErrReset) {
				return 0, err
			}
		}
	}
	switch {
	case to < t.Seq:
		return 0, nil
	case paced || (have.Seq == t.Seq && len(t.Hashes) > 1):
		return s.node.twinBudget(t.Author, len(t.Hashes)), nil
	}
	return len(t.Hashes), nil
}

// untipped returns the heads that are no author's tip. The others are
// wanted already (wantTip), or their author's pace held them back.
func untipped(heads []protocol.Hash, tips []protocol.SyncTip) []protocol.Hash {
	tipOf := map[protocol.Hash]bool{}
	for _, t := range tips {
		for _, h := range t.Hashes {
			tipOf[h] = true
		}
	}
	var out []protocol.Hash
	for _, h := range heads {
		if !tipOf[h] {
			out = append(out, h)
		}
	}
	return out
}

// pullRange pulls author's ops from seq from to seq to, in batches. Four
// stages overlap: the other node reads and sends the next answer while
// this node opens (decodes and verifies) the answers it received, one on
// each core, each answer's signatures checked in one batch; and while its
// loop judges and commits the ops opened before (the commit mostly waits
// on the disk). The next answer is asked for as soon as one arrives, from
// the seq its last op claims; an answer asked for from a claim its
// verified batch does not bear out is dropped, and the range goes on from
// the seq the verified ops reach. One submission at a time is in the
// loop, so batches are applied in order and a slow disk holds the sync
// back instead of piling verified ops up in memory.
//
// If paced is set, the author's ops above to are left for a later sync
// and every op taken is charged to its author's pace; a paced range asks
// for the next answer only once it knows its budget, one at a time.
func (s *syncer) pullRange(ctx context.Context, c *syncConn, author protocol.Key, from, to uint64, paced bool) (err error) {
	var committing chan error // the batch in the loop, if any
	settle := func() error {
		if committing == nil {
			return nil
		}
		err := <-committing
		committing = nil
		return err
	}
	// gathered are verified ops not yet handed to the loop: while the
	// loop still commits one submission, the batches opened meanwhile
	// wait here, up to maxGathered ops, and go to the loop together, in
	// one commit (one write to the disk) instead of one each.
	var gathered []*protocol.Op
	asked := false       // a request is out whose answer is unread
	var askedFrom uint64 // the seq it asks from
	ask := func(seq uint64) error {
		if err := c.send(&protocol.SyncRequest{Kind: protocol.SyncRange, Author: author, From: seq}); err != nil {
			return err
		}
		asked, askedFrom = true, seq
		return nil
	}
	// opening are the answers received and handed to the opener, in the
	// order asked; at most one per core.
	var opening []rangeAnswer
	depth := runtime.GOMAXPROCS(0)
	defer func() {
		// No batch outlives the pull: the caller releases the author's
		// turn. Answers still opening are dropped.
		if serr := settle(); err == nil {
			err = serr
		}
		if len(gathered) > 0 && ctx.Err() == nil {
			// Verified ops are kept even when a later batch fails.
			if serr := s.submitBatch(ctx, gathered); err == nil {
				err = serr
			}
		}
		if asked && err != nil {
			// Read the answer, so that the stream stays usable for the
			// other authors.
			c.recvRaw(protocol.SyncRange)
		}
	}()
	if err := ask(from); err != nil {
		return err
	}
	left := to - from + 1 // a paced range's budget: twins count too
	for {
		for asked && len(opening) < depth {
			resp, err := c.recv(protocol.SyncRange)
			asked = false
			if err != nil {
				return err
			}
			a := rangeAnswer{from: askedFrom, more: resp.More}
			// Ask for the next answer before opening this one, so that
			// the other node reads and sends it meanwhile.
			if !paced && resp.More {
				if guess := claimedNext(resp.Ops, author, a.from); guess != a.from && guess <= to {
					if err := ask(guess); err != nil {
						return err
					}
				}
			}
			a.job = s.opener.start(resp.Ops)
			opening = append(opening, a)
		}
		if len(opening) == 0 {
			return nil
		}
		a := opening[0]
		opening = opening[1:]
		ops, err := s.opened(a.job.result())
		if err != nil {
			return err
		}
		if paced {
			ops = s.chargeBatch(author, to, &left, ops)
		}
		next := a.from
		for _, op := range ops {
			if op.Author == author {
				next = max(next, op.Seq+1)
			}
		}
		more := a.more && next != a.from && next <= to
		// The answer that follows this one was asked for from a claim.
		followed, follows := true, askedFrom
		switch {
		case len(opening) > 0:
			follows = opening[0].from
		case !asked:
			followed = false
		}
		if followed && (!more || follows != next) {
			// The claim was wrong: what was asked for from it is
			// dropped, the answer in flight read and dropped.
			opening = nil
			if asked {
				asked = false
				if _, err := c.recv(protocol.SyncRange); err != nil {
					return err
				}
			}
			followed = false
		}
		if more && !followed {
			if err := ask(next); err != nil {
				return err
			}
		}
		gathered = append(gathered, ops...)
		busy := committing != nil && len(committing) == 0 // the loop has not answered yet
		if more && busy && len(gathered) < maxGathered {
			continue
		}
		if err := settle(); err != nil {
			return err
		}
		batch := gathered
		gathered = nil
		committing = make(chan error, 1)
		go func() { committing <- s.submitBatch(ctx, batch) }()
		if !more {
			return nil
		}
	}
}

// rangeAnswer is an answer of a range pull being opened: the seq it was
// asked from, whether the other node has more, and the opener's job.
type rangeAnswer struct {
	from uint64
	more bool
	job  *openJob
}

// maxGathered bounds the verified ops of one range pull that wait for the
// loop while it commits the submission before (pullRange).
const maxGathered = 4 * protocol.MaxSyncOps

// claimedNext returns the seq after the one the last of raw, a range
// batch of author's ops, claims, or from if it claims none (it does not
// decode, or is another author's). Nothing is verified: pullRange asks
// for the next batch from it early and checks it against the verified
// batch.
func claimedNext(raw [][]byte, author protocol.Key, from uint64) uint64 {
	if len(raw) == 0 {
		return from
	}
	op, err := protocol.Decode(raw[len(raw)-1])
	if err != nil || op.Author != author || op.Seq < from {
		return from
	}
	return op.Seq + 1
}

// pullWanted fetches the wanted ops this node lacks, then the preds they
// and the pending ops miss, round after round. A hash is asked once: the
// other node returned it (it is stored or waits for its own preds, which
// the next round asks for), or it does not have it. Only hashes left out
// for size are asked again.
func (s *syncer) pullWanted(ctx context.Context, c *syncConn, p peer.ID, want []protocol.Hash) error {
	asked := map[protocol.Hash]bool{}
	for range maxGetRounds {
		if err := s.pullChains(ctx, c, p); err != nil {
			return err
		}
		want = s.unknown(want, asked)
		if len(want) == 0 {
			pend, err := s.node.wanted(ctx, p)
			if err != nil {
				return err
			}
			if want = s.unknown(pend, asked); len(want) == 0 {
				return nil
			}
		}
		ask := want[:min(len(want), protocol.MaxSyncOps)]
		resp, err := c.call(&protocol.SyncRequest{Kind: protocol.SyncGet, Want: ask})
		if err != nil {
			return err
		}
		ops, err := s.openBatch(resp.Ops)
		if err != nil {
			return err
		}
		s.node.chargePace(ops) // before they are stored: a fetch is paid for
		if err := s.submitBatch(ctx, ops); err != nil {
			return err
		}
		got := map[protocol.Hash]bool{}
		for _, op := range ops {
			got[op.Hash()] = true
		}
		var denied map[protocol.Hash]bool
		for _, h := range ask {
			if got[h] || !resp.More {
				asked[h] = true
			}
			if !got[h] && !resp.More {
				if denied == nil {
					denied = map[protocol.Hash]bool{}
				}
				denied[h] = true
			}
		}
		// What p forwarded and cannot serve costs it now, round by round:
		// under a flood of orphans the rounds would run on for as long as
		// new ones come.
		s.node.unserved(ctx, p, denied)
		if len(ops) == 0 && len(want) <= len(ask) {
			return nil // p has none of what this node misses of it
		}
	}
	return nil
}

// pullChains pulls by range the gaps in authors' chains that parked ops
// wait for: an op whose Prev is missing waits for its author's ops from
// this node's tip up to its own seq - 1. A range brings them a batch at a
// time, where fetching them by hash would cost a round trip each: under a
// flood, a node that gossip's pace left a few hundred ops behind on one
// member would otherwise take seconds to take an honest advisory citing
// that member's latest op. The range is cut at the gap and charged to the
// author's pace (pullRange, paced), never refused: others cite it.
func (s *syncer) pullChains(ctx context.Context, c *syncConn, p peer.ID) error {
	gaps, err := s.node.parkedGaps(ctx, p)
	if err != nil {
		return err
	}
	if len(gaps) == 0 {
		return nil
	}
	mine, err := s.store.Tips()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	for author, to := range gaps {
		have := mine[author].Seq
		if to <= have {
			continue
		}
		release := s.pulls.try(author)
		if release == nil {
			continue // another sync is pulling this author
		}
		err := s.pullRange(ctx, c, author, have+1, to, true)
		release()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, network.ErrReset) {
				return err
			}
			s.log.Debug("chain gap", "author", s.node.KeyName(author), "err", err)
		}
	}
	return nil
}

// unknown returns the hashes, sorted and unique, that this node does not
// store and has not asked for yet.
func (s *syncer) unknown(hs []protocol.Hash, asked map[protocol.Hash]bool) []protocol.Hash {
	out := hs[:0:0]
	for _, h := range protocol.SortPreds(slices.Clone(hs)) {
		if asked[h] {
			continue
		}
		if ok, err := s.store.Has(h); err == nil && !ok {
			out = append(out, h)
		}
	}
	return out
}

// ingestRaw verifies encoded ops from a sync response and submits them in
// causal order. A forged or malformed op aborts the sync with that peer.
func (s *syncer) ingestRaw(ctx context.Context, raw [][]byte) ([]*protocol.Op, error) {
	ops, err := s.openBatch(raw)
	if err != nil {
		return nil, err
	}
	return ops, s.submitBatch(ctx, ops)
}

// openBatch verifies the encoded ops of a sync response and puts them in
// causal order; a forged or malformed op fails the batch, and is counted.
func (s *syncer) openBatch(raw [][]byte) ([]*protocol.Op, error) {
	return s.opened(s.opener.openAll(raw))
}

// opened is openBatch's end, given the opener's result.
func (s *syncer) opened(ops []*protocol.Op, err error) ([]*protocol.Op, error) {
	if errors.Is(err, errOpenerStopped) {
		return nil, err
	}
	if err != nil {
		s.verdicts.add(openVerdict(err))
		return nil, fmt.Errorf("node: sync sent a bad op: %w", err)
	}
	return causalOrder(ops), nil
}

// submitBatch hands a verified batch to the loop and waits until the
// accepted ops are durable, counting their verdicts.
func (s *syncer) submitBatch(ctx context.Context, ops []*protocol.Op) error {
	_, err := s.node.submitParking(ctx, ops, forwarderOf(ctx), true)
	return err
}

// causalOrder sorts ops so that every op comes after those of its preds
// that are in the same batch.
func causalOrder(ops []*protocol.Op) []*protocol.Op {
	in := map[protocol.Hash]*protocol.Op{}
	for _, op := range ops {
		in[op.Hash()] = op
	}
	out := make([]*protocol.Op, 0, len(ops))
	done := map[protocol.Hash]bool{}
	var visit func(op *protocol.Op)
	visit = func(op *protocol.Op) {
		h := op.Hash()
		if done[h] {
			return
		}
		done[h] = true
		for _, p := range op.Preds {
			if q, ok := in[p]; ok {
				visit(q)
			}
		}
		out = append(out, op)
	}
	for _, op := range ops {
		visit(op)
	}
	return out
}

// learnPeerAddrs asks the other node where members listen, so that this
// node can reach members it never met. It takes only what each member
// signed itself (takeAddrs), and saves none of it.
func (s *syncer) learnPeerAddrs(c *syncConn) {
	resp, err := c.call(&protocol.SyncRequest{Kind: protocol.SyncAddrs})
	if err != nil {
		return
	}
	s.node.takeAddrs(resp.Addrs)
}

func sortTips(ts []protocol.SyncTip) {
	slices.SortFunc(ts, func(a, b protocol.SyncTip) int { return strings.Compare(string(a.Author[:]), string(b.Author[:])) })
}

// push is Node.Push.
func (s *syncer) push(ctx context.Context, p peer.ID, ops ...*protocol.Op) (int, error) {
	c, err := s.open(ctx, p)
	if err != nil {
		return 0, err
	}
	defer c.close()
	req := &protocol.SyncRequest{Kind: protocol.SyncPush}
	for _, op := range ops {
		req.Ops = append(req.Ops, op.Bytes())
	}
	resp, err := c.callRaw(req)
	if err != nil {
		return 0, err
	}
	if resp.Accepted < len(ops) {
		return resp.Accepted, fmt.Errorf("%w: %s accepted %d of %d ops: %s", ErrRefused, p, resp.Accepted, len(ops), resp.Refused)
	}
	return resp.Accepted, nil
}
