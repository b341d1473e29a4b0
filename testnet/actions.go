package testnet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Advise publishes an advisory from the member's node.
func (m *Member) Advise(ctx context.Context, title string) (*protocol.Op, error) {
	return m.publish(ctx, &protocol.Advisory{Title: title, TLP: protocol.TLPGreen})
}

// Vote publishes the member's vote on motion.
func (m *Member) Vote(ctx context.Context, motion protocol.Motion) (*protocol.Op, error) {
	return m.publish(ctx, &protocol.Vote{Motion: motion, Evidence: protocol.Hash{1}})
}

// Enact publishes the enactment of motion, citing the counting votes the
// member's node knows of.
func (m *Member) Enact(ctx context.Context, motion protocol.Motion) (*protocol.Op, error) {
	nd := m.Node()
	if nd == nil {
		return nil, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	t, ok := nd.State().Tally(motion.Hash())
	if !ok {
		return nil, fmt.Errorf("testnet: %s knows no votes on %s", m.Name, motion.String())
	}
	return m.publish(ctx, &protocol.Enact{Motion: motion, Votes: t.Votes})
}

func (m *Member) publish(ctx context.Context, body protocol.Body) (*protocol.Op, error) {
	nd := m.Node()
	if nd == nil {
		return nil, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	op, err := nd.Publish(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("testnet: %s publishing %s: %w", m.Name, body.Kind(), err)
	}
	return op, nil
}

// Admit returns the Admit motion of the member's application.
func (m *Member) Admit() protocol.Motion {
	return protocol.Motion{Kind: protocol.MotionAdmit, Application: m.Application()}
}

// Suspend returns a suspension motion against the member.
func (m *Member) Suspend(caseID string) protocol.Motion {
	k := m.Key
	return protocol.Motion{Kind: protocol.MotionSuspend, Target: &k, Case: []byte(caseID)}
}

// Revoke returns the revocation motion against the member.
func (m *Member) Revoke() protocol.Motion {
	k := m.Key
	return protocol.Motion{Kind: protocol.MotionRevoke, Target: &k}
}

// Unsuspend returns the motion that lifts the member's suspensions of
// the cases named.
func (m *Member) Unsuspend(caseIDs ...string) protocol.Motion {
	k := m.Key
	var lifts []protocol.Hash
	for _, c := range caseIDs {
		s := m.Suspend(c)
		lifts = append(lifts, s.Hash())
	}
	return protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &k, Lifts: protocol.SortPreds(lifts)}
}

// Decide has each voter vote on motion, waits until the enacting member's
// node counts every vote, and enacts it there.
func (n *Net) Decide(ctx context.Context, motion protocol.Motion, enactor string, voters ...string) (*protocol.Op, error) {
	var votes []protocol.Hash
	for _, v := range voters {
		op, err := n.M(v).Vote(ctx, motion)
		if err != nil {
			return nil, err
		}
		votes = append(votes, op.Hash())
	}
	for _, h := range votes {
		if err := n.WaitHas(ctx, h, enactor); err != nil {
			return nil, err
		}
	}
	return n.M(enactor).Enact(ctx, motion)
}

// Settle has the members names acknowledge, in turn, what their nodes
// hold, until every one of them holds the op h settled: a decision settles
// once a quorum of members has acknowledged it and some op observes that
// (docs/membership.md §3).
func (n *Net) Settle(ctx context.Context, h protocol.Hash, names ...string) error {
	settled := func() bool {
		for _, name := range names {
			nd := n.M(name).Node()
			if !n.M(name).Has(h) {
				return false
			}
			if waits, err := nd.AwaitsSettlement(ctx, h); err != nil || waits {
				return false
			}
		}
		return true
	}
	for !settled() {
		for _, name := range names {
			if _, err := n.M(name).Node().Acknowledge(ctx); err != nil && !errors.Is(err, node.ErrNothingToAcknowledge) {
				return fmt.Errorf("testnet: %s acknowledging: %w", name, err)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("testnet: waiting for %s to settle: %w", h.Short(), ctx.Err())
			case <-time.After(50 * time.Millisecond): // let the Ack reach the others
			}
		}
	}
	return nil
}

// SignAnyway signs body as m's next op on top of m's stored log, without
// asking m's node: what software that ignores the log's verdict on its own
// key would do (a suspended or revoked member's tampered client). The op is
// not stored or sent; hand it to a Rogue or to Node.Push.
func (m *Member) SignAnyway(body protocol.Body) (*protocol.Op, error) {
	st := m.Node()
	if st == nil {
		return nil, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	tips, err := st.Tips()
	if err != nil {
		return nil, err
	}
	heads, err := st.Heads()
	if err != nil {
		return nil, err
	}
	tip := tips[m.Key]
	op := &protocol.Op{Group: m.Node().Group(), Seq: tip.Seq + 1, Epoch: m.Node().State().Epoch, Kind: body.Kind(), TS: time.Now().UnixMilli()}
	if tip.Seq > 0 {
		prev := tip.Hashes[0]
		op.Prev = &prev
		heads = append(heads, prev)
	}
	op.Preds = protocol.SortPreds(heads)
	if err := protocol.Sign(op, body, m.Priv); err != nil {
		return nil, fmt.Errorf("testnet: signing as %s: %w", m.Name, err)
	}
	return op, nil
}
