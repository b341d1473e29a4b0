package node

import (
	"context"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

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
	news := false
	if err := n.doNow(n.ctx, func(l *loop) { news = l.unacknowledged() }); err != nil || !news {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
	defer cancel()
	op, err := n.publish(ctx, &protocol.Ack{})
	if err != nil {
		n.log.Info("acknowledgement due, not signed", "due", at.UTC(), "err", err)
		return
	}
	n.log.Info("signed an acknowledgement", "op", op, "due", at.UTC())
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
