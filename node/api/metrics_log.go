package api

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The series of the log and of this organisation's standing. Labels stay
// bounded: a TLP takes five values, a member or motion kind a handful, and
// an author or peer label one value per key the circle's log knows.
var (
	descAdvisories = prometheus.NewDesc("kring_advisories",
		"Live advisories in this node's log, by TLP label and author (short key and organisation name); only pairs with advisories are listed.",
		[]string{"tlp", "author", "name"}, nil)
	descLastSync = prometheus.NewDesc("kring_peer_last_sync_timestamp_seconds",
		"When a sync with the peer last completed (Unix time), for each peer synced with since the daemon started.",
		[]string{"peer", "name"}, nil)
	descMotions = prometheus.NewDesc("kring_open_motions",
		"Decisions in progress by motion kind (admit, suspend, unsuspend, revoke, charter, disavow) and state (open: short of votes; ripe: enough votes, not yet enacted; settling: a charter change enacted that waits to settle).",
		[]string{"kind", "state"}, nil)
	descSelfStatus = prometheus.NewDesc("kring_self_status",
		"1 for this organisation's status in the log (stranger, applicant, member, lapsed, revoked, left), 0 for the others.",
		[]string{"status"}, nil)
	descSelfSuspended = prometheus.NewDesc("kring_self_suspended",
		"1 while a suspension of this organisation stands (or its chain forked).", nil, nil)
	descSelfSharing = prometheus.NewDesc("kring_self_sharing",
		"1 while this organisation is in the sharing set: a member, not suspended.", nil, nil)
	descSelfMissing = prometheus.NewDesc("kring_self_endorsements_missing",
		"Endorsements this organisation still needs before its node can enact its admission (0 for a member).", nil, nil)
)

var (
	selfStatuses = []trust.Status{trust.StatusStranger, trust.StatusApplicant, trust.StatusMember, trust.StatusLapsed, trust.StatusRevoked, trust.StatusLeft}
	motionKinds  = []protocol.MotionKind{protocol.MotionAdmit, protocol.MotionSuspend, protocol.MotionUnsuspend, protocol.MotionRevoke, protocol.MotionCharter, protocol.MotionDisavow}
	motionStates = []string{MotionOpen, MotionRipe, MotionSettling}
)

// scrapeTimeout bounds what one scrape waits for the node's loop.
const scrapeTimeout = 5 * time.Second

// collectLog sends the series of the log: advisories, syncs, motions and
// this organisation's standing.
func (c *nodeCollector) collectLog(ch chan<- prometheus.Metric, st *trust.State) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()

	// A count or a motion list the loop could not give in time leaves its
	// series out of this scrape rather than failing the whole scrape; the
	// count goes on from where it stopped at the next one.
	if counts, err := c.ads.count(ctx, c.n); err == nil {
		for k, n := range counts {
			gauge(descAdvisories, float64(n), k.tlp, k.author.Short(), nameOf(st, k.author))
		}
	}

	for k, at := range c.n.LastSyncs() {
		gauge(descLastSync, float64(at.UnixMilli())/1000, k.Short(), nameOf(st, k))
	}

	if _, open, err := c.n.Motions(ctx); err == nil {
		byKind := map[[2]string]int{}
		for _, m := range open {
			byKind[[2]string{m.Motion.Kind.String(), motionState(m)}]++
		}
		for _, k := range motionKinds {
			for _, s := range motionStates {
				if s == MotionSettling && k != protocol.MotionCharter {
					continue
				}
				gauge(descMotions, float64(byKind[[2]string{k.String(), s}]), k.String(), s)
			}
		}
	}

	self := st.Key(c.n.Key())
	for _, s := range selfStatuses {
		gauge(descSelfStatus, oneIf(self.Status == s), s.String())
	}
	gauge(descSelfSuspended, oneIf(self.Suspended))
	gauge(descSelfSharing, oneIf(self.InSharingSet()))
	gauge(descSelfMissing, float64(self.Missing()))
}

func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// adKey is one series of kring_advisories.
type adKey struct {
	tlp    string
	author protocol.Key
}

// adCounts counts the live advisories of a node's log by TLP and author
// for the metrics. It reads only what was stored since the last scrape,
// and counts again from the start when the standing of a key changes (a
// removal or suspension can void advisories already counted). It is safe
// for concurrent use.
type adCounts struct {
	mu     sync.Mutex
	print  string // fingerprint of every key's standing when counted
	next   uint64 // stored position to read from
	counts map[adKey]int
}

// count brings the counts up to date with n's log and returns a copy.
func (a *adCounts) count(ctx context.Context, n *node.Node) (map[adKey]int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	blocks, err := n.Blocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("api: counting advisories: %w", err)
	}
	if p := standingPrint(n.State(), blocks); p != a.print || a.counts == nil {
		a.print, a.next, a.counts = p, 0, map[adKey]int{}
	}
	for {
		ads, next, err := n.Advisories(ctx, a.next, 512)
		if err != nil {
			return nil, fmt.Errorf("api: counting advisories: %w", err)
		}
		for _, ad := range ads {
			a.counts[adKey{tlp: string(ad.Advisory.TLP), author: ad.Op.Author}]++
		}
		if next == a.next {
			return a.snapshot(), nil
		}
		a.next = next
	}
}

func (a *adCounts) snapshot() map[adKey]int {
	out := make(map[adKey]int, len(a.counts))
	for k, v := range a.counts {
		out[k] = v
	}
	return out
}

// standingPrint renders what decides which advisories count: the status,
// suspension and fork of every key in State st, and whether this node
// blocks it (a local block hides the party's advisories on this node).
func standingPrint(st *trust.State, blocks map[protocol.Key]store.Block) string {
	var b strings.Builder
	for _, k := range st.Keys() {
		ks := st.Key(k)
		_, blocked := blocks[k]
		fmt.Fprintf(&b, "%x %d %v %d %v;", k[:], ks.Status, ks.Suspended, ks.Equivocated, blocked)
	}
	return b.String()
}
