package node

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// logRecords is a slog handler that keeps every record, for tests that
// count what a node logged.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}
func (h *logRecords) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecords) WithGroup(string) slog.Handler      { return h }

// count returns how many records of level lvl have message msg, and the
// value of attribute key of the last of them.
func (h *logRecords) count(lvl slog.Level, msg, key string) (int, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, val := 0, ""
	for _, r := range h.recs {
		if r.Level == lvl && r.Message == msg {
			n++
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == key {
					val = a.Value.String()
				}
				return true
			})
		}
	}
	return n, val
}

// suspendE has B and C vote to suspend E, B enact it, and hands the three
// ops to the given nodes. It returns the motion.
func suspendE(t *testing.T, ctx context.Context, c *trusttest.Circle, nodes ...*Node) protocol.Motion {
	t.Helper()
	m := c.Suspend("E", "leak")
	v1 := must(t)(c.Vote("B", m))
	syncActor(t, c, "C", "B")
	v2 := must(t)(c.Vote("C", m))
	syncActor(t, c, "B", "C")
	enact := must(t)(c.Enact("B", m))
	for _, n := range nodes {
		if _, err := n.submit(ctx, []*protocol.Op{v1, v2, enact}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// connectedTo reports whether n has a connection to p.
func connectedTo(n *Node, p peer.ID) bool {
	return n.host.Network().Connectedness(p) == network.Connected
}

const standingChanged = "this organisation's standing changed"

// A node that learns it is suspended says so once at WARN, and from then
// on starts no sync, fetch or redial with members, however often it is
// asked: before the fix a suspended node made about 450 sync attempts a
// second (each sync dialled the member that had just refused it, and each
// connection kicked another sync).
func TestSuspendedNodeWarnsOnceAndStopsSyncing(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	b := startNode(t, c, "B", nil)
	logs := &logRecords{}
	e := startNode(t, c, "E", func(cfg *Config) {
		cfg.Peers = append(a.P2PAddrs()[:1], b.P2PAddrs()[:1]...)
		cfg.Logger = slog.New(logs)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitUntil(t, ctx, "E connected to A and B", func() bool { return connectedTo(e, a.ID()) && connectedTo(e, b.ID()) })
	suspendE(t, ctx, c, a, b)
	waitUntil(t, ctx, "E told of its suspension", func() bool { return !e.State().InSharingSet(e.key) })
	waitUntil(t, ctx, "E cut off", e.cutOff.Load)
	// A told E at the disconnect: a knock now would tell it nothing new,
	// so A's gate refuses it like any other connection.
	waitUntil(t, ctx, "A noted that E was told", func() bool { return !a.notices.untold(e.key) })
	if a.gater.InterceptSecured(network.DirInbound, e.ID(), nil) {
		t.Error("A's gate let a removed member through with nothing new to tell it")
	}

	syncs, dials := e.sync.attempts.Load(), e.dialAttempts.Load()
	var targets sharingPeers
	for i := range 100 {
		e.sync.kick(a.ID())
		e.sync.kick(b.ID())
		e.sync.fetch(a.ID())
		e.syncRandomPeer()
		e.redialDue(&targets, time.Now().Add(time.Duration(i)*time.Hour))
	}
	if got := e.sync.attempts.Load() - syncs; got != 0 {
		t.Errorf("a cut-off node made %d sync attempts after 500 requests, want 0", got)
	}
	if got := e.dialAttempts.Load() - dials; got != 0 {
		t.Errorf("a cut-off node dialled members %d times, want 0", got)
	}
	n, to := logs.count(slog.LevelWarn, standingChanged, "to")
	if n != 1 || to != "member, suspended" {
		t.Errorf("WARN %q logged %d times, last to %q; want once, to \"member, suspended\"", standingChanged, n, to)
	}
}

// A member that refuses this node without this node knowing why (a local
// block) makes each failed sync back off: however often the node is
// asked to sync with it, it tries once until the backoff runs out.
func TestFailedSyncBacksOff(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	e := startNode(t, c, "E", func(cfg *Config) {
		cfg.RedialMin, cfg.RedialMax = time.Minute, time.Hour // no backoff runs out during the test
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Block(ctx, e.key, "test"); err != nil {
		t.Fatal(err)
	}
	// A refuses at its gate after the handshake: E's dial succeeds, and
	// the sync over the dying connection fails.
	for !e.sync.retry.failing(a.ID()) {
		_ = e.Connect(ctx, a.AddrInfo())
		if ctx.Err() != nil {
			t.Fatal("E never tried a sync with A")
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := e.sync.attempts.Load()
	for range 50 {
		_ = e.Connect(ctx, a.AddrInfo())
		e.sync.kick(a.ID())
		e.sync.fetch(a.ID())
	}
	if got := e.sync.attempts.Load() - before; got != 0 {
		t.Errorf("%d more sync attempts with a refusing member inside its backoff, want 0", got)
	}
	if e.cutOff.Load() {
		t.Error("a local block elsewhere cut this node off")
	}
}

// The retry policy: delays double from min to max; the jitter adds at most
// half. Over a simulated minute of a peer that always fails, the attempts
// are few, and their gaps grow geometrically until the cap.
func TestRetryScheduleIsBoundedAndGeometric(t *testing.T) {
	noJitter := func(int64) int64 { return 0 }
	fullJitter := func(n int64) int64 { return n - 1 }
	pol := retryPolicy{min: 100 * time.Millisecond, max: 10 * time.Second, jitter: noJitter}
	for f, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 7: 6400 * time.Millisecond, 8: 10 * time.Second, 60: 10 * time.Second} {
		if got := pol.delay(f); got != want {
			t.Errorf("delay(%d) = %v, want %v", f, got, want)
		}
	}
	pol.jitter = fullJitter
	if got := pol.delay(8); got != 15*time.Second {
		t.Errorf("delay(8) with full jitter = %v, want 15s", got)
	}

	pol.jitter = noJitter
	s := newRetrySchedule(pol)
	p := peer.ID("member")
	start := time.Unix(0, 0)
	var at []time.Duration
	for now := start; now.Sub(start) < time.Minute; now = now.Add(time.Millisecond) {
		if s.due(p, now) {
			at = append(at, now.Sub(start))
			s.failed(p, now)
		}
	}
	// 0, .1, .3, .7, 1.5, 3.1, 6.3, 12.7, then every 10 s: 22.7 … 52.7.
	if len(at) != 12 {
		t.Fatalf("%d attempts in a simulated minute (%v), want 12", len(at), at)
	}
	for i := 2; i < 8; i++ {
		if g0, g1 := at[i-1]-at[i-2], at[i]-at[i-1]; g1 != 2*g0 {
			t.Errorf("gap %d = %v after %v, want it doubled", i, g1, g0)
		}
	}
	if gap := at[11] - at[10]; gap != 10*time.Second {
		t.Errorf("gap at the cap = %v, want 10s", gap)
	}
	s.succeeded(p)
	if !s.due(p, start) || s.failing(p) {
		t.Error("a success did not end the backoff")
	}
}

// revokeE has A, B and C vote to revoke E, A enact it, and hands the four
// ops to the given nodes.
func revokeE(t *testing.T, ctx context.Context, c *trusttest.Circle, nodes ...*Node) *protocol.Op {
	t.Helper()
	syncActor(t, c, "A", "B")
	m := c.Revoke("E")
	var ops []*protocol.Op
	for _, v := range []string{"A", "B", "C"} {
		syncActor(t, c, v, "A", "B", "C")
		ops = append(ops, must(t)(c.Vote(v, m)))
	}
	syncActor(t, c, "A", "B", "C")
	enact := must(t)(c.Enact("A", m))
	ops = append(ops, enact)
	for _, n := range nodes {
		if _, err := n.submit(ctx, ops); err != nil {
			t.Fatal(err)
		}
	}
	return enact
}

// A member suspended and later revoked is told of the revocation: cut
// off, it syncs with no one, but it knocks now and then; a member's gate
// lets the knock through (at most once per NoticeInterval), pushes the
// enactments about it and closes. Its standing then says revoked, and
// each change was logged at WARN.
func TestSuspendedThenRevokedNodeIsTold(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	fast := func(cfg *Config) { cfg.NoticeInterval = 200 * time.Millisecond }
	a := startNode(t, c, "A", fast)
	b := startNode(t, c, "B", fast)
	logs := &logRecords{}
	e := startNode(t, c, "E", func(cfg *Config) {
		fast(cfg)
		cfg.Peers = append(a.P2PAddrs()[:1], b.P2PAddrs()[:1]...)
		cfg.Logger = slog.New(logs)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitUntil(t, ctx, "E connected to A and B", func() bool { return connectedTo(e, a.ID()) && connectedTo(e, b.ID()) })
	suspendE(t, ctx, c, a, b)
	waitUntil(t, ctx, "E cut off", e.cutOff.Load)
	syncs := e.sync.attempts.Load()

	enact := revokeE(t, ctx, c, a, b)
	waitUntil(t, ctx, "E told of its revocation", func() bool {
		return e.State().Key(e.key).Status == trust.StatusRevoked
	})
	// The State is in force from before the revocation's store write; the
	// node acts on it (logs its standing) once the write is synced.
	waitUntil(t, ctx, "E's store to hold the revocation it was told of, and E to act on it", func() bool {
		ok, _ := e.store.Has(enact.Hash())
		n, _ := logs.count(slog.LevelWarn, standingChanged, "to")
		return ok && n >= 2
	})
	if got := e.sync.attempts.Load() - syncs; got != 0 {
		t.Errorf("E made %d sync attempts while cut off, want 0: it must learn by the notice alone", got)
	}
	if a.knocksAnswered.Load()+b.knocksAnswered.Load() == 0 {
		t.Error("no member answered a knock")
	}
	if n, to := logs.count(slog.LevelWarn, standingChanged, "to"); n != 2 || to != "revoked" {
		t.Errorf("WARN %q logged %d times, last to %q; want twice, last to revoked", standingChanged, n, to)
	}
	if !e.cutOff.Load() {
		t.Error("a revoked node is no longer cut off")
	}
}

// A connection whose upgrade was under way while enforce refused its peer
// passed the gate under the old snapshot; the on-connect check closes it.
func TestOnConnectRechecksStanding(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	e := startNode(t, c, "E", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	conns := a.host.Network().ConnsToPeer(e.ID())
	if len(conns) == 0 {
		t.Fatal("A has no connection to E")
	}
	// E is refused from now on, as if enforce had swapped the snapshot in
	// while this connection was being upgraded: enforce never saw it.
	snap := *a.gater.cur.Load()
	snap.blocks = map[protocol.Key]bool{e.key: true}
	a.gater.cur.Store(&snap)
	a.notifiee().Connected(a.host.Network(), conns[0])
	waitUntil(t, ctx, "A closed the connection to E", func() bool { return !connectedTo(a, e.ID()) })
	if got := a.refusedWhileConnecting.Load(); got != 1 {
		t.Errorf("refusedWhileConnecting = %d, want 1", got)
	}
}

// A lifted suspension ends the cut-off: a member that lets the node in
// again hands it the lift, and the node syncs again.
func TestLiftedSuspensionEndsTheCutOff(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	e := startNode(t, c, "E", func(cfg *Config) { cfg.Peers = a.P2PAddrs()[:1] })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waitUntil(t, ctx, "E connected to A", func() bool { return connectedTo(e, a.ID()) })
	m := suspendE(t, ctx, c, a)
	waitUntil(t, ctx, "E cut off", e.cutOff.Load)
	syncActor(t, c, "A", "B")
	lift := c.Unsuspend("E", m)
	var ops []*protocol.Op
	for _, v := range []string{"A", "B", "C"} {
		syncActor(t, c, v, "A", "B", "C")
		ops = append(ops, must(t)(c.Vote(v, lift)))
	}
	syncActor(t, c, "A", "B", "C")
	ops = append(ops, must(t)(c.Enact("A", lift)))
	if _, err := a.submit(ctx, ops); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "E back in the sharing set", func() bool { return e.State().InSharingSet(e.key) })
	// The State is in force from before the lift's store write; the node
	// acts on it (here: ends the cut-off) once the write is synced.
	waitUntil(t, ctx, "E no longer cut off after the lift", func() bool { return !e.cutOff.Load() })
	before := e.sync.attempts.Load()
	e.sync.kick(a.ID())
	waitUntil(t, ctx, "E syncs again", func() bool { return e.sync.attempts.Load() > before })
}

// A sync kicked while the peer backs off is not lost: it runs once when
// the backoff ends, however often it was kicked meanwhile.
func TestKickDuringBackoffRunsOnceAfterIt(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	e := startNode(t, c, "E", func(cfg *Config) {
		cfg.RedialMin, cfg.RedialMax = 300*time.Millisecond, 300*time.Millisecond
		cfg.SyncInterval = time.Hour
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	connectAndSync(t, ctx, e, a)
	e.sync.retry.failed(a.ID(), time.Now())
	before := e.sync.attempts.Load()
	for range 20 {
		e.sync.kick(a.ID())
	}
	if got := e.sync.attempts.Load() - before; got != 0 {
		t.Fatalf("%d syncs started inside the backoff, want 0", got)
	}
	waitUntil(t, ctx, "the kicks inside the backoff to lead to a sync after it", func() bool { return e.sync.attempts.Load() != before })
	time.Sleep(700 * time.Millisecond)
	if got := e.sync.attempts.Load() - before; got != 1 {
		t.Errorf("%d syncs after 20 kicks inside one backoff, want 1", got)
	}
	if e.sync.retry.failing(a.ID()) {
		t.Error("the sync after the backoff did not succeed")
	}
}

// A member that takes this node's admission ends the node's backoffs:
// the node syncs with it at once, though its refused syncs had made it
// wait an hour.
func TestEnrolmentEndsTheSyncBackoff(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "E")
	a := startNode(t, c, "A", nil)
	e := startNode(t, c, "E", func(cfg *Config) {
		cfg.RedialMin, cfg.RedialMax = time.Hour, time.Hour
		cfg.SyncInterval = time.Hour
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	connectAndSync(t, ctx, e, a)
	e.sync.retry.failed(a.ID(), time.Now())
	before := e.sync.attempts.Load()
	e.enrolled(c.Genesis, a.ID())
	waitUntil(t, ctx, "E to sync with the member that took its admission", func() bool { return e.sync.attempts.Load() != before })
}

// busy reports whether a sync with p is running.
func (t *syncTurns) busy(p peer.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.running[p]
}

// connectAndSync connects e to a and waits until the sync the connection
// kicked has run and ended.
func connectAndSync(t *testing.T, ctx context.Context, e, a *Node) {
	t.Helper()
	if err := e.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "E to connect to A and end the sync the connection kicked", func() bool {
		return connectedTo(e, a.ID()) && !e.sync.turns.busy(a.ID()) && e.sync.attempts.Load() > 0
	})
}
