package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/testnet"
)

// circleOpts shape a Kring test circle for a scenario.
type circleOpts struct {
	dir      string
	founders []string
	// proxied puts a proxy in front of each node, delaying by delay.
	proxied bool
	delay   time.Duration
	// inMemory keeps the stores in memory (for wire-only figures).
	inMemory bool
	// tcpOnly drops the QUIC listener, so that all traffic is TCP.
	tcpOnly bool
	// tracer, if set, is every node's node.Config.GossipTracer.
	tracer *counter
	// unpaced lifts the pace of each member's ops (node.Pace): the
	// scenarios that measure how fast a node takes one author's ops, or
	// how much room many of them take, must not measure the pace instead.
	unpaced bool
}

// noPace is a pace no scenario reaches: a million ops a second, and a
// burst of a million ops and 64 GiB.
var noPace = node.Pace{OpsPerSecond: 1e6, Burst: 1e6, BytesPerSecond: 1 << 40, BurstBytes: 64 << 30}

// circle is a testnet circle whose nodes may sit behind proxies and
// report what they store to recorders: rec when it is durable, vis when
// members can see it.
type circle struct {
	*testnet.Net
	opts circleOpts
	rec  *recorder
	vis  *recorder

	mu      sync.Mutex
	proxies map[string]*proxy
}

// newCircle founds a circle; no node runs until start.
func newCircle(opts circleOpts) (*circle, error) {
	c := &circle{opts: opts, rec: newRecorder(), vis: newRecorder(), proxies: map[string]*proxy{}}
	net, err := testnet.New(testnet.Options{Dir: opts.dir, Founders: opts.founders, Config: c.configure, Logger: debugLogger()})
	if err != nil {
		return nil, err
	}
	c.Net = net
	for _, name := range opts.founders {
		if err := c.addProxy(name); err != nil {
			c.close()
			return nil, err
		}
	}
	return c, nil
}

// add adds a non-member organisation (an applicant) with its proxy.
func (c *circle) add(name string) (*testnet.Member, error) {
	m, err := c.Add(name)
	if err == nil {
		err = c.addProxy(name)
	}
	return m, err
}

func (c *circle) addProxy(name string) error {
	if !c.opts.proxied {
		return nil
	}
	p, err := newProxy(c.opts.delay, func() (string, error) { return c.listenAddr(name) })
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.proxies[name] = p
	c.mu.Unlock()
	return nil
}

// listenAddr is the host:port node name really listens on.
func (c *circle) listenAddr(name string) (string, error) {
	nd := c.M(name).Node()
	if nd == nil {
		return "", fmt.Errorf("bench: %s is not running", name)
	}
	for _, a := range nd.ListenAddrs() {
		if na, err := manet.ToNetAddr(a); err == nil && na.Network() == "tcp" {
			return na.String(), nil
		}
	}
	return "", fmt.Errorf("bench: %s listens on no TCP address", name)
}

// configure is testnet.Options.Config: a daemon's timers (see
// daemonTimers); behind a proxy, TCP only on a fresh port with the proxy
// announced; stores reported to the recorder.
func (c *circle) configure(name string, cfg *node.Config) {
	daemonTimers(cfg)
	c.mu.Lock()
	if p := c.proxies[name]; p != nil {
		// The proxy finds the node on whatever port it gets.
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
		cfg.AnnounceAddrs = []string{p.multiaddr()}
	}
	c.mu.Unlock()
	if c.opts.tcpOnly {
		var tcp []string
		for _, a := range cfg.ListenAddrs {
			if strings.Contains(a, "/tcp/") {
				tcp = append(tcp, a)
			}
		}
		cfg.ListenAddrs = tcp
	}
	cfg.OnStored = c.rec.hook(name)
	cfg.OnVisible = c.vis.hook(name)
	if c.opts.unpaced {
		cfg.PaceAdvisories, cfg.PaceMembership = noPace, noPace
	}
	if c.opts.tracer != nil {
		cfg.GossipTracer = c.opts.tracer
	}
	if c.opts.inMemory {
		cfg.Store = store.DefaultLocalOptions()
		cfg.DataDir = ""
	}
}

// ports are the TCP ports the named nodes listen on.
func (c *circle) ports(names []string) ([]int, error) {
	var out []int
	for _, n := range names {
		a, err := c.listenAddr(n)
		if err != nil {
			return nil, err
		}
		out = append(out, portOf(a))
	}
	return out, nil
}

// daemonTimers gives a test node the timers of a member's daemon
// (node.DefaultConfig) instead of the test configuration's fast ones:
// gossipsub heartbeat, periodic sync, redial backoff and score sampling.
// What a member experiences depends on them, and the fast ones cost an
// idle circle of 50 in one process more than a core.
func daemonTimers(cfg *node.Config) {
	d := node.DefaultConfig()
	cfg.Heartbeat, cfg.SyncInterval, cfg.ScoreInspect = d.Heartbeat, d.SyncInterval, d.ScoreInspect
	cfg.RedialMin, cfg.RedialMax = d.RedialMin, d.RedialMax
}

// bytes is the traffic through every proxy so far.
func (c *circle) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, p := range c.proxies {
		n += p.Bytes()
	}
	return n
}

// start starts the named nodes one by one, then connects every running
// node to every other, many dials at a time.
func (c *circle) start(ctx context.Context, names ...string) error {
	for _, name := range names {
		if err := c.M(name).Start(ctx); err != nil {
			return err
		}
	}
	return c.connectAll(ctx)
}

// connectAll dials every unconnected pair of running nodes, 16 at a time.
func (c *circle) connectAll(ctx context.Context) error {
	ms := c.Running()
	type pair struct{ a, b *testnet.Member }
	work := make(chan pair)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				if err := connect(ctx, p.a, p.b); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			work <- pair{a, b}
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// connect dials b from a until they are connected. A dial may meet a
// redial half-way, or time out while dozens of handshakes compete for the
// CPU; libp2p then backs off dialling that peer for a few seconds, so
// retries are spaced by a second, and a connection made by either node's
// own redial loop counts too.
func connect(ctx context.Context, a, b *testnet.Member) error {
	var err error
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		an, bn := a.Node(), b.Node()
		if an == nil || bn == nil {
			return fmt.Errorf("bench: %s or %s is not running", a.Name, b.Name)
		}
		if an.Connected(b.ID) {
			return nil
		}
		if err = an.Connect(ctx, bn.AddrInfo()); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("bench: connecting %s to %s: %w", a.Name, b.Name, err)
}

// close stops every node and proxy.
func (c *circle) close() error {
	var errs []error
	if c.Net != nil {
		errs = append(errs, c.Net.Close())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.proxies {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// names returns n founder names: "N00", "N01", …
func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("N%02d", i)
	}
	return out
}

// debugLogger sends every node's logs, DEBUG and up, to stderr when
// KRING_BENCH_LOG is set, to find out why a scenario is slow; nil
// otherwise.
func debugLogger() *slog.Logger {
	if os.Getenv("KRING_BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
