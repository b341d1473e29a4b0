package node

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// Config is everything a member's node needs. Start from DefaultConfig (a
// daemon on a server) or DefaultLocalConfig (fast timers, loopback, for
// tests and the local demo) and set Key, Genesis and DataDir.
type Config struct {
	// Key is the organisation's Ed25519 signing key. It is also the node's
	// libp2p identity: a peer ID is a member ID.
	Key ed25519.PrivateKey
	// Genesis is the circle's genesis op, in its canonical encoding.
	Genesis []byte
	// DataDir is the badger directory; ignored when Store.InMemory is set.
	DataDir string
	// Store tunes the badger store.
	Store store.Options
	// ListenAddrs are the multiaddrs the node listens on (TCP and QUIC).
	ListenAddrs []string
	// Peers are "/ip4/…/tcp/…/p2p/<id>" multiaddrs to dial at start. A
	// listed peer that the log does not know yet may be dialled, so that a
	// newcomer can reach a circle whose founders have left; once the log
	// says the peer is no member, it is refused like any other.
	Peers []string
	// ConnLow and ConnHigh are the connection manager's watermarks.
	// Connections to sharing members are protected from trimming.
	ConnLow, ConnHigh int
	// MaxConns, MaxConnsPerPeer and MaxStreamsPerPeer are the resource
	// manager's explicit limits: connections of the whole node,
	// connections and streams per peer.
	MaxConns, MaxConnsPerPeer, MaxStreamsPerPeer int
	// MaxMemory bounds the memory the resource manager lets libp2p
	// reserve, in bytes.
	MaxMemory int64
	// ValidateQueue is pubsub's validation queue. The default of 32 drops
	// ops under bursts; a circle publishes in bursts (an incident).
	ValidateQueue int
	// OutboundQueue is pubsub's per-peer outbound queue.
	OutboundQueue int
	// ValidateConcurrency bounds concurrent validations of the ops topic.
	ValidateConcurrency int
	// Heartbeat is gossipsub's heartbeat interval.
	Heartbeat time.Duration
	// SyncInterval is how often the node syncs with a random member.
	SyncInterval time.Duration
	// StreamTimeout bounds every sync stream exchange.
	StreamTimeout time.Duration
	// SyncBeforePublish is how many members a node must have completed a
	// sync with (since it started) before it publishes: fewer if the
	// circle has fewer other members. 0 turns the wait off.
	SyncBeforePublish int
	// PublishWait bounds how long a node waits, after it starts or is
	// admitted, for members to answer before it settles for fewer syncs
	// than SyncBeforePublish: past it, a sync with every member it is
	// connected to (at least one; SyncBeforePublish at most) is enough.
	// With no member connected it still refuses to publish
	// (ErrNoMemberReachable). 0 settles at once.
	PublishWait time.Duration
	// RedialMin and RedialMax bound the backoff between dials to a
	// member the node is not connected to; a random jitter of up to half
	// the delay comes on top.
	RedialMin, RedialMax time.Duration
	// NoticeInterval caps the backoff of a cut-off node's knocks (a dial
	// to one member, to learn of decisions about it), and is the least
	// time between two notices a member hands one removed member.
	NoticeInterval time.Duration
	// ExitWhenCutOff makes the node stop, with Err wrapping ErrCutOff,
	// once its log says this organisation is suspended, revoked or gone,
	// instead of waiting for a notice of a later decision.
	ExitWhenCutOff bool
	// AllowPrivateAddrs lets the node take and dial loopback, private
	// and link-local addresses of members (tests, a circle on one host
	// or one private network). Without it such addresses are dropped
	// wherever they come from, except the configured Peers; a node whose
	// own listen and announce addresses are all loopback or private
	// allows them anyway.
	AllowPrivateAddrs bool
	// ScoreInspect is how often gossipsub peer scores are sampled for
	// PeerScore.
	ScoreInspect time.Duration
	// CommitBatch bounds how many ops (applied or parked) the loop
	// gathers in one burst before it commits; the commit itself is split
	// into store writes of at most 512 KiB.
	CommitBatch int
	// AnnounceAddrs, if set, are the multiaddrs the node tells its peers
	// instead of its listen addresses: the public address of a node
	// behind NAT or a load balancer, or a testnet link emulator.
	AnnounceAddrs []string
	// AutoEnact makes the node enact a Suspend, Unsuspend, Revoke or
	// Charter motion it voted for as soon as its counting votes reach the
	// charter's threshold and no enactment of it is in the log, so that
	// members only vote. Admit motions are enacted by the candidate.
	AutoEnact bool
	// OnStored, if set, is called by the log loop after each commit with
	// every op the commit stored and the time it became durable. It runs
	// on the loop and must return at once (e.g. observe a metric).
	OnStored func(op *protocol.Op, at time.Time)
	// OnVisible, if set, is called by the log loop at each commit with
	// every op it stores and the time members could see them: judged,
	// counted in the State and served by reads. Others' ops are visible
	// before their store write (reads serve them from memory until it
	// returns), a batch holding an op of this node's own once written;
	// both before the write is synced (OnStored follows once it is). It
	// runs on the loop and must return at once.
	OnVisible func(op *protocol.Op, at time.Time)
	// beforeWrite, if set (by tests), runs before each store write of
	// ops; an error refuses the write as a failing store would.
	beforeWrite func(ops []*protocol.Op) error
	// Refuse, if set, refuses peers on top of what the log and local
	// blocks refuse. The testnet cuts links with it; a daemon leaves it nil.
	Refuse func(peer.ID) bool
	// GossipTracer, if set, is given every event of the node's gossipsub
	// router (pubsub.WithRawTracer): RPCs sent, received and dropped,
	// grafts, prunes, deliveries. Benchmarks count the node's gossip
	// messages with it; a daemon leaves it nil. Its methods are called from
	// pubsub's goroutines and must return at once.
	GossipTracer pubsub.RawTracer
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger

	// PendingPeerBytes and PendingPeerOps are one forwarder's quota of
	// ops parked while their preds are missing: the memory they take with
	// their index entries, and their number. A forwarder over it loses
	// its own oldest parked ops, never another's. PendingPeerBytes fits at
	// least the largest op citing MaxPreds missing preds, and at most the
	// node's whole bound (64 MiB); PendingPeerOps is at least 1.
	PendingPeerBytes, PendingPeerOps int
	// PendingTTL is how long a parked op may wait for its preds; then it
	// is dropped and its forwarder's gossip score pays for it.
	PendingTTL time.Duration

	// PaceAdvisories and PaceMembership are how fast one member's
	// advisories, and its other ops, may reach this node (Pace). Every
	// member of a circle should use the same figures: a node publishes its
	// own ops at paceMargin of its own figures.
	PaceAdvisories, PaceMembership Pace

	// MinFreeDisk is the free-space watermark of the data dir's file
	// system, in bytes: below it the node takes membership ops and the
	// ops they cite, and defers other members' advisories and refuses its
	// own (ErrDiskLow), instead of failing when the disk is full. 0 turns
	// the watch off.
	MinFreeDisk int64
	// DiskFree, if set, returns the free bytes of the file system of a
	// path in place of statfs. Tests fill a disk with it; a daemon leaves
	// it nil.
	DiskFree func(path string) (uint64, error)
}

