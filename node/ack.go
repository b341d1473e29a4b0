package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ErrNothingToAcknowledge is returned by Acknowledge when this
// organisation's last op already has every op the node holds in its past.
var ErrNothingToAcknowledge = errors.New("node: nothing new to acknowledge: this organisation's last op already cites every op the node holds")

// ErrCannotAcknowledge is returned by Acknowledge when this organisation is
// neither a member nor lapsed, so its acknowledgements would count for
// nothing and no node would accept them.
var ErrCannotAcknowledge = errors.New("node: only a member or a lapsed organisation acknowledges")

// ackCheckEvery is how often the node looks whether an acknowledgement is
// due. The charter's interval is at least an hour, so a minute late is
// nothing.
const ackCheckEvery = time.Minute

// NextAck returns when this node will next sign an acknowledgement on its
// own: the charter's acknowledgement interval after the last op of its own
// chain (after the genesis for a founder that has signed nothing since). A
// node that signs an op of any kind before then moves the time on, since
// every op acknowledges what its author has seen. ok is false when this
// organisation does not acknowledge: it is not a member or lapsed.
//
// A clock decides only when the node signs; no rule of the circle reads
// one (docs/membership.md §3.2).
func (n *Node) NextAck() (at time.Time, ok bool) {
	st := n.State()
	if s := st.Key(n.key).Status; s != trust.StatusMember && s != trust.StatusLapsed {
		return time.Time{}, false
	}
	last := n.lastSigned.Load()
	if last == 0 {
		last = n.genesis.TS
	}
	return time.UnixMilli(last).Add(time.Duration(st.Charter.AckSeconds()) * time.Second), true
}

// ackIfDue signs an Ack when the node's acknowledgement is due at the time
// now and it has applied ops that its own last op does not cite: an idle
// circle costs no ops, and a busy member's ops acknowledge on their own.
// An Ack goes out as any op does, once the node may publish.
func (n *Node) ackIfDue(now time.Time) {
	at, ok := n.NextAck()
	if !ok || now.Before(at) {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
	defer cancel()
	op, err := n.ackNews(ctx)
	switch {
	case errors.Is(err, ErrNothingToAcknowledge):
	case err != nil:
		n.log.Info("acknowledgement due, not signed", "due", at.UTC(), "err", err)
	default:
		n.log.Info("signed an acknowledgement", "op", op, "due", at.UTC())
	}
}

// ackNews signs an Ack if the node holds ops that its own last op does not
// cite, and returns ErrNothingToAcknowledge otherwise.
func (n *Node) ackNews(ctx context.Context) (*protocol.Op, error) {
	news := false
	if err := n.doNow(ctx, func(l *loop) { news = l.unacknowledged() }); err != nil {
		return nil, err
	}
	if !news {
		return nil, ErrNothingToAcknowledge
	}
	return n.publish(ctx, &protocol.Ack{})
}

// unacknowledged reports whether the engine holds ops that this node's own
// last op does not have in its past: its heads are more than that op.
func (l *loop) unacknowledged() bool {
	heads := l.eng.Heads()
	if l.last == nil {
		return len(heads) > 1 || heads[0] != l.eng.Group()
	}
	return len(heads) != 1 || heads[0] != *l.last
}

// Acknowledge signs an Ack now, whatever the charter's interval: it tells
// the circle that this organisation has seen every op the node holds, so
// that decisions which wait on its acknowledgement (a charter change, an
// admission or a revocation that must settle) settle without waiting for
// the interval. It refuses when nothing is new (ErrNothingToAcknowledge)
// and when this organisation is not a member or lapsed
// (ErrCannotAcknowledge).
func (n *Node) Acknowledge(ctx context.Context) (*protocol.Op, error) {
	if s := n.State().Key(n.key).Status; s != trust.StatusMember && s != trust.StatusLapsed {
		return nil, fmt.Errorf("%w (it is %s)", ErrCannotAcknowledge, s)
	}
	op, err := n.ackNews(ctx)
	if err != nil {
		return nil, err
	}
	n.log.Info("signed an acknowledgement on request", "op", op)
	return op, nil
}
