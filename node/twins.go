package node

import (
	"context"
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
	return n.twinsAt(k, seq)
}

// twinsAt returns the stored ops of k at seq but Leaves, sorted by hash.
func (n *Node) twinsAt(k protocol.Key, seq uint64) ([]*protocol.Op, error) {
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

// TwinHolders returns, for each twin of the fork that suspends k (keyed by
// the twin's hash), the keys whose ops in this node's log have the twin in
// their past: the members whose nodes held it when they signed, k itself
// included when its own later ops continue from that twin. A member that
// holds a twin but has signed nothing since is not among them, and a
// member this node has heard nothing new from may hold both by now. It
// reads the whole store, in the order the ops were stored (causal order),
// so it is for an operator's question, not for a hot path.
func (n *Node) TwinHolders(ctx context.Context, k protocol.Key) (map[protocol.Hash][]protocol.Key, error) {
	twins, err := n.Twins(k)
	if err != nil || len(twins) == 0 {
		return nil, err
	}
	bit := map[protocol.Hash]uint64{}
	for i, t := range twins {
		if i < 64 {
			bit[t.Hash()] = 1 << i
		}
	}
	below := map[protocol.Hash]uint64{} // the twins in each op's past, for ops with any
	held := map[protocol.Hash]map[protocol.Key]bool{}
	err = n.store.Range(func(op *protocol.Op) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var mask uint64
		for _, p := range op.Preds {
			mask |= below[p] | bit[p]
		}
		if mask == 0 {
			return nil
		}
		below[op.Hash()] = mask
		for i, t := range twins {
			if i < 64 && mask&(1<<i) != 0 {
				if held[t.Hash()] == nil {
					held[t.Hash()] = map[protocol.Key]bool{}
				}
				held[t.Hash()][op.Author] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("node: finding who holds the twins of %s: %w", k.Short(), err)
	}
	out := map[protocol.Hash][]protocol.Key{}
	for h, ks := range held {
		for key := range ks {
			out[h] = append(out[h], key)
		}
		slices.SortFunc(out[h], compareKeys)
	}
	return out, nil
}
