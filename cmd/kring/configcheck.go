package main

import (
	"crypto/ed25519"
	"fmt"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Floors of the config's durations: a shorter interval would have the
// node sync or enrol in a busy loop.
const (
	minSyncInterval  = duration(time.Second)
	minEnrolInterval = duration(time.Second)
)

// validate checks what the node would refuse later, and kring's own keys,
// and says for the first problem what is wrong and what to do.
func (c *fileConfig) validate() error {
	o := c.Organisation
	if o.Name == "" {
		return fmt.Errorf("organisation.name is empty: set your organisation's name")
	}
	for _, f := range [][2]string{{"name", o.Name}, {"sector", o.Sector}, {"contact", o.Contact}, {"role", o.Role}} {
		if len(f[1]) > protocol.MaxShortText {
			return fmt.Errorf("organisation.%s is longer than %d bytes: shorten it", f[0], protocol.MaxShortText)
		}
	}
	for i, cl := range o.Claims {
		if cl.Requirement == "" || cl.Statement == "" {
			return fmt.Errorf("organisation.claims[%d] needs both requirement and statement: complete or remove it", i)
		}
	}
	if len(c.Node.Listen) == 0 {
		return fmt.Errorf("node.listen is empty: give at least one multiaddr such as \"/ip4/0.0.0.0/tcp/4001\"")
	}
	for _, a := range append(append([]string(nil), c.Node.Listen...), c.Node.Announce...) {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return fmt.Errorf("%q in node.listen or node.announce is not a multiaddr: write it like \"/ip4/192.0.2.1/tcp/4001\"", a)
		}
	}
	for _, a := range c.Node.Peers {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return fmt.Errorf("node.peers entry %q is not a peer multiaddr: write it like \"/ip4/192.0.2.1/tcp/4001/p2p/12D3Koo…\" (the peer's `kring status` shows its addresses)", a)
		}
	}
	if c.Node.Genesis == "" {
		return fmt.Errorf("node.genesis is empty: set it to the circle's genesis file (default %q in the data dir)", genesisFile)
	}
	for _, d := range []struct {
		key      string
		v, floor duration
	}{
		{"node.sync_interval", c.Node.SyncInterval, minSyncInterval},
		{"node.enrol_interval", c.Node.EnrolInterval, minEnrolInterval},
		{"node.publish_wait", c.Node.PublishWait, 0},
	} {
		if d.v < d.floor {
			return fmt.Errorf("%s is %s: it must be at least %s (write it like \"30s\")", d.key, time.Duration(d.v), time.Duration(d.floor))
		}
	}
	if c.Node.SyncBeforePublish < 0 {
		return fmt.Errorf("node.sync_before_publish is negative: use 0 (no wait) or more")
	}
	if err := checkLoopback(c.API.Listen); err != nil {
		return err
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format %q is unknown: use \"text\" or \"json\"", c.Log.Format)
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return err
	}
	if c.Store.MinFreeMiB < 0 || c.Store.MinFreeMiB > 1<<30 {
		return fmt.Errorf("store.min_free_mib is %d: give it in MiB, 0 to turn the watch off", c.Store.MinFreeMiB)
	}
	return c.Limits.validate()
}

func (l limitsSection) validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"conn_low", int64(l.ConnLow)}, {"conn_high", int64(l.ConnHigh)}, {"max_conns", int64(l.MaxConns)},
		{"max_conns_per_peer", int64(l.MaxConnsPerPeer)}, {"max_streams_per_peer", int64(l.MaxStreamsPerPeer)},
		{"max_memory_mib", l.MaxMemoryMiB},
		{"advisory_burst", int64(l.AdvisoryBurst)}, {"advisory_kib_per_second", int64(l.AdvisoryKiBPerSecond)},
		{"advisory_burst_mib", int64(l.AdvisoryBurstMiB)}, {"membership_burst", int64(l.MembershipBurst)},
	} {
		if f.v <= 0 {
			return fmt.Errorf("limits.%s is %d: it must be positive", f.name, f.v)
		}
	}
	for name, v := range map[string]float64{"advisories_per_second": l.AdvisoriesPerSecond, "membership_ops_per_second": l.MembershipOpsPerSecond} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("limits.%s is %v: it must be a positive number", name, v)
		}
	}
	if l.AdvisoryBurstMiB > 1<<20 || l.AdvisoryKiBPerSecond > 1<<30 {
		return fmt.Errorf("limits.advisory_burst_mib or advisory_kib_per_second is more than a TiB: give them in MiB and KiB")
	}
	if l.ConnLow > l.ConnHigh {
		return fmt.Errorf("limits.conn_low (%d) is above limits.conn_high (%d): lower conn_low or raise conn_high", l.ConnLow, l.ConnHigh)
	}
	if l.MaxMemoryMiB > 1<<20 {
		return fmt.Errorf("limits.max_memory_mib %d is more than a TiB: give it in MiB", l.MaxMemoryMiB)
	}
	return nil
}

// checkLoopback refuses an API address that is not host:port on loopback:
// the API's bearer token travels in the clear.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("api.listen %q is not host:port: write it like %q", addr, defaultAPI)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("api.listen %q has no valid port: write it like %q", addr, defaultAPI)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("api.listen %q is not a loopback address: use 127.0.0.1 or [::1] (the API is for this machine; put a TLS proxy in front to reach it remotely)", addr)
	}
	return nil
}

// nodeConfig maps the file onto node.Config, from node.DefaultConfig.
// Key and Genesis come from the data dir.
func (c *fileConfig) nodeConfig(d dataDir, key ed25519.PrivateKey, genesis []byte) node.Config {
	nc := node.DefaultConfig()
	nc.Key = key
	nc.Genesis = genesis
	nc.DataDir = d.path(storeDir)
	nc.ListenAddrs = c.Node.Listen
	nc.Peers = c.Node.Peers
	nc.AnnounceAddrs = c.Node.Announce
	nc.AutoEnact = c.Node.AutoEnact
	nc.AllowPrivateAddrs = c.Node.AllowPrivateAddrs
	nc.ExitWhenCutOff = c.Node.ExitWhenCutOff
	nc.SyncInterval = time.Duration(c.Node.SyncInterval)
	nc.SyncBeforePublish = c.Node.SyncBeforePublish
	nc.PublishWait = time.Duration(c.Node.PublishWait)
	nc.Store.SyncWrites = c.Store.SyncWrites
	nc.MinFreeDisk = c.Store.MinFreeMiB << 20
	nc.ConnLow, nc.ConnHigh = c.Limits.ConnLow, c.Limits.ConnHigh
	nc.MaxConns = c.Limits.MaxConns
	nc.MaxConnsPerPeer = c.Limits.MaxConnsPerPeer
	nc.MaxStreamsPerPeer = c.Limits.MaxStreamsPerPeer
	nc.MaxMemory = c.Limits.MaxMemoryMiB << 20
	nc.PaceAdvisories = node.Pace{
		OpsPerSecond: c.Limits.AdvisoriesPerSecond, Burst: c.Limits.AdvisoryBurst,
		BytesPerSecond: c.Limits.AdvisoryKiBPerSecond << 10, BurstBytes: c.Limits.AdvisoryBurstMiB << 20,
	}
	nc.PaceMembership.OpsPerSecond = c.Limits.MembershipOpsPerSecond
	nc.PaceMembership.Burst = c.Limits.MembershipBurst
	return nc
}

// profile returns the organisation's profile from the config.
func (c *fileConfig) profile() protocol.Profile { return c.Organisation.Profile() }
