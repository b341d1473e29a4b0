package node

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// syncer runs the sync protocol (docs/node.md, "Sync"): the client that
// pulls from a peer what this node lacks (syncWith, fetches of missing
// preds, push), the server that answers peers (serve), and the
// bookkeeping around both: one sync and one fetch at a time with each
// peer (turns, fetches), one pull at a time of each author's range across
// syncs (pulls), the ops peers showed that this node lacks (behind), the
// backoff of each peer after a failed sync or fetch (retry), the members
// a sync completed with since start (the publishing condition) and when,
// and how far peers showed this node its own chain.
//
// It holds no log state. It reads the store, and reaches the loop and the
// rest of the node only through syncNode, as go-libp2p-pubsub keeps its
// routing behind PubSubRouter. Its methods are safe for concurrent use;
// mu guards only its own bookkeeping and is never held while it calls
// out.
type syncer struct {
	log   *slog.Logger
	cfg   *Config
	self  protocol.Key
	group protocol.Hash

	// Set by attach, before the node serves or syncs.
	ctx      context.Context // the node's life
	node     syncNode
	store    *store.Store // read only: the loop writes
	host     host.Host
	gate     *gater
	opener   *opener
	verdicts *counters
	cutOff   *atomic.Bool // this organisation is cut off: sync with nobody

	turns   *syncTurns // syncs in flight, one per peer
	fetches *syncTurns // fetches of missing preds in flight, one per peer
	pulls   *pulls     // one sync at a time pulls each author's range
	behind  *backlog   // the ops peers showed that this node lacks
	// retry is the backoff of syncs and fetches with each peer.
	retry *retrySchedule
	// attempts counts the syncs and fetches this node started.
	attempts atomic.Uint64

	mu     sync.Mutex
	synced map[peer.ID]bool // members a sync completed with since start
	// ownShown is how far each peer's last tips showed this node's own
	// chain (noteOwnTip).
	ownShown map[peer.ID]uint64
	// lastSync is when a sync with each peer last completed (LastSyncs).
	lastSync map[protocol.Key]time.Time
}

// syncNode is what the sync protocol asks of the rest of the node; *Node
// implements it. Every method is safe for concurrent use. The first six
// are the loop's work: each waits for the loop, honours ctx, and returns
// ErrClosed once the node has stopped. The others read snapshots or apply
// the node's policies and never wait for the loop.
type syncNode interface {
	// submitParking judges verified ops that peer from delivered, in
	// order, and returns their verdicts once the accepted ones are
	// durable; an op missing preds waits for them only if park is set.
	submitParking(ctx context.Context, ops []*protocol.Op, from peer.ID, park bool) ([]Verdict, error)
	// parkedGaps returns, per author, up to which seq the ops parked from
	// p wait for the author's chain.
	parkedGaps(ctx context.Context, p peer.ID) (map[protocol.Key]uint64, error)
	// wanted returns the preds, held nowhere here, that the parked ops
	// worth asking p about miss.
	wanted(ctx context.Context, p peer.ID) ([]protocol.Hash, error)
	// unserved drops the ops parked from p that wait for a pred p denied
	// holding, and charges p for each.
	unserved(ctx context.Context, p peer.ID, denied map[protocol.Hash]bool)
	// admissionOf tallies the endorsements of the Admit motion m.
	admissionOf(ctx context.Context, m protocol.Motion) (admissionTally, error)
	// settle returns once the loop has committed the work it holds.
	settle(ctx context.Context) error

	// State is the node's current State.
	State() *trust.State
	// lastOwnSeq is the last seq of this node's own chain it holds.
	lastOwnSeq() uint64
	// afterChange wakes the callers waiting on Node.Changed.
	afterChange()
	// spawn runs f on a goroutine the node waits for when it stops, and
	// reports false, running nothing, once the node is stopping.
	spawn(f func()) bool
	// gossip publishes an accepted op's bytes on the circle's topic.
	gossip(ctx context.Context, b []byte) error

	// Pacing and the disk (pace.go, disk.go).
	paced(from peer.ID, op *protocol.Op) bool
	deferredForDisk(op *protocol.Op) bool
	syncPace(author protocol.Key, have, tip uint64) (uint64, bool)
	twinBudget(author protocol.Key, count int) int
	chargePace(ops []*protocol.Op)

	// Members' addresses (addrs.go, dialer.go).
	takeAddrs(entries []protocol.SyncAddr) (took, refused int)
	saveAddrs(peers ...peer.ID)
	signedRecord(p peer.ID) *record.Envelope

	// PeerName and KeyName name a peer and a key in log lines.
	PeerName(p peer.ID) slog.LogValuer
	KeyName(k protocol.Key) slog.LogValuer
}

