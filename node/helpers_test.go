package node

import (
	"context"
	"log/slog"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// newCircle founds a test circle under the default charter (k=3, s=2,
// r=3) with the named founders.
func newCircle(t *testing.T, founders ...string) *trusttest.Circle {
	t.Helper()
	c, err := trusttest.NewCircle(protocol.DefaultCharter("test"), founders...)
	if err != nil {
		t.Fatalf("NewCircle: %v", err)
	}
	return c
}

// must returns a function that fails the test on err and returns op, for
// trusttest calls: must(t)(c.Advise(...)).
func must(t *testing.T) func(*protocol.Op, error) *protocol.Op {
	return func(op *protocol.Op, err error) *protocol.Op {
		t.Helper()
		if err != nil {
			t.Fatalf("building an op: %v", err)
		}
		return op
	}
}

// syncActor delivers to the actor to every op the actors from have.
func syncActor(t *testing.T, c *trusttest.Circle, to string, from ...string) {
	t.Helper()
	for _, f := range from {
		if errs := c.Sync(to, f); len(errs) > 0 {
			t.Fatalf("sync %s <- %s: %v", to, f, errs)
		}
	}
}

// testConfig is a fast, in-memory, loopback TCP configuration for the
// member called name of circle c, with no sync wait before publishing.
func testConfig(c *trusttest.Circle, name string) Config {
	cfg := DefaultLocalConfig()
	cfg.Key = trusttest.KeyFor(name)
	cfg.Genesis = c.Genesis.Bytes()
	cfg.Store = store.DefaultLocalOptions()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.SyncBeforePublish = 0
	return cfg
}

// startNode starts a real node for the member called name; adjust, if
// set, edits its configuration first. The node is closed at cleanup.
func startNode(t *testing.T, c *trusttest.Circle, name string, adjust func(*Config)) *Node {
	t.Helper()
	cfg := testConfig(c, name)
	if adjust != nil {
		adjust(&cfg)
	}
	n, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close(%s): %v", name, err)
		}
	})
	return n
}

// newTestLoop builds a loop over a store without any network: the node
// has a store, a genesis and a key, and nothing else. commit works (no
// gater, no topic); the store is closed at cleanup. The store is in memory
// unless dir is set; adjust, if set, edits its options.
func newTestLoop(t *testing.T, c *trusttest.Circle, name, dir string, adjust func(*store.Options)) (*loop, *Node) {
	t.Helper()
	opts := store.DefaultLocalOptions()
	if dir != "" {
		opts.InMemory = false
	}
	if adjust != nil {
		adjust(&opts)
	}
	st, err := store.Open(dir, opts)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	n := &Node{
		cfg:     testConfig(c, name),
		log:     slog.New(slog.DiscardHandler),
		key:     protocol.KeyOf(trusttest.KeyFor(name)),
		genesis: c.Genesis,
		group:   c.Genesis.Hash(),
		store:   st,
		changed: make(chan struct{}),
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.sync = newSyncer(n.log, &n.cfg, n.key, n.group)
	n.sync.attach(n)
	t.Cleanup(func() {
		n.cancel()
		_ = st.Close() // a test may have closed it already
	})
	l, err := newLoop(n)
	if err != nil {
		t.Fatalf("newLoop: %v", err)
	}
	return l, n
}

// peerOf returns the peer ID of the actor called name.
func peerOf(t *testing.T, c *trusttest.Circle, name string) peer.ID {
	t.Helper()
	p, err := PeerID(c.Actor(name).Key)
	if err != nil {
		t.Fatalf("PeerID(%s): %v", name, err)
	}
	return p
}

// storedOrder returns the hashes of the stored ops in store order, and
// fails the test unless every op comes after the preds it cites.
func storedOrder(t *testing.T, st *store.Store) []protocol.Hash {
	t.Helper()
	seen := map[protocol.Hash]bool{}
	var order []protocol.Hash
	err := st.Range(func(op *protocol.Op) error {
		for _, p := range op.Preds {
			if !seen[p] {
				t.Errorf("store order: %s is stored before its pred %s", op, p.Short())
			}
		}
		seen[op.Hash()] = true
		order = append(order, op.Hash())
		return nil
	})
	if err != nil {
		t.Fatalf("Range: %v", err)
	}
	return order
}

// stateOf resolves the ops of circle c into a State.
func stateOf(t *testing.T, ops []*protocol.Op) *trust.State {
	t.Helper()
	st, err := trust.Resolve(ops)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return st
}

// untilChanged waits until cond holds on n, checking it again at every
// change of n (taking the Changed channel before each check, so that a
// change between the check and the wait is never missed). When ctx ends
// first it fails the test with what, followed by n's State.
func untilChanged(t *testing.T, ctx context.Context, n *Node, what string, cond func() bool) {
	t.Helper()
	for {
		ch := n.Changed()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("%s:\n%s", what, n.State())
		}
	}
}
