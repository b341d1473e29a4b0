package testnet

import (
	"context"
	"fmt"

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
