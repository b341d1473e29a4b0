package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ErrClosed is returned by a node's methods once it is closed, or once it
// stopped after a store failure.
var ErrClosed = errors.New("node: closed")

// Node is a member organisation's node: it holds the circle's log in a
// badger store, judges every op with trust/, gossips ops to the sharing
// set, syncs with members, and refuses everyone else at the gate.
//
// Mutable log state (the trust engine, the pending buffer, the local
// blocks, the own author chain) is owned by one goroutine, the loop;
// methods send it work. What other goroutines read (the State, the
// admission snapshot) is published as immutable snapshots.
type Node struct {
	cfg     Config
	log     *slog.Logger
	key     protocol.Key
	genesis *protocol.Op
	group   protocol.Hash
	topicID string
	boot    []peer.AddrInfo

	store *store.Store
	host  host.Host
	cm    *connmgr.BasicConnMgr
	gater *gater
	ps    *pubsub.PubSub
	subs  *memberSubscriptions
	topic *pubsub.Topic

	viewMu   sync.RWMutex // held by a commit while the store and State move
	work     chan func(*loop)
	loopDone chan struct{}  // closed when the loop has stopped
	opener   *opener        // decodes and verifies received ops
	batcher  *gossipBatcher // opens and judges gossiped ops (validate)
	held     *heldFilter    // the ops stored, perhaps: see holds
	state    atomic.Pointer[trust.State]
	// reads is work that only reads (Node.read), which the loop runs
	// even while a commit writes.
	reads chan func(*loop)
	// unwritten holds the ops of the commit being written, which readers
	// see before the write returns.
	unwritten unwritten
	// lastSigned is the ts (Unix ms) of the last op of this node's own
	// chain, 0 before it has one; the acknowledger reads it.
	lastSigned atomic.Int64
	// ownSeq is the last seq of this node's own chain it holds; the loop
	// sets it, readiness reads it.
	ownSeq atomic.Uint64
	// secondSigner is the first own-key op a peer delivered that this
	// node never signed, after it had signed since its start: another
	// node signs with the key, and this one stops (secondsigner.go).
	secondSigner atomic.Pointer[protocol.Op]
	// restored is set while the store is marked restored from a backup
	// and the node has not synced with every member since (restore.go).
	restored atomic.Bool
	// dialFrom is when the wait for members to answer began (Unix ns):
	// at start, and again on admission (Config.PublishWait).
	dialFrom atomic.Int64

	verdicts counters
	scores   atomic.Pointer[map[peer.ID]float64]
	// penalties charges forwarders whose parked ops never complete, and
	// members that flood past their pace.
	penalties penalties
	// pace paces each member's ops that reach this node; ownPace this
	// node's own gossip (pace.go).
	pace    *pacer
	ownPace *ownPacer
	// disk is what the node last saw of the data dir's free space.
	disk diskWatch

	// mu guards only what every goroutine shares: the Changed channel
	// and why the node stopped.
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	err     error         // why the node stopped, if it did

	// sync runs the sync protocol and keeps its bookkeeping (sync.go).
	sync *syncer
	// redials is the redial backoff of each member; knocks that of a
	// cut-off node's knocks (standing.go).
	redials, knocks *retrySchedule
	// dialWake wakes the redial loop (wakeDialer).
	dialWake chan struct{}
	// dialAttempts counts this node's redials of members; knockAttempts
	// its knocks.
	dialAttempts, knockAttempts atomic.Uint64
	// knocksAnswered counts the removed members told of the decisions
	// about them; refusedWhileConnecting the connections the on-connect
	// check closed.
	knocksAnswered, refusedWhileConnecting atomic.Uint64
	// cutOff is set while the log says this organisation is suspended,
	// revoked or gone: the node then neither syncs nor dials members.
	cutOff atomic.Bool
	// enrolment is the progress of this organisation's application, as
	// Enrol last learnt it; nil before Enrol ran.
	enrolment atomic.Pointer[Enrolment]
	// addrBook is what saveAddrs last wrote to the store's address book.
	addrBook addrBook
	// records holds the signed peer record each member handed over
	// itself: peer.ID -> *record.Envelope (keepRecords).
	records sync.Map
	// notices indexes the enactments about each member's standing, and
	// which of them this node handed their target (notice.go).
	notices *noticeBook

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// life guards the start of the goroutines wg counts: goLoop holds it
	// shared to check stopping and add to wg, shutdown to set stopping
	// before it waits.
	life     sync.RWMutex
	stopping bool
	closed   sync.Once
}

