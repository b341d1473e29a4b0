package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Errors of Publish.
var (
	// ErrNotSharing: this organisation is not in the sharing set (not
	// admitted yet, suspended, revoked or departed), so it has nothing to
	// publish to.
	ErrNotSharing = errors.New("node: this organisation is not in the circle's sharing set")
	// ErrNotSynced: the node has not completed a sync with enough members
	// since it started, or its own last op has not come back to it yet.
	ErrNotSynced = errors.New("node: not yet in sync with the circle")
	// ErrNoMemberReachable: no other member of the sharing set answered
	// within Config.PublishWait, so the node cannot learn its own chain
	// back from the circle and signs nothing.
	ErrNoMemberReachable = errors.New("node: no member of the circle answered")
	// ErrOwnChainBehind: a member showed this node more of this
	// organisation's own chain than the node holds (a data dir restored
	// from a backup, or copied). Signing now would fork the chain, so the
	// node refuses until it has fetched those ops from the members.
	ErrOwnChainBehind = errors.New("node: a member holds more of this organisation's chain than this node")
	// ErrPlaintextRed: the body is a TLP:RED advisory. This version
	// cannot encrypt an advisory to named recipients, so a RED advisory
	// would be stored and served in plaintext by every member's node,
	// and sent by sync to every member admitted later. Publish refuses
	// it before anything is signed or stored; publish it as
	// AMBER+STRICT or send it out of band, or call PublishPlaintextRed
	// to accept that every member and future member can read it.
	ErrPlaintextRed = errors.New("node: a TLP:RED advisory would reach every member and every future member in plaintext " +
		"(encryption to named recipients is not available yet): publish it as TLP:AMBER+STRICT or send it out of band")
)

// Publish signs body as this organisation's next op, stores it durably,
// and gossips it to the circle. It waits (until ctx is done) for the node
// to have synced with Config.SyncBeforePublish members since it started,
// so that an op never omits what the circle already knows of its author.
// An op the log would refuse is not signed into the chain: Publish
// returns the trust error (e.g. trust.ErrAuthorSuspended). A TLP:RED
// advisory is refused at once with ErrPlaintextRed (see
// PublishPlaintextRed).
func (n *Node) Publish(ctx context.Context, body protocol.Body) (*protocol.Op, error) {
	if adv, ok := body.(*protocol.Advisory); ok && adv.TLP == protocol.TLPRed {
		return nil, ErrPlaintextRed
	}
	return n.publish(ctx, body)
}

// PublishPlaintextRed publishes adv like Publish, a TLP:RED one
// included: the caller acknowledges that a RED advisory is stored and
// served in plaintext by every member's node and reaches every future
// member by sync, since this version cannot encrypt it to named
// recipients. The node logs a warning for each RED advisory it publishes
// so.
func (n *Node) PublishPlaintextRed(ctx context.Context, adv *protocol.Advisory) (*protocol.Op, error) {
	op, err := n.publish(ctx, adv)
	if err == nil && adv.TLP == protocol.TLPRed {
		n.log.Warn("published a TLP:RED advisory in plaintext, as acknowledged: every member and future member can read it",
			"op", op, "reason", "plaintext-red")
	}
	return op, err
}

// publish signs, stores and gossips body once the node is ready.
func (n *Node) publish(ctx context.Context, body protocol.Body) (*protocol.Op, error) {
	if err := n.WaitReady(ctx); err != nil {
		return nil, err
	}
	if out, ok := ctx.Value(readinessKey{}).(*Readiness); ok {
		*out = n.Readiness()
	}
	if body.Kind() == protocol.KindAdvisory && n.disk.low.Load() {
		return nil, ErrDiskLow
	}
	var op *protocol.Op
	var serr error
	if err := n.do(ctx, func(l *loop) { op, serr = l.sign(body) }); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, serr
	}
	n.verdicts.add(Verdict{Reason: ReasonPublished})
	if err := n.ownPace.wait(ctx, op); err != nil {
		// The op is stored: sync carries it to the others.
		n.log.Warn("gossiping an own op", "op", op, "err", err)
		return op, nil
	}
	if len(op.Bytes()) > MaxGossipOp {
		n.pushToMembers(op)
		return op, nil
	}
	if err := n.topic.Publish(ctx, op.Bytes()); err != nil {
		// The op is stored: sync carries it to the others.
		n.log.Warn("gossiping an own op", "op", op, "err", err)
	}
	return op, nil
}

// sign builds, signs and applies the node's next op. The op is released
// only after the commit that follows, whose one synced write holds both
// the op and its seq as reserved (loop.putOps), so a crash never lets an
// op out that the store lacks, and the node never sends two ops with one
// seq: an op a crash took back before its commit was never sent, and its
// seq is signed again.
func (l *loop) sign(body protocol.Body) (*protocol.Op, error) {
	if own := l.outstanding(); own != nil {
		return nil, fmt.Errorf("%w: own op #%d not back yet", ErrNotSynced, own.Seq)
	}
	if err := l.n.ownBehind(l.seq); err != nil {
		return nil, err
	}
	if err := l.n.secondSignerErr(); err != nil {
		return nil, err
	}
	seq := l.seq + 1
	if next, err := l.n.store.NextSeq(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	} else if seq+1 < next {
		return nil, fmt.Errorf("node: signing seq %d: %w: seqs up to %d were reserved", seq, store.ErrSeqRewind, next-1)
	}
	op := &protocol.Op{
		Group: l.n.group,
		Seq:   seq,
		Prev:  l.last,
		Preds: l.preds(),
		Epoch: l.eng.Epoch(),
		Kind:  body.Kind(),
		TS:    time.Now().UnixMilli(),
	}
	if err := protocol.Sign(op, body, l.n.cfg.Key); err != nil {
		return nil, fmt.Errorf("node: signing: %w", err)
	}
	if err := l.eng.Apply(op); err != nil {
		return nil, fmt.Errorf("node: the circle would refuse this op: %w", err)
	}
	l.signedHere = true
	if l.signedNow == nil {
		l.signedNow = map[protocol.Hash]bool{}
	}
	l.signedNow[op.Hash()] = true
	l.applied(op)
	return op, nil
}

// preds are the heads plus the node's own last op.
func (l *loop) preds() []protocol.Hash {
	hs := l.eng.Heads()
	if l.last != nil {
		hs = append(hs, *l.last)
	}
	return protocol.SortPreds(hs)
}

// joinGossip joins the ops topic's mesh once this organisation is in the
// sharing set. Ops arrive through the validator, so the node relays the
// topic (it announces it and forwards, as a subscriber would) without a
// local subscription that pubsub would hand every message to again.
func (l *loop) joinGossip(st *trust.State) {
	if !st.InSharingSet(l.n.key) || l.relay != nil || l.n.ctx.Err() != nil {
		return
	}
	relay, err := l.n.topic.Relay()
	if err != nil {
		l.n.log.Warn("joining the ops topic's mesh", "err", err)
		return
	}
	l.relay = relay
}

// pushToMembers hands an own op too large for gossip (MaxGossipOp) to
// every connected member of the sharing set by a sync push, each on its
// own goroutine and bounded in time. A member it misses gets the op by
// sync: its tips show it.
func (n *Node) pushToMembers(op *protocol.Op) {
	for _, p := range n.sharingPeers() {
		started := n.spawn(func() {
			ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
			defer cancel()
			ctx = network.WithNoDial(ctx, "kring: push over an open connection")
			if _, err := n.Push(ctx, p, op); err != nil {
				n.log.Debug("pushing a large own op", "op", op, "peer", n.peerName(p), "err", err)
			}
		})
		if !started {
			return
		}
	}
}