// admissionTally is what serveAdmission tells an endorsed applicant of
// its application: the counting endorsements, and whether they reach the
// charter's threshold; if they do, the heads and the epoch its Admit
// enactment cites.
type admissionTally struct {
	votes  []protocol.Hash
	enough bool
	heads  []protocol.Hash
	epoch  protocol.Hash
}

// newSyncer returns a syncer with empty bookkeeping; attach binds it to
// its node.
func newSyncer(log *slog.Logger, cfg *Config, self protocol.Key, group protocol.Hash) *syncer {
	return &syncer{
		log:      log,
		cfg:      cfg,
		self:     self,
		group:    group,
		ctx:      context.Background(),
		turns:    newSyncTurns(),
		fetches:  newSyncTurns(),
		pulls:    newPulls(),
		behind:   newBacklog(),
		retry:    newRetrySchedule(retryPolicy{min: cfg.RedialMin, max: cfg.RedialMax}),
		cutOff:   new(atomic.Bool),
		synced:   map[peer.ID]bool{},
		ownShown: map[peer.ID]uint64{},
		lastSync: map[protocol.Key]time.Time{},
	}
}

// attach binds s to node n once n's store, gate, opener and host are up,
// before n serves or syncs.
func (s *syncer) attach(n *Node) {
	s.ctx, s.node, s.store, s.host = n.ctx, n, n.store, n.host
	s.gate, s.opener, s.verdicts, s.cutOff = n.gater, n.opener, &n.verdicts, &n.cutOff
}

// backlog returns s's backlog, or nil once the node has stopped.
func (s *syncer) backlog() *backlog {
	if s.ctx.Err() != nil {
		return nil
	}
	return s.behind
}

// syncDone records that a sync with peer p completed now (LastSyncs).
func (s *syncer) syncDone(p peer.ID) {
	k, ok := PeerKey(p)
	if !ok {
		return
	}
	s.mu.Lock()
	s.lastSync[k] = time.Now()
	s.mu.Unlock()
}

// syncedMember records that a sync with p, a member of the sharing set,
// completed since start: it counts towards the publishing condition.
func (s *syncer) syncedMember(p peer.ID) {
	s.mu.Lock()
	s.synced[p] = true
	s.mu.Unlock()
	s.node.afterChange()
}

// lastSyncs returns when a sync with each peer last completed.
func (s *syncer) lastSyncs() map[protocol.Key]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.lastSync)
}

// syncedWith returns the peers a sync completed with since start.
func (s *syncer) syncedWith() map[peer.ID]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.synced)
}

// noteOwnTip records how far peer p's tips show this organisation's own
// chain (0: not at all). A node restored from an old copy of its data dir
// learns so that it lacks its newest ops.
func (s *syncer) noteOwnTip(p peer.ID, tips []protocol.SyncTip) {
	var seq uint64
	for _, t := range tips {
		if t.Author == s.self {
			seq = t.Seq
		}
	}
	s.mu.Lock()
	if seq == 0 {
		delete(s.ownShown, p)
	} else {
		s.ownShown[p] = seq
	}
	s.mu.Unlock()
	// An applicant's own Admit enactment comes back by sync before it is a
	// member here: that is no sign of a lost chain.
	if own := s.node.lastOwnSeq(); seq > own && s.node.State().InSharingSet(s.self) {
		s.log.Warn("a member holds more of this organisation's chain than this node: fetching it before signing anything "+
			"(was the data dir restored from a backup or copied?)",
			"peer", s.node.PeerName(p), "member_seq", seq, "own_seq", own, "reason", "own-chain-behind")
		s.node.afterChange()
	}
}

// ownShownAbove returns the peers whose last tips showed more of this
// node's own chain than seq, with how far.
func (s *syncer) ownShownAbove(seq uint64) map[peer.ID]uint64 {
	out := map[peer.ID]uint64{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, shown := range s.ownShown {
		if shown > seq {
			out[p] = shown
		}
	}
	return out
}

// doneWith reports whether a sync with p completed since start and p
// showed no more of this node's own chain than seq.
func (s *syncer) doneWith(p peer.ID, seq uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.synced[p] && s.ownShown[p] <= seq
}
