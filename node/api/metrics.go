package api

import (
	"errors"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// registerMetrics registers the node's collector, the store delay (if
// given) and the Go and process collectors. A collector the registry
// already holds (a shared registry) is left as it is.
func (s *Server) registerMetrics() {
	cs := []prometheus.Collector{
		newNodeCollector(s.n, s.opts.Version),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	if s.opts.StoreDelay != nil {
		cs = append(cs, s.opts.StoreDelay)
	}
	for _, c := range cs {
		var dup prometheus.AlreadyRegisteredError
		if err := s.reg.Register(c); err != nil && !errors.As(err, &dup) {
			s.log.Warn("registering metrics", "err", err)
		}
	}
}

var (
	descOps = prometheus.NewDesc("kring_ops_total",
		"Ops this node judged, by verdict result (accept, reject, ignore) and reason; own ops count as accept/published.",
		[]string{"result", "reason"}, nil)
	descPeers = prometheus.NewDesc("kring_peers",
		"Connected peers by standing (sharing, endorsed, bootstrap, refused, denied).",
		[]string{"standing"}, nil)
	descMembers = prometheus.NewDesc("kring_members",
		"Keys the log knows, by status (applicant, member, lapsed, revoked, left).",
		[]string{"status"}, nil)
	descSuspended = prometheus.NewDesc("kring_members_suspended",
		"Members under a standing suspension (or that forked their chain).", nil, nil)
	descSharing = prometheus.NewDesc("kring_sharing_set_members",
		"Members in the sharing set: members not suspended.", nil, nil)
	descStored = prometheus.NewDesc("kring_stored_ops",
		"Ops in this node's log, the genesis included.", nil, nil)
	descPending = prometheus.NewDesc("kring_pending_ops",
		"Ops waiting for their preds in the pending buffer.", nil, nil)
	descBacklog = prometheus.NewDesc("kring_sync_backlog_ops",
		"Ops the node knows it is missing, from the tips peers showed in running syncs.", nil, nil)
	descDiskFree = prometheus.NewDesc("kring_disk_free_bytes",
		"Free space of the data dir's file system at the node's last look (every 10 s).", nil, nil)
	descDiskLow = prometheus.NewDesc("kring_disk_low",
		"1 while the data dir's free space is below store.min_free_mib: the node defers advisories.", nil, nil)
	descDiskWatermark = prometheus.NewDesc("kring_disk_min_free_bytes",
		"The free-space watermark store.min_free_mib in bytes: below it the node defers advisories (0: not watched).", nil, nil)
	descReady = prometheus.NewDesc("kring_ready",
		"1 while the node may publish: it has synced with enough of the members it can reach (kring status says why not).", nil, nil)
	descForks = prometheus.NewDesc("kring_forks_seen",
		"Keys the log shows signing two ops with one seq (a forked chain), this organisation's included.", nil, nil)
	descInfo = prometheus.NewDesc("kring_info",
		"Always 1; labels name the daemon's version, its circle and its key.",
		[]string{"version", "group", "key"}, nil)
)

var (
	standings = []node.Standing{node.Sharing, node.Endorsed, node.Bootstrap, node.Refused, node.Denied}
	statuses  = []trust.Status{trust.StatusApplicant, trust.StatusMember, trust.StatusLapsed, trust.StatusRevoked, trust.StatusLeft}
)

// nodeCollector reads the node's counters and state at each scrape.
type nodeCollector struct {
	n       *node.Node
	version string
	ads     adCounts
}

func newNodeCollector(n *node.Node, version string) *nodeCollector {
	return &nodeCollector{n: n, version: version}
}

// Describe implements prometheus.Collector.
func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOps, descPeers, descMembers, descSuspended, descSharing, descStored, descPending, descBacklog, descDiskFree, descDiskLow, descDiskWatermark, descReady, descForks, descInfo,
		descAdvisories, descLastSync, descMotions, descSelfStatus, descSelfSuspended, descSelfSharing, descSelfMissing} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for key, n := range c.n.Verdicts() {
		result, reason, _ := strings.Cut(key, "/")
		ch <- prometheus.MustNewConstMetric(descOps, prometheus.CounterValue, float64(n), result, reason)
	}
	byStanding := map[node.Standing]int{}
	for _, p := range c.n.Peers() {
		byStanding[c.n.Standing(p)]++
	}
	for _, s := range standings {
		gauge(descPeers, float64(byStanding[s]), s.String())
	}
	st := c.n.State()
	byStatus := map[trust.Status]int{}
	suspended := 0
	for _, k := range st.Keys() {
		ks := st.Key(k)
		byStatus[ks.Status]++
		if ks.Status == trust.StatusMember && ks.Suspended {
			suspended++
		}
	}
	for _, s := range statuses {
		gauge(descMembers, float64(byStatus[s]), s.String())
	}
	gauge(descSuspended, float64(suspended))
	gauge(descSharing, float64(len(st.SharingSet())))
	if n, err := c.n.StoredOps(); err == nil {
		gauge(descStored, float64(n))
	}
	gauge(descPending, float64(c.n.PendingOps()))
	gauge(descBacklog, float64(c.n.Backlog()))
	disk := c.n.Disk()
	gauge(descDiskFree, float64(disk.Free))
	gauge(descDiskLow, oneIf(disk.Low))
	gauge(descDiskWatermark, float64(disk.Watermark))
	gauge(descReady, oneIf(c.n.Ready() == nil))
	forks := 0
	for _, k := range st.Keys() {
		if st.Key(k).Equivocated > 0 {
			forks++
		}
	}
	gauge(descForks, float64(forks))
	gauge(descInfo, 1, c.version, c.n.Group().String(), c.n.Key().String())
	c.collectLog(ch, st)
}

// StoreDelay is the histogram of publish-to-store delays: for each op
// another member authored, the time from its author's timestamp to the
// moment this node stored it durably. Feed it from the node's loop with
//
//	delay := api.NewStoreDelay(protocol.KeyOf(cfg.Key))
//	cfg.OnStored = delay.Observe
//
// and hand it to NewServer in ServerOptions.StoreDelay. The delay rests on
// two clocks: skew between members shifts it (negative delays count as 0).
type StoreDelay struct {
	self protocol.Key
	h    prometheus.Histogram
}

// NewStoreDelay returns a StoreDelay that leaves out the ops of self, this
// node's own organisation.
func NewStoreDelay(self protocol.Key) *StoreDelay {
	return &StoreDelay{self: self, h: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kring_publish_to_store_seconds",
		Help:    "Delay from an op's author timestamp to this node storing it, for ops of other members (seconds).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 16), // 5 ms to about 2.7 min
	})}
}

// Observe records op, stored at time at; it has node.Config.OnStored's
// signature, never blocks, and skips own ops and the genesis.
func (d *StoreDelay) Observe(op *protocol.Op, at time.Time) {
	if op.Author == d.self || op.IsGenesis() || op.TS == 0 {
		return
	}
	d.h.Observe(max(at.Sub(time.UnixMilli(op.TS)).Seconds(), 0))
}

// Describe implements prometheus.Collector.
func (d *StoreDelay) Describe(ch chan<- *prometheus.Desc) { d.h.Describe(ch) }

// Collect implements prometheus.Collector.
func (d *StoreDelay) Collect(ch chan<- prometheus.Metric) { d.h.Collect(ch) }
