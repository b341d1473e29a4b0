package node

import (
	"context"
	"fmt"

	"github.com/kring-circle/kring/protocol"
)

// OwnFork is a fork of this organisation's own chain that suspends it in
// the circle's log (trust.KeyState.ForkSuspended): its key signed two ops
// with one seq, most likely because the data dir was restored from a
// backup while its newest op sat only on a member that was offline. Only
// a lift by r′ members' votes that names the twin to keep restores it
// (docs/membership.md §4.4).
type OwnFork struct {
	// Seq is the seq of the fork.
	Seq uint64
	// Twins are the own ops at Seq, sorted by hash (Node.Twins).
	Twins []*protocol.Op
	// Held is the twin this node's own chain continues from: the one it
	// signed (after a restart, the one signed last: loop.ownTip). The
	// zero hash if none of the twins is on it (the node has not stored
	// its own op at Seq).
	Held protocol.Hash
}

// OwnFork returns the fork that suspends this organisation, or nil when
// none does.
func (n *Node) OwnFork(ctx context.Context) (*OwnFork, error) {
	var seq uint64
	var held protocol.Hash
	var err error
	if lerr := n.do(ctx, func(l *loop) { seq, held, err = l.ownFork() }); lerr != nil {
		return nil, lerr
	}
	if err != nil || seq == 0 {
		return nil, err
	}
	// The loop's ops are committed once do returns: the store has them.
	twins, err := n.twinsAt(n.key, seq)
	if err != nil {
		return nil, err
	}
	return &OwnFork{Seq: seq, Twins: twins, Held: held}, nil
}

// ownFork returns the seq of the fork that suspends the own key in the
// loop's State (0 if none), and the twin at that seq that the own chain
// continues from.
func (l *loop) ownFork() (uint64, protocol.Hash, error) {
	seq := l.eng.State().Key(l.n.key).ForkSuspended
	if seq == 0 || l.last == nil || l.seq < seq {
		return seq, protocol.Hash{}, nil
	}
	h := *l.last
	for {
		op, ok := l.eng.Header(h)
		switch {
		case !ok:
			return 0, protocol.Hash{}, fmt.Errorf("node: the own op %s is not in the log", h.Short())
		case op.Seq == seq:
			return seq, h, nil
		case op.Seq < seq || op.Prev == nil:
			return seq, protocol.Hash{}, nil
		}
		h = *op.Prev
	}
}

// forkNotice returns the twins of the fork that suspends member k, for
// k's node, which may hold only its own twin and go on believing it
// shares with the circle; none when no fork suspends k.
func (n *Node) forkNotice(k protocol.Key) []*protocol.Op {
	twins, err := n.Twins(k)
	if err != nil {
		n.log.Warn("reading the twins of a fork", "key", k.Short(), "err", err)
	}
	return twins
}

// Advice says what happened and what the operator of this node does
// about it: self is this organisation's key, votes the number of
// members' votes a lift needs (trust.Thresholds.Revoke).
func (f *OwnFork) Advice(self protocol.Key, votes int) string {
	held := "none of them (it never stored its own op at that seq)"
	if !f.Held.IsZero() {
		held = f.Held.String()
	}
	return fmt.Sprintf("this organisation signed %d ops at seq %d: it forked its chain, and the circle suspends it as an equivocator. "+
		"Likely cause: this data dir was restored from a backup while its newest op sat only on a member that was offline "+
		"(if a copy of it runs on another host, stop that copy). To rejoin under the same key, ask %d members to vote "+
		"`kring unsuspend %s --keep OP`, OP the twin to keep (kring members --explain %s lists both); "+
		"this node's chain continues from %s. Either twin may be kept: the node continues from the lift either way",
		len(f.Twins), f.Seq, votes, self, self.Short(), held)
}