// New opens the store, starts the libp2p host, joins the circle's gossip
// topic and starts syncing and dialling members. The node runs until Close
// or until ctx is done.
func New(ctx context.Context, cfg Config) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	genesis, err := protocol.Decode(cfg.Genesis)
	if err == nil && !genesis.IsGenesis() {
		err = fmt.Errorf("%w: a %s op, not a genesis", ErrConfig, genesis.Kind)
	}
	if err == nil {
		err = genesis.Verify()
	}
	if err != nil {
		return nil, fmt.Errorf("node: genesis: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Node{
		cfg:      cfg,
		key:      protocol.KeyOf(cfg.Key),
		genesis:  genesis,
		group:    genesis.Hash(),
		work:     make(chan func(*loop), 256),
		reads:    make(chan func(*loop)),
		loopDone: make(chan struct{}),
		changed:  make(chan struct{}),
		dialWake: make(chan struct{}, 1),
		redials:  newRetrySchedule(retryPolicy{min: cfg.RedialMin, max: cfg.RedialMax}),
		knocks:   newRetrySchedule(retryPolicy{min: cfg.RedialMin, max: cfg.NoticeInterval}),
		notices:  newNoticeBook(),
		pace:     newPacer(cfg.PaceAdvisories, cfg.PaceMembership),
		ownPace:  newOwnPacer(cfg.PaceAdvisories, cfg.PaceMembership),
	}
	n.log = log.With("node", n.key.Short())
	n.sync = newSyncer(n.log, &n.cfg, n.key, n.group)
	n.topicID = TopicName(n.group)
	for _, a := range cfg.Peers {
		ai, _ := peer.AddrInfoFromString(a) // checked by Validate
		n.boot = append(n.boot, *ai)
	}
	n.ctx, n.cancel = context.WithCancel(ctx)
	n.noteDialStart()
	if err := n.start(); err != nil {
		n.cancel()
		n.shutdown()
		return nil, err
	}
	return n, nil
}

// start opens the store and brings up the loop, the host and gossip.
func (n *Node) start() error {
	sopts := n.cfg.Store
	if sopts.Logger == nil {
		sopts.Logger = n.log.With("component", "store")
	}
	if err := n.checkDiskToStart(); err != nil {
		return err
	}
	st, err := store.Open(n.cfg.DataDir, sopts)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.store = st
	restored, err := st.Restored()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.restored.Store(restored)
	l, err := newLoop(n)
	if err != nil {
		return err
	}
	// Loading the engine read the whole log through the store's mapped
	// files: hand those pages back rather than count them as resident.
	if err := st.DropResident(); err != nil {
		n.log.Warn("keeping the store's mapped pages resident", "err", err)
	}
	n.gater = newGater(l.admission(), n.cfg.Refuse)
	n.gater.knocks = newKnockGate(n.cfg.NoticeInterval, func(p peer.ID) bool {
		k, ok := n.gater.keyOf(p)
		return ok && n.notices.untold(k)
	})
	n.gater.addrs = newAddrPolicy(&n.cfg, n.boot)
	n.opener = newOpener(n.ctx, n.group, &n.wg)
	n.batcher = newGossipBatcher(n.ctx, n, &n.wg)
	n.state.Store(l.eng.State())
	if err := n.noteStanding(nil, n.State()); err != nil {
		return err
	}
	if n.host, n.cm, err = newHost(&n.cfg, n.gater); err != nil {
		return err
	}
	n.sync.attach(n)
	n.subs = &memberSubscriptions{g: n.gater, topic: n.topicID}
	n.ps, err = newGossip(n.ctx, n.host, &n.cfg, n.gater, n.subs, &n.penalties, func(m map[peer.ID]float64) { n.scores.Store(&m) })
	if err != nil {
		return err
	}
	// No validator timeout: every validation ends once the loop has
	// judged its op or the node stops (gossipBatcher.verdict), and a
	// timeout would cost a timer per message.
	if err := n.ps.RegisterTopicValidator(n.topicID, n.validate,
		pubsub.WithValidatorConcurrency(n.cfg.ValidateConcurrency)); err != nil {
		return fmt.Errorf("node: validator: %w", err)
	}
	if n.topic, err = n.ps.Join(n.topicID); err != nil {
		return fmt.Errorf("node: joining %s: %w", n.topicID, err)
	}
	l.joinGossip(n.State()) // before the loop starts: then only the loop joins
	if err := n.keepRecords(); err != nil {
		return err
	}
	n.host.SetStreamHandler(protocol.SyncProtocol, n.sync.serve)
	n.host.Network().Notify(n.notifiee())
	n.wg.Add(1)
	l.learnAddrs() // before the loop starts: it reads the engine
	ops := l.eng.Len()
	go func() { defer n.wg.Done(); l.run() }()
	n.goLoop(n.redial)
	n.goLoop(func() { n.every(n.cfg.SyncInterval, n.syncRandomPeer) })
	n.goLoop(func() { n.every(ackCheckEvery, func() { n.ackIfDue(time.Now()) }) })
	n.checkDisk()
	n.goLoop(func() { n.every(diskCheckEvery, n.checkDisk) })
	// The address book lets a restarted node redial the members.
	n.goLoop(func() { n.every(n.cfg.SyncInterval, func() { n.saveAddrs(n.host.Network().Peers()...) }) })
	n.afterChange()
	n.log.Info("node started", "group", n.group.Short(), "addrs", n.host.Addrs(), "ops", ops)
	return nil
}

