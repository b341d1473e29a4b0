package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// ErrNotEndorsed: the node could not enact its admission with any member it
// is connected to (too few endorsements yet, none reachable, or a refusal);
// the wrapped errors say why for each member.
var ErrNotEndorsed = errors.New("node: the application lacks the endorsements the charter requires")

// Enrol enacts this organisation's admission once members have endorsed
// app: it asks a connected member for the counting endorsements, checks
// them, signs the Admit enactment with its own key (proof that it holds
// it) and hands it to that member, which judges and gossips it. The node
// then syncs the log as a member. Enrol tries every connected peer that
// its own log shows in the sharing set once, and returns ErrNotEndorsed if
// none holds enough endorsements. Other peers (a configured bootstrap
// peer the log does not know as a member) are never asked: the
// enactment cites the heads and the epoch the member gives, and a
// non-member could make the node sign one that every member refuses.
// What the members show of the application's progress is kept for
// Enrolment, the best answer of the round.
func (n *Node) Enrol(ctx context.Context, app *protocol.Application) (*protocol.Op, error) {
	if n.ctx.Err() != nil {
		return nil, ErrClosed
	}
	if app.Member.Key != n.key {
		return nil, fmt.Errorf("node: the application is %s's, this node is %s", app.Member.Key.Short(), n.key.Short())
	}
	if err := app.Verify(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	var best *Enrolment
	defer func() { n.noteEnrolment(app.ID(), best) }()
	peers := n.sharingPeers()
	if len(peers) == 0 {
		return nil, fmt.Errorf("%w: no member of the sharing set is connected (peers this node does not know as members are not asked)", ErrNotEndorsed)
	}
	var errs []error
	for _, p := range peers {
		op, e, err := n.enrolWith(ctx, p, app)
		if e != nil && e.better(best) {
			best = e
		}
		if err == nil {
			return op, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w: %w", ErrNotEndorsed, errors.Join(errs...))
}

// sharingPeers returns the connected peers whose keys this node's log
// holds in the sharing set, and that its local blocks do not deny.
func (n *Node) sharingPeers() []peer.ID {
	var out []peer.ID
	for _, p := range n.host.Network().Peers() {
		if p != n.host.ID() && n.host.Network().Connectedness(p) == network.Connected && n.gater.standing(p) == Sharing {
			out = append(out, p)
		}
	}
	return out
}

// enrolWith enrols with member p. It returns what p showed of the
// application's progress (nil when the node only pushed an enactment it
// had signed before), and logs at INFO why the node could not enact its
// admission when p shows enough endorsements.
func (n *Node) enrolWith(ctx context.Context, p peer.ID, app *protocol.Application) (*protocol.Op, *Enrolment, error) {
	c, err := n.sync.open(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	defer c.close()
	motion := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var op *protocol.Op
	if err := n.do(ctx, func(l *loop) { op = l.outstanding() }); err != nil {
		return nil, nil, err
	}
	var e *Enrolment
	mismatch := func(err error) error {
		e.Problem = err.Error()
		if old, ok := n.Enrolment(); ok && old.Problem == e.Problem {
			return err // logged when it first arose
		}
		n.log.Info("a member shows enough endorsements, but this node cannot enact its admission with them",
			"member", p, "endorsers", len(e.Endorsers), "reason", err)
		return err
	}
	if op == nil {
		adm, err := c.callRaw(&protocol.SyncRequest{Kind: protocol.SyncAdmission, Application: app})
		if err != nil {
			return nil, nil, err
		}
		e, err = n.progress(c, p, motion, adm)
		if err != nil {
			if e != nil && e.Enough {
				return nil, e, mismatch(err)
			}
			return nil, e, err
		}
		var serr error
		if err := n.do(ctx, func(l *loop) { op, serr = l.signEnact(motion, adm) }); err != nil {
			return nil, e, err
		}
		if serr != nil {
			return nil, e, mismatch(serr)
		}
	}
	if err := n.pushOwn(ctx, c, p, op); err != nil {
		if e != nil {
			return nil, e, mismatch(err)
		}
		return nil, nil, err
	}
	return op, e, nil
}

// progress reads member p's answer adm to the admission request for
// motion m: the endorsements p shows, checked, as an Enrolment, and an
// error wrapping ErrNotEndorsed unless they are enough. On success adm
// cites one vote per endorser, as the enactment must.
func (n *Node) progress(c *syncConn, p peer.ID, m protocol.Motion, adm *protocol.SyncResponse) (*Enrolment, error) {
	short := adm.Refused == ReasonTooFewEndorsements.String()
	if adm.Refused != "" && !short {
		return nil, fmt.Errorf("%w: %s: %s", ErrRefused, protocol.SyncAdmission, adm.Refused)
	}
	e := &Enrolment{Application: m.Application.ID(), Known: !short, Needed: neededIn(n.State()), Enough: !short, From: p, At: time.Now()}
	if short && len(adm.Votes) == 0 {
		// A member that shows no endorsements: one whose node predates
		// showing them, or whose log lost them since it let this node in.
		return e, fmt.Errorf("%w: %s shows too few endorsements", ErrNotEndorsed, p)
	}
	var votes []protocol.Hash
	var voters []protocol.Key
	var err error
	if short {
		votes, voters, err = n.openEndorsements(m, adm.Votes, adm.Ops)
	} else {
		votes, voters, err = n.checkEndorsements(c, m, adm.Votes)
	}
	if err != nil {
		return e, err
	}
	e.Known, e.Endorsers = true, voters
	switch {
	case short:
		// The member's charter may ask more than this node's log knows.
		e.Needed = max(e.Needed, len(voters)+1)
		return e, fmt.Errorf("%w: %s shows %d of the %d endorsements the charter requires", ErrNotEndorsed, p, len(voters), e.Needed)
	case len(votes) < len(adm.Votes):
		n.log.Info("a member cites an endorser twice: counting each endorser once",
			"member", p, "cited", len(adm.Votes), "endorsers", len(voters))
	}
	e.Needed = min(e.Needed, len(voters)) // the member's charter may ask fewer
	adm.Votes = votes
	return e, nil
}

// pushOwn hands the outstanding own op to p. If p refuses it for good (an
// invalid op, e.g. p gave a wrong epoch), no honest node stores it and the
// node may sign its seq anew, but only once a second member confirms the
// refusal: a member lying about a valid op it keeps must not trick the node
// into signing a second op with the same seq, which would suspend it for
// good as an equivocator. The second member is another connected peer of
// the sharing set (sharingPeers); any other peer could confirm a lie. A
// second member that accepts the op instead completes the enrolment.
func (n *Node) pushOwn(ctx context.Context, c *syncConn, p peer.ID, op *protocol.Op) error {
	resp, err := c.callRaw(pushOf(op))
	if err != nil {
		return err
	}
	if taken(resp) {
		n.enrolled(op, p)
		return nil
	}
	if !permanentRefusal(resp.Refused) {
		return fmt.Errorf("%w: %s has not taken the enactment: %s", ErrRefused, p, resp.Refused)
	}
	for _, q := range n.sharingPeers() {
		if q == p {
			continue
		}
		c2, err := n.sync.open(ctx, q)
		if err != nil {
			continue
		}
		resp2, err := c2.callRaw(pushOf(op))
		c2.close()
		switch {
		case err != nil:
		case taken(resp2):
			n.enrolled(op, q)
			return nil
		case permanentRefusal(resp2.Refused):
			_ = n.do(ctx, func(l *loop) { l.dropOwn(op) })
			return fmt.Errorf("%w: %s and %s refused the enactment: %s, %s", ErrRefused, p, q, resp.Refused, resp2.Refused)
		}
	}
	return fmt.Errorf("%w: %s refused the enactment (%s) and no other member confirmed it; keeping it", ErrRefused, p, resp.Refused)
}

func pushOf(op *protocol.Op) *protocol.SyncRequest {
	return &protocol.SyncRequest{Kind: protocol.SyncPush, Ops: [][]byte{op.Bytes()}}
}

// taken reports whether a push answer means the op is in that node's log.
func taken(resp *protocol.SyncResponse) bool {
	return resp.Accepted == 1 || resp.Refused == ReasonDuplicate.String()
}

func (n *Node) enrolled(op *protocol.Op, via peer.ID) {
	n.log.Info("admission enacted", "op", op, "via", via)
	// The members refused this node's syncs until now; they serve it as
	// soon as they hold the enactment, so forget the backoffs and sync.
	n.redialSoon()
	n.sync.kick(via)
}

// permanentRefusal reports whether a push refusal names a Reject: the op
// is invalid for every honest node.
func permanentRefusal(refused string) bool {
	if refused == "" {
		return false
	}
	switch reasonNamed(refused) {
	case ReasonDuplicate, ReasonMissingPreds, ReasonVoid, ReasonNotSharing, ReasonNotMember, ReasonInternal, ReasonWrongGroup, ReasonPaced, ReasonDiskLow:
		return false
	}
	return true
}

// checkEndorsements fetches the cited votes and checks that each is a
// signed vote on this very motion. A member's repeat vote counts once: it
// returns one vote per voter (the lowest hash), sorted, and the voters.
// Whether they are enough is for the circle to judge.
func (n *Node) checkEndorsements(c *syncConn, m protocol.Motion, votes []protocol.Hash) ([]protocol.Hash, []protocol.Key, error) {
	if len(votes) == 0 || len(votes) > protocol.MaxVotes {
		return nil, nil, fmt.Errorf("%w: %d endorsements offered", ErrNotEndorsed, len(votes))
	}
	resp, err := c.call(&protocol.SyncRequest{Kind: protocol.SyncGet, Want: votes})
	if err != nil {
		return nil, nil, err
	}
	return n.openEndorsements(m, votes, resp.Ops)
}

// openEndorsements checks that raw holds each of the cited votes, once,
// each a signed vote on motion m, as checkEndorsements does.
func (n *Node) openEndorsements(m protocol.Motion, votes []protocol.Hash, raw [][]byte) ([]protocol.Hash, []protocol.Key, error) {
	if len(votes) == 0 || len(votes) > protocol.MaxVotes {
		return nil, nil, fmt.Errorf("%w: %d endorsements offered", ErrNotEndorsed, len(votes))
	}
	cited := map[protocol.Hash]bool{}
	for _, h := range votes {
		cited[h] = false
	}
	want := m.Hash()
	byVoter := map[protocol.Key]protocol.Hash{}
	for _, b := range raw {
		op, err := protocol.Open(b, n.group)
		if err != nil {
			return nil, nil, fmt.Errorf("node: endorsement: %w", err)
		}
		h := op.Hash()
		if got, ok := cited[h]; !ok || got {
			return nil, nil, fmt.Errorf("%w: %s was not cited, or handed over twice", ErrNotEndorsed, op)
		}
		cited[h] = true
		v, ok := op.Content().(*protocol.Vote)
		if !ok || v.Motion.Hash() != want {
			return nil, nil, fmt.Errorf("%w: %s is not an endorsement of this application", ErrNotEndorsed, op)
		}
		if first, ok := byVoter[op.Author]; !ok || h.Less(first) {
			byVoter[op.Author] = h
		}
	}
	if len(raw) != len(cited) {
		return nil, nil, fmt.Errorf("%w: %d of %d endorsements were handed over", ErrNotEndorsed, len(raw), len(cited))
	}
	var out []protocol.Hash
	var voters []protocol.Key
	for k, h := range byVoter {
		out, voters = append(out, h), append(voters, k)
	}
	slices.SortFunc(voters, compareKeys)
	return protocol.SortPreds(out), voters, nil
}

// signEnact signs the Admit enactment over the member's heads. The node
// lacks their past, so the op waits, durably, until sync brings the past;
// until then the node publishes nothing else.
func (l *loop) signEnact(m protocol.Motion, adm *protocol.SyncResponse) (*protocol.Op, error) {
	if own := l.outstanding(); own != nil {
		return own, nil
	}
	if l.seq != 0 {
		return nil, fmt.Errorf("node: this organisation already has a chain (seq %d); publish the enactment instead", l.seq)
	}
	if err := l.n.store.SetNextSeq(2); err != nil {
		return nil, fmt.Errorf("node: reserving seq 1: %w", err)
	}
	op := &protocol.Op{
		Group: l.n.group,
		Seq:   1,
		Preds: protocol.SortPreds(adm.Heads),
		Epoch: adm.Epoch,
		Kind:  protocol.KindEnact,
		TS:    time.Now().UnixMilli(),
	}
	if err := protocol.Sign(op, &protocol.Enact{Motion: m, Votes: protocol.SortPreds(adm.Votes)}, l.n.cfg.Key); err != nil {
		return nil, fmt.Errorf("node: signing the enactment: %w", err)
	}
	// Kept durably before it leaves the node, outside the evictable
	// pending buffer: until it is back, seq 1 is taken.
	if err := l.n.store.SetOutstanding(op); err != nil {
		return nil, fmt.Errorf("node: keeping the enactment: %w", err)
	}
	l.own = op
	if v := l.ingest(op, true); v.Result == pubsub.ValidationReject {
		l.dropOwn(op)
		return nil, fmt.Errorf("node: the enactment would be refused: %s: %w", v.Reason, v.Err)
	}
	return op, nil
}
