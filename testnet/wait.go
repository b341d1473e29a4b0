package testnet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// poll is how often waits re-check their condition besides the nodes'
// change notifications.
const poll = 50 * time.Millisecond

// WaitFor waits until cond holds or ctx is done; what describes the
// condition in the error.
func WaitFor(ctx context.Context, what string, cond func() bool) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("testnet: waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

// Throughout checks cond every few milliseconds for d and fails as soon
// as it does not hold (or ctx is done); what describes the condition in
// the error. It is the wait for what must never happen: a connection
// that must be refused, an op that must not arrive.
func Throughout(ctx context.Context, what string, d time.Duration, cond func() bool) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for end := time.Now().Add(d); ; {
		if !cond() {
			return fmt.Errorf("testnet: %s stopped holding", what)
		}
		if !time.Now().Before(end) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testnet: checking %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

// Snapshot is what one node holds: its op count, its heads and its State.
// Two causally closed op sets with the same heads are the same set.
type Snapshot struct {
	// Len is the number of stored ops.
	Len int
	// Heads are the stored ops no stored op cites.
	Heads []protocol.Hash
	// State is the node's State, as its String shows it.
	State string
}

// Snapshot reads what the member's node holds.
func (m *Member) Snapshot() (Snapshot, error) {
	nd := m.Node()
	if nd == nil {
		return Snapshot{}, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	var snap Snapshot
	var err error
	nd.Consistent(func(st *trust.State) {
		snap.State = st.String()
		if snap.Len, err = nd.StoredOps(); err != nil {
			return
		}
		snap.Heads, err = nd.Heads()
	})
	return snap, err
}

// Converged reports whether the named members' nodes hold the identical op
// set and State, and if not, how they differ.
func (n *Net) Converged(names ...string) (bool, string) {
	var first Snapshot
	var diffs []string
	for i, name := range names {
		s, err := n.M(name).Snapshot()
		if err != nil {
			return false, err.Error()
		}
		if i == 0 {
			first = s
			continue
		}
		if s.Len != first.Len || !slices.Equal(s.Heads, first.Heads) || s.State != first.State {
			diffs = append(diffs, fmt.Sprintf("%s has %d ops, %d heads; %s has %d ops, %d heads", names[0], first.Len, len(first.Heads), name, s.Len, len(s.Heads)))
		}
	}
	return len(diffs) == 0, strings.Join(diffs, "; ")
}

// WaitConverged waits until the named members (all running ones if none
// is named) hold the identical op set and State.
func (n *Net) WaitConverged(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		for _, m := range n.Running() {
			names = append(names, m.Name)
		}
	}
	var why string
	err := WaitFor(ctx, "convergence", func() bool {
		var ok bool
		ok, why = n.Converged(names...)
		return ok
	})
	if err != nil {
		return fmt.Errorf("%w: %s", err, why)
	}
	return nil
}

// WaitHas waits until every named member's node stores op h.
func (n *Net) WaitHas(ctx context.Context, h protocol.Hash, names ...string) error {
	return WaitFor(ctx, "op "+h.Short()+" everywhere", func() bool {
		for _, name := range names {
			if !n.M(name).Has(h) {
				return false
			}
		}
		return true
	})
}

// Has reports whether the member's node runs and stores op h.
func (m *Member) Has(h protocol.Hash) bool {
	nd := m.Node()
	if nd == nil {
		return false
	}
	ok, err := nd.Has(h)
	return err == nil && ok
}

// KnownAddrs returns how many members' addresses the member's node keeps
// in its address book, from which it redials them after a restart.
func (m *Member) KnownAddrs() (int, error) {
	nd := m.Node()
	if nd == nil {
		return 0, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	book, err := nd.AddrBook()
	return len(book), err
}

// Outstanding returns the op of its own that the member's node signed
// and keeps until it is back from the circle (a newcomer's enactment of
// its admission), or nil.
func (m *Member) Outstanding() (*protocol.Op, error) {
	nd := m.Node()
	if nd == nil {
		return nil, fmt.Errorf("testnet: %s is not running", m.Name)
	}
	return nd.Outstanding()
}

// Counted reports whether the member's node counts the votes that motion
// needs under the thresholds of the State it holds.
func (m *Member) Counted(motion protocol.Motion) bool {
	nd := m.Node()
	if nd == nil {
		return false
	}
	st := nd.State()
	t, ok := st.Tally(motion.Hash())
	return ok && len(t.Voters) >= st.Thresholds().For(motion.Kind)
}