// goLoop runs f on a goroutine that Close waits for, and reports whether
// it does: once Close has begun to wait, nothing starts.
func (n *Node) goLoop(f func()) bool {
	n.life.RLock()
	defer n.life.RUnlock()
	if n.stopping {
		return false
	}
	n.wg.Add(1)
	go func() { defer n.wg.Done(); f() }()
	return true
}

// Close stops the node: it leaves the network, lets the loop finish its
// last commit, and closes the store. It is safe to call more than once.
func (n *Node) Close() error {
	var err error
	n.closed.Do(func() {
		n.cancel()
		err = n.shutdown()
	})
	return err
}

func (n *Node) shutdown() error {
	// No goroutine starts from here on (goLoop), so the wait below waits
	// for every one there is: an Add racing the Wait is not possible.
	n.life.Lock()
	n.stopping = true
	n.life.Unlock()
	var errs []error
	if n.host != nil {
		errs = append(errs, n.host.Close())
	}
	n.wg.Wait()
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	return errors.Join(errs...)
}

// fail stops the node after an error it cannot continue from (the store
// refused a write the engine already applied).
func (n *Node) fail(err error) {
	n.mu.Lock()
	if n.err == nil {
		n.err = err
	}
	n.mu.Unlock()
	n.log.Error("node stopping", "err", err)
	n.cancel()
}

// Done returns a channel that is closed once the node has stopped: after
// Close, when the context given to New ends, or on a failure it cannot
// continue from (a store write refused after the engine applied it, or a
// cut-off with Config.ExitWhenCutOff). Err then says why; it is nil after
// Close or the context's end. Once Done is closed, the loop has committed
// its last work and the methods that need it return ErrClosed; Close
// still releases the host and the store.
func (n *Node) Done() <-chan struct{} { return n.loopDone }

// Err returns why the node stopped on its own, or nil.
func (n *Node) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}

// ID returns the node's peer ID.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Key returns the organisation's member key.
func (n *Node) Key() protocol.Key { return n.key }

// Group returns the circle: the hash of its genesis.
func (n *Node) Group() protocol.Hash { return n.group }

// AddrInfo returns the node's peer ID and listen addresses.
func (n *Node) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
}

// P2PAddrs returns the node's listen addresses with its peer ID, in the
// form Config.Peers takes.
func (n *Node) P2PAddrs() []string {
	addrs, _ := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()})
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// State returns the circle's membership as this node's log determines it.
// It follows the store by the time a commit returns: a reader that needs
// both to match uses Consistent.
func (n *Node) State() *trust.State { return n.state.Load() }

// Consistent calls fn with the State while no commit is under way, so that
// what fn reads from the store matches the State.
func (n *Node) Consistent(fn func(st *trust.State)) {
	n.viewMu.RLock()
	defer n.viewMu.RUnlock()
	fn(n.state.Load())
}

// Standing returns how this node treats peer p now.
func (n *Node) Standing(p peer.ID) Standing { return n.gater.standing(p) }

// Verdicts returns how many ops got each verdict, keyed "result/reason"
// (e.g. "reject/bad-signature", "ignore/void"): ops received by gossip,
// sync or push, and this node's own, counted as "accept/published".
func (n *Node) Verdicts() map[string]uint64 { return n.verdicts.snapshot() }

// PeerScore returns gossipsub's latest score of peer p (negative after it
// forwarded invalid ops) and whether p has one.
func (n *Node) PeerScore(p peer.ID) (float64, bool) {
	m := n.scores.Load()
	if m == nil {
		return 0, false
	}
	s, ok := (*m)[p]
	return s, ok
}

// Connect dials a peer; the gater decides whether it gets through.
func (n *Node) Connect(ctx context.Context, ai peer.AddrInfo) error {
	if err := n.host.Connect(ctx, ai); err != nil {
		return fmt.Errorf("node: connecting to %s: %w", ai.ID, err)
	}
	return nil
}

// Changed returns a channel that is closed at the next change of the log,
// the local blocks or the sync status, for callers that wait on a
// condition.
func (n *Node) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.changed
}

// afterChange wakes everyone waiting on Changed.
func (n *Node) afterChange() {
	n.mu.Lock()
	close(n.changed)
	n.changed = make(chan struct{})
	n.mu.Unlock()
}

// Live reports whether op h is in this node's log and counts: an advisory
// or grant whose author no denial voided, or any other applied op.
func (n *Node) Live(ctx context.Context, h protocol.Hash) (bool, error) {
	var live bool
	err := n.do(ctx, func(l *loop) { live = l.eng.Live(h) })
	return live, err
}

// Unsettled returns how many ops of the log count but wait to settle
// (trust.Engine.Unsettled): what backdated ops can still reach.
func (n *Node) Unsettled(ctx context.Context) (int, error) {
	var count int
	err := n.do(ctx, func(l *loop) { count = l.eng.Unsettled() })
	return count, err
}

// AwaitsSettlement reports whether the op h counts and waits to settle
// (trust.Engine.AwaitsSettlement).
func (n *Node) AwaitsSettlement(ctx context.Context, h protocol.Hash) (bool, error) {
	var waits bool
	err := n.do(ctx, func(l *loop) { waits = l.eng.AwaitsSettlement(h) })
	return waits, err
}
