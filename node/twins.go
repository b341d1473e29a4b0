package node

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Errors of Vote for an Unsuspend of a member that forked its chain
// (docs/membership.md §4.4).
var (
	// ErrKeepRequired: a fork of the target's chain suspends it, and the
	// motion names no twin to keep; the error lists the twins.
	ErrKeepRequired = errors.New("node: the member is suspended for signing two ops with one seq: name the twin to keep")
	// ErrNotATwin: Keep names no op of the fork that suspends the target.
	ErrNotATwin = errors.New("node: the op to keep is not one of the twins of the fork that suspends the member")
	// ErrNotForked: Keep is set, but no fork suspends the target.
	ErrNotForked = errors.New("node: no fork of that member's chain suspends it, so there is no twin to keep")
)

// Twins returns the ops of key k at the seq of the fork that suspends it
// (trust.KeyState.ForkSuspended), sorted by hash: the ops an Unsuspend
// motion may name as Keep. It returns no ops when no fork suspends k.
// Leaves at that seq are left out: they never make a fork (§4.4).
func (n *Node) Twins(k protocol.Key) ([]*protocol.Op, error) {
	return n.twinsIn(n.State(), k)
}

func (n *Node) twinsIn(st *trust.State, k protocol.Key) ([]*protocol.Op, error) {
	seq := st.Key(k).ForkSuspended
	if seq == 0 {
		return nil, nil
	}
	hs, err := n.store.BySeq(k, seq)
	if err != nil {
		return nil, fmt.Errorf("node: reading the twins of %s: %w", k.Short(), err)
	}
	var out []*protocol.Op
	for _, h := range hs {
		op, err := n.store.Get(h)
		if err != nil {
			return nil, fmt.Errorf("node: reading the twins of %s: %w", k.Short(), err)
		}
		if op.Kind != protocol.KindLeave {
			out = append(out, op)
		}
	}
	slices.SortFunc(out, func(a, b *protocol.Op) int { return compareHashes(a.Hash(), b.Hash()) })
	return out, nil
}

// checkKeep checks the Keep of the Unsuspend motion m against the fork
// that suspends its target in State st.
func (n *Node) checkKeep(st *trust.State, m protocol.Motion) error {
	ks := st.Key(*m.Target)
	switch {
	case m.Keep == nil && ks.ForkSuspended == 0:
		return nil
	case m.Keep != nil && ks.ForkSuspended == 0:
		return fmt.Errorf("%w: %s", ErrNotForked, m.Target.Short())
	}
	twins, err := n.twinsIn(st, *m.Target)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range twins {
		if m.Keep != nil && t.Hash() == *m.Keep {
			return nil
		}
		names = append(names, t.Hash().String())
	}
	err = ErrKeepRequired
	if m.Keep != nil {
		err = ErrNotATwin
	}
	return fmt.Errorf("%w: %s forked at seq %d; its twins are %s", err, m.Target.Short(), ks.ForkSuspended, strings.Join(names, ", "))
}
