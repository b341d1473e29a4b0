package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Routers of a baseline network.
const (
	gossipsubRouter = "gossipsub"
	floodsubRouter  = "floodsub"
)

// psNet is a baseline: bare libp2p hosts of the same kind as Kring's
// (TCP, Noise, yamux, the same proxies) running plain pubsub on one
// topic, with no validator, no store and no gate. Deliveries go to a
// recorder keyed by the SHA-256 of the message, like an op's hash.
type psNet struct {
	names   []string
	hosts   []host.Host
	topics  []*pubsub.Topic
	proxies []*proxy
	rec     *recorder
	count   *counter
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// newPSNet starts n hosts running router, each behind a proxy delaying
// by delay if proxied, and connects them all to each other.
func newPSNet(ctx context.Context, n int, router string, proxied bool, delay time.Duration) (_ *psNet, err error) {
	ctx, cancel := context.WithCancel(ctx)
	p := &psNet{names: names(n), rec: newRecorder(), count: &counter{}, cancel: cancel}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	topic := "/bench/ops/1"
	for i := range n {
		h, err := p.newHost(i, proxied, delay)
		if err != nil {
			return nil, err
		}
		ps, err := newRouter(ctx, h, router, p.count)
		if err != nil {
			return nil, err
		}
		t, err := ps.Join(topic)
		if err != nil {
			return nil, fmt.Errorf("bench: join: %w", err)
		}
		sub, err := t.Subscribe(pubsub.WithBufferSize(4096))
		if err != nil {
			return nil, fmt.Errorf("bench: subscribe: %w", err)
		}
		p.topics = append(p.topics, t)
		name := p.names[i]
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				m, err := sub.Next(ctx)
				if err != nil {
					return
				}
				p.rec.record(name, sha256.Sum256(m.Data), time.Now())
			}
		}()
	}
	if err := p.connectAll(ctx); err != nil {
		return nil, err
	}
	// Every host must see every other on the topic before measuring.
	err = waitUntil(ctx, 30*time.Second, "baseline topic peers", func() bool {
		for _, t := range p.topics {
			if len(t.ListPeers()) < n-1 {
				return false
			}
		}
		return true
	})
	return p, err
}

func (p *psNet) newHost(i int, proxied bool, delay time.Duration) (host.Host, error) {
	sk, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		return nil, fmt.Errorf("bench: key: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(sk),
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.DisableRelay(), libp2p.DisableMetrics(), libp2p.Ping(false),
	}
	// The proxy learns the host once it exists, from another goroutine.
	var hp atomic.Pointer[host.Host]
	if proxied {
		px, err := newProxy(delay, func() (string, error) {
			if h := hp.Load(); h != nil {
				return hostAddr(*h)
			}
			return "", errors.New("bench: host not up yet")
		})
		if err != nil {
			return nil, err
		}
		p.proxies = append(p.proxies, px)
		announce, err := multiaddr.NewMultiaddr(px.multiaddr())
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		opts = append(opts, libp2p.AddrsFactory(func([]multiaddr.Multiaddr) []multiaddr.Multiaddr { return []multiaddr.Multiaddr{announce} }))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("bench: host: %w", err)
	}
	hp.Store(&h)
	p.hosts = append(p.hosts, h)
	return h, nil
}

// hostAddr is the host:port h really listens on.
func hostAddr(h host.Host) (string, error) {
	for _, a := range h.Network().ListenAddresses() {
		if na, err := manet.ToNetAddr(a); err == nil && na.Network() == "tcp" {
			return na.String(), nil
		}
	}
	return "", errors.New("bench: host listens on no TCP address")
}

// newRouter starts pubsub on h with the router settings Kring's nodes
// use (Kring's wire format, node.WireOptions, or for floodsub its message
// options; flood publishing, big queues, the same heartbeat), minus
// validation, scoring and admission.
func newRouter(ctx context.Context, h host.Host, router string, c *counter) (*pubsub.PubSub, error) {
	cfg := node.DefaultLocalConfig()
	daemonTimers(&cfg)
	wire := node.WireOptions()
	if router == floodsubRouter {
		wire = node.MessageOptions() // floodsub takes no gossipsub protocol IDs
	}
	opts := append(wire,
		pubsub.WithValidateQueueSize(cfg.ValidateQueue),
		pubsub.WithPeerOutboundQueueSize(cfg.OutboundQueue),
		pubsub.WithRawTracer(c))
	var ps *pubsub.PubSub
	var err error
	if router == floodsubRouter {
		ps, err = pubsub.NewFloodSub(ctx, h, opts...)
	} else {
		params := pubsub.DefaultGossipSubParams()
		params.HeartbeatInterval = cfg.Heartbeat
		params.HeartbeatInitialDelay = min(cfg.Heartbeat, 100*time.Millisecond)
		opts = append(opts,
			pubsub.WithGossipSubParams(params),
			pubsub.WithFloodPublish(true))
		ps, err = pubsub.NewGossipSub(ctx, h, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", router, err)
	}
	return ps, nil
}

func (p *psNet) connectAll(ctx context.Context) error {
	type pair struct{ a, b host.Host }
	work := make(chan pair)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pr := range work {
				if err := connectHosts(ctx, pr.a, pr.b); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i, a := range p.hosts {
		for _, b := range p.hosts[i+1:] {
			if a.Network().Connectedness(b.ID()) != network.Connected {
				work <- pair{a, b}
			}
		}
	}
	close(work)
	wg.Wait()
	return first
}

// connectHosts dials b from a, retrying as connect does for nodes.
func connectHosts(ctx context.Context, a, b host.Host) error {
	var err error
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); {
		if a.Network().Connectedness(b.ID()) == network.Connected {
			return nil
		}
		if err = a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("bench: connecting baseline hosts: %w", err)
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// publish has host i publish data; pubsub does not copy it, so a copy goes.
func (p *psNet) publish(ctx context.Context, i int, data []byte) error {
	return p.topics[i].Publish(ctx, bytes.Clone(data))
}

// ports are the TCP ports the hosts listen on.
func (p *psNet) ports() ([]int, error) {
	var out []int
	for _, h := range p.hosts {
		a, err := hostAddr(h)
		if err != nil {
			return nil, err
		}
		out = append(out, portOf(a))
	}
	return out, nil
}

// bytes is the traffic through every proxy so far.
func (p *psNet) bytes() int64 {
	var n int64
	for _, px := range p.proxies {
		n += px.Bytes()
	}
	return n
}

func (p *psNet) close() {
	p.cancel()
	for _, h := range p.hosts {
		h.Close()
	}
	for _, px := range p.proxies {
		px.Close()
	}
	p.wg.Wait()
}

// hashOf is the recorder key of a message: the SHA-256 of its bytes, as
// for an op.
func hashOf(b []byte) protocol.Hash { return sha256.Sum256(b) }