// DefaultConfig returns the configuration of a member's daemon on a server:
// TCP and QUIC on port 4001 on every interface, durable writes.
func DefaultConfig() Config {
	return Config{
		Store:               store.DefaultOptions(),
		ListenAddrs:         []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"},
		ConnLow:             64,
		ConnHigh:            192,
		MaxConns:            512,
		MaxConnsPerPeer:     8,
		MaxStreamsPerPeer:   256,
		MaxMemory:           512 << 20,
		ValidateQueue:       4096,
		OutboundQueue:       1024,
		ValidateConcurrency: 1024,
		Heartbeat:           time.Second,
		SyncInterval:        30 * time.Second,
		StreamTimeout:       30 * time.Second,
		SyncBeforePublish:   2,
		PublishWait:         5 * time.Second,
		RedialMin:           time.Second,
		RedialMax:           5 * time.Minute,
		NoticeInterval:      10 * time.Minute,
		ScoreInspect:        10 * time.Second,
		CommitBatch:         256,
		AutoEnact:           true,
		PendingPeerBytes:    8 << 20,
		PendingPeerOps:      1024,
		PendingTTL:          10 * time.Minute,
		PaceAdvisories:      Pace{OpsPerSecond: 20, Burst: 1000, BytesPerSecond: 1 << 20, BurstBytes: 64 << 20},
		PaceMembership:      Pace{OpsPerSecond: 2, Burst: 200, BytesPerSecond: 64 << 10, BurstBytes: 4 << 20},
		MinFreeDisk:         1 << 30,
	}
}

// DefaultLocalConfig returns DefaultConfig with loopback listeners on
// random ports and fast timers, for tests and the local demo circle.
func DefaultLocalConfig() Config {
	c := DefaultConfig()
	c.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}
	c.Heartbeat = 100 * time.Millisecond
	c.SyncInterval = 2 * time.Second
	c.StreamTimeout = 10 * time.Second
	c.RedialMin = 100 * time.Millisecond
	c.RedialMax = 2 * time.Second
	c.NoticeInterval = time.Second
	c.PublishWait = time.Second
	c.AllowPrivateAddrs = true
	c.ScoreInspect = 200 * time.Millisecond
	c.MaxMemory = 128 << 20
	c.MinFreeDisk = 64 << 20
	// Tests decide themselves who enacts (testnet.Net.Decide).
	c.AutoEnact = false
	return c
}

// ErrConfig reports an unusable configuration.
var ErrConfig = errors.New("node: bad config")

