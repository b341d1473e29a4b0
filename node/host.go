package node

import (
	"crypto/ed25519"
	"fmt"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	libp2pprotocol "github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	tls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/protocol"
)

// newHost builds the node's libp2p host: the member key as identity, TCP
// and QUIC, Noise and TLS, the trust gater, a resource manager with
// explicit limits, and a connection manager (member connections are
// protected by pubsub's tag tracer and by the node).
func newHost(cfg *Config, g *gater) (host.Host, *connmgr.BasicConnMgr, error) {
	sk, err := crypto.UnmarshalEd25519PrivateKey(cfg.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("node: member key: %w", err)
	}
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	conns := rcmgr.LimitVal(cfg.MaxConns)
	perPeerConns := rcmgr.LimitVal(cfg.MaxConnsPerPeer)
	perPeerStreams := rcmgr.LimitVal(cfg.MaxStreamsPerPeer)
	partial := rcmgr.PartialLimitConfig{
		System: rcmgr.ResourceLimits{
			Conns: conns, ConnsInbound: conns, ConnsOutbound: conns,
			Memory: rcmgr.LimitVal64(cfg.MaxMemory),
		},
		PeerDefault: rcmgr.ResourceLimits{
			Conns: perPeerConns, ConnsInbound: perPeerConns, ConnsOutbound: perPeerConns,
			Streams: perPeerStreams, StreamsInbound: perPeerStreams, StreamsOutbound: perPeerStreams,
		},
		// A sync stream may buffer a frame of up to 8 MiB: a few per peer.
		ProtocolPeer: map[libp2pprotocol.ID]rcmgr.ResourceLimits{
			protocol.SyncProtocol: {Streams: 8, StreamsInbound: 4, StreamsOutbound: 4},
		},
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(partial.Build(limits.AutoScale())), rcmgr.WithMetricsDisabled())
	if err != nil {
		return nil, nil, fmt.Errorf("node: resource manager: %w", err)
	}
	cm, err := connmgr.NewConnManager(cfg.ConnLow, cfg.ConnHigh)
	if err != nil {
		return nil, nil, fmt.Errorf("node: connection manager: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(sk),
		libp2p.ListenAddrStrings(cfg.ListenAddrs...),
		// Without SO_REUSEPORT, a second node on a port another holds
		// fails to listen instead of binding beside it and taking half its
		// connections (issue 12, finding 7).
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(tls.ID, tls.New),
		libp2p.ConnectionGater(g),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.Ping(false),
		libp2p.UserAgent("kring"),
	}
	if len(cfg.AnnounceAddrs) > 0 {
		announce := make([]multiaddr.Multiaddr, 0, len(cfg.AnnounceAddrs))
		for _, a := range cfg.AnnounceAddrs {
			m, err := multiaddr.NewMultiaddr(a)
			if err != nil {
				return nil, nil, fmt.Errorf("node: announce address %q: %w", a, err)
			}
			announce = append(announce, m)
		}
		opts = append(opts, libp2p.AddrsFactory(func([]multiaddr.Multiaddr) []multiaddr.Multiaddr { return announce }))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("node: libp2p host: %w", listenFailed(err))
	}
	return h, cm, nil
}

// PeerKey returns the member key behind a peer ID (the ID inlines the
// Ed25519 key), and false for IDs of other key types.
func PeerKey(p peer.ID) (protocol.Key, bool) {
	pub, err := p.ExtractPublicKey()
	if err != nil || pub.Type() != crypto.Ed25519 {
		return protocol.Key{}, false
	}
	raw, err := pub.Raw()
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return protocol.Key{}, false
	}
	return protocol.Key(raw), true
}

// PeerID returns the peer ID of a member's node: the ID inlines the key.
func PeerID(k protocol.Key) (peer.ID, error) {
	pub, err := crypto.UnmarshalEd25519PublicKey(k[:])
	if err != nil {
		return "", fmt.Errorf("node: member key %s: %w", k.Short(), err)
	}
	return peer.IDFromPublicKey(pub)
}