// Validate checks the configuration; New calls it.
func (c *Config) Validate() error {
	if len(c.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: Key is %d bytes, want an Ed25519 private key", ErrConfig, len(c.Key))
	}
	if len(c.Genesis) == 0 {
		return fmt.Errorf("%w: no Genesis", ErrConfig)
	}
	if c.DataDir == "" && !c.Store.InMemory {
		return fmt.Errorf("%w: no DataDir (or set Store.InMemory)", ErrConfig)
	}
	if len(c.ListenAddrs) == 0 {
		return fmt.Errorf("%w: no ListenAddrs", ErrConfig)
	}
	for _, a := range c.ListenAddrs {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return fmt.Errorf("%w: listen address %q: %v", ErrConfig, a, err)
		}
	}
	for _, a := range c.AnnounceAddrs {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return fmt.Errorf("%w: announce address %q: %v", ErrConfig, a, err)
		}
	}
	for _, a := range c.Peers {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return fmt.Errorf("%w: peer %q: %v", ErrConfig, a, err)
		}
	}
	if bad := c.notPositive(); len(bad) > 0 {
		return fmt.Errorf("%w: %s must be positive", ErrConfig, strings.Join(bad, ", "))
	}
	if c.ConnLow > c.ConnHigh || c.RedialMin > c.RedialMax {
		return fmt.Errorf("%w: a low bound above its high bound", ErrConfig)
	}
	if c.MinFreeDisk < 0 {
		return fmt.Errorf("%w: MinFreeDisk is negative", ErrConfig)
	}
	if c.SyncBeforePublish < 0 {
		return fmt.Errorf("%w: SyncBeforePublish is negative", ErrConfig)
	}
	if c.PublishWait < 0 {
		return fmt.Errorf("%w: PublishWait is negative", ErrConfig)
	}
	if err := c.validatePending(); err != nil {
		return err
	}
	if err := c.PaceAdvisories.validate("PaceAdvisories"); err != nil {
		return err
	}
	if err := c.PaceMembership.validate("PaceMembership"); err != nil {
		return err
	}
	if !c.Store.InMemory || c.DataDir != "" {
		return c.Store.Validate()
	}
	return nil
}

// minPendingPeerBytes fits the largest op citing MaxPreds preds, all
// missing (see parkedCost).
const minPendingPeerBytes = 2*protocol.MaxOpSize + parkedOverhead + indexEntryBytes*protocol.MaxPreds

// notPositive names, always in the same order, the fields that must be
// positive and are not.
func (c *Config) notPositive() []string {
	fields := []struct {
		name string
		v    int64
	}{
		{"ConnLow", int64(c.ConnLow)}, {"ConnHigh", int64(c.ConnHigh)}, {"MaxConns", int64(c.MaxConns)},
		{"MaxConnsPerPeer", int64(c.MaxConnsPerPeer)}, {"MaxStreamsPerPeer", int64(c.MaxStreamsPerPeer)},
		{"MaxMemory", c.MaxMemory}, {"ValidateQueue", int64(c.ValidateQueue)}, {"OutboundQueue", int64(c.OutboundQueue)},
		{"ValidateConcurrency", int64(c.ValidateConcurrency)}, {"Heartbeat", int64(c.Heartbeat)},
		{"SyncInterval", int64(c.SyncInterval)}, {"StreamTimeout", int64(c.StreamTimeout)},
		{"RedialMin", int64(c.RedialMin)}, {"RedialMax", int64(c.RedialMax)}, {"NoticeInterval", int64(c.NoticeInterval)},
		{"ScoreInspect", int64(c.ScoreInspect)}, {"CommitBatch", int64(c.CommitBatch)},
	}
	var bad []string
	for _, f := range fields {
		if f.v <= 0 {
			bad = append(bad, f.name)
		}
	}
	return bad
}

// validatePending checks the pending buffer's quotas.
func (c *Config) validatePending() error {
	switch {
	case c.PendingPeerBytes < minPendingPeerBytes || c.PendingPeerBytes > maxPendingBytes:
		return fmt.Errorf("%w: PendingPeerBytes %d is outside [%d, %d]", ErrConfig, c.PendingPeerBytes, minPendingPeerBytes, maxPendingBytes)
	case c.PendingPeerOps < 1:
		return fmt.Errorf("%w: PendingPeerOps must be positive", ErrConfig)
	case c.PendingTTL <= 0:
		return fmt.Errorf("%w: PendingTTL must be positive", ErrConfig)
	}
	return nil
}

// pendingLimits are the pending set's bounds: the node's, the store's
// count, and each forwarder's quota.
func (c *Config) pendingLimits() pendingLimits {
	return pendingLimits{
		maxBytes: maxPendingBytes, maxOps: c.Store.PendingMax,
		peerBytes: c.PendingPeerBytes, peerOps: c.PendingPeerOps,
		ttl: c.PendingTTL,
	}
}
