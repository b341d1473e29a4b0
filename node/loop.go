package node

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// loop owns the node's mutable log state. Work arrives as functions on
// Node.work; the loop runs them one at a time and commits the ops they
// applied in one store write, then runs their continuations: persist,
// then tell (raft's Ready order). Nothing outside the loop goroutine
// touches these fields.
type loop struct {
	n   *Node
	eng *trust.Engine

	pending *pendingSet
	blocks  map[protocol.Key]store.Block

	seq  uint64         // own chain: last applied seq
	last *protocol.Hash // and its hash
	own  *protocol.Op   // own op signed and handed out, not yet applied
	// signedHere is set once this node has signed an op since it started
	// (secondsigner.go).
	signedHere bool
	// signedNow holds the own ops signed here in the burst being
	// committed: the write that holds one saves the seq after it
	// (putOps). Own-key ops received from elsewhere do not count.
	signedNow map[protocol.Hash]bool

	batch    []*protocol.Op         // applied, not yet committed
	parked   int                    // ops parked in this burst
	unsaved  []unsavedOp            // parked, not yet written to the pending buffer, oldest first
	saved    map[protocol.Hash]bool // parked and written to the pending buffer
	unparked []protocol.Hash        // left the pending set in this burst
	closing  bool                   // the node is stopping: write every parked op
	saveAt   time.Duration          // how long a parked op waits before it is written (pendingSaveAfter)
	settle   time.Duration          // how long a burst of others' ops waits for its sync while no work waits (syncSettle)
	ownDone  bool                   // own was applied or dropped: clear it
	after    []func(error)          // continuations, run after the commit

	enacting map[protocol.Hash]bool // motions this node is enacting automatically (autoEnact)
	relay    pubsub.RelayCancelFunc // set once this node relays the topic (joinGossip)
}

// newLoop loads the store: it applies the genesis to an empty store, then
// rebuilds the engine, the own chain, the pending buffer and the blocks.
func newLoop(n *Node) (*loop, error) {
	l := &loop{n: n, pending: newPendingSet(n.cfg.pendingLimits()), saved: map[protocol.Hash]bool{}, saveAt: pendingSaveAfter,
		settle:   syncSettle,
		enacting: map[protocol.Hash]bool{}}
	size, err := n.store.Len()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if size == 0 {
		if err := n.store.Put(n.genesis); err != nil {
			return nil, fmt.Errorf("node: storing the genesis: %w", err)
		}
	}
	n.held = new(heldFilter) // filled as the engine loads the log, before any validator runs
	if l.eng, err = trust.Load(heldTap{n.store, n.held}); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if l.eng.Group() != n.group {
		return nil, fmt.Errorf("node: the store holds circle %s, the config names %s", l.eng.Group().Short(), n.group.Short())
	}
	if err := l.loadChain(); err != nil {
		return nil, err
	}
	if err := l.loadAbout(); err != nil {
		return nil, err
	}
	if l.blocks, err = n.store.Blocks(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if l.own, err = n.store.Outstanding(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := l.loadPending(); err != nil {
		return nil, err
	}
	return l, l.checkReserved()
}

// loadPending re-judges the ops that waited for preds when the node
// stopped. An op that no longer waits (the node stopped between storing it
// and clearing it from the buffer) is cleared now.
func (l *loop) loadPending() error {
	pend, err := l.n.store.Pending()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	for _, op := range pend {
		l.saved[op.Hash()] = true
		l.ingestFrom(op, restored, true)
	}
	l.unsaved, l.unparked = nil, nil // they are in the buffer already
	var stale []protocol.Hash
	for h := range l.saved {
		if !l.pending.has(h) {
			stale = append(stale, h)
			delete(l.saved, h)
		}
	}
	if l.own != nil {
		if v := l.ingest(l.own, true); v.Reason == ReasonDuplicate {
			l.ownDone = true
		}
	}
	if len(stale) > 0 {
		if err := l.n.store.DeletePending(stale...); err != nil {
			return fmt.Errorf("node: %w", err)
		}
	}
	if len(l.batch) > 0 {
		l.commit()
	}
	return l.n.Err()
}

// loadChain finds the node's own last op. The seq persisted before the last
// signing tells whether a signed op may be out there that this store lacks.
func (l *loop) loadChain() error {
	tips, err := l.n.store.Tips()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if t, ok := tips[l.n.key]; ok {
		last := l.ownTip(t.Hashes)
		l.seq, l.last = t.Seq, &last
		l.n.ownSeq.Store(t.Seq)
		if op, ok := l.eng.Header(last); ok {
			l.n.lastSigned.Store(op.TS)
		}
	}
	return nil
}

// ownTip picks the op the own chain continues from among the own ops at
// its highest seq. Two or more are a fork (a data dir restored from a
// backup signed that seq again): the circle suspends the organisation
// until a lift keeps one twin, and the node's next op, which cites that
// lift, counts whichever twin it follows (docs/membership.md §4.4). The
// node continues from the twin signed last (the restored copy's, in the
// usual case), or the lowest hash on a tie, and says so.
func (l *loop) ownTip(hs []protocol.Hash) protocol.Hash {
	if len(hs) == 1 {
		return hs[0]
	}
	best, bestTS := hs[0], int64(-1)
	for _, h := range hs {
		if op, ok := l.eng.Header(h); ok && (op.TS > bestTS || op.TS == bestTS && h.Less(best)) {
			best, bestTS = h, op.TS
		}
	}
	l.n.log.Warn("this organisation's own chain forks at its newest seq: the node continues from the twin signed last",
		"twins", len(hs), "op", best.Short())
	return best
}

// checkReserved compares the seq persisted before the last signing with the
// own chain and the pending buffer.
func (l *loop) checkReserved() error {
	next, err := l.n.store.NextSeq()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if next > l.seq+1 && l.outstanding() == nil {
		// The node reserved seq next-1 and stopped before storing the op.
		// It never sends an op it has not stored, so the seq is free again.
		l.n.log.Warn("reserved seq was never stored; reusing it", "reserved", next-1, "last", l.seq)
	}
	return nil
}

// outstanding returns the op of this node's own that is signed and handed
// out but not yet applied here (a newcomer's Admit enactment awaiting its
// past), or nil.
func (l *loop) outstanding() *protocol.Op {
	if l.own != nil && l.own.Seq > l.seq {
		return l.own
	}
	return nil
}

// run executes work until the node stops, committing after each burst.
func (l *loop) run() {
	defer close(l.n.loopDone)
	for {
		select {
		case <-l.n.ctx.Done():
			l.drain()
			return
		case r := <-l.n.reads:
			if !l.safely(r) {
				return
			}
		case f := <-l.n.work:
			ok := l.safely(f)
		burst:
			for ok && len(l.batch)+l.parked < l.n.cfg.CommitBatch {
				select {
				case f := <-l.n.work:
					ok = l.safely(f)
				default:
					break burst
				}
			}
			if !ok {
				return
			}
			l.commit()
		}
	}
}

// safely runs f and reports false if it panicked. A panic may leave the
// engine half-updated, so the node stops without committing: what was not
// committed was never acknowledged.
func (l *loop) safely(f func(*loop)) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			l.n.fail(fmt.Errorf("node: panic in the log loop: %v", r))
			ok = false
		}
	}()
	f(l)
	return true
}

// drain commits what was applied before the node stopped, so no caller is
// left waiting on a continuation, and writes the parked ops to the pending
// buffer.
func (l *loop) drain() {
	l.closing = true
	for {
		select {
		case f := <-l.n.work:
			if !l.safely(f) {
				return
			}
		default:
			l.commit()
			return
		}
	}
}

// do runs f in the loop and waits for its commit. f may register
// continuations with l.after. When do returns, f has either finished or
// will never run, so the caller may read what f wrote: a caller whose ctx
// ends while f runs waits for f's commit.
func (n *Node) do(ctx context.Context, f func(*loop)) error {
	return n.inLoop(ctx, f, false)
}

// doNow runs f in the loop and returns once f has run, without waiting
// for the commit: for a caller that reads only what f wrote, and acts on
// nothing that must be durable first.
func (n *Node) doNow(ctx context.Context, f func(*loop)) error {
	return n.inLoop(ctx, f, true)
}

// read runs f in the loop and returns once f has run. f may only read
// the loop's state: the loop runs it between bursts, or while a commit's
// write or sync is under way (serveWhile), and commits nothing for it. A
// caller that reads the engine (which counts an op from before its
// write) uses read rather than doNow, whose work waits for a commit under
// way to end.
func (n *Node) read(ctx context.Context, f func(*loop)) error {
	done := make(chan struct{})
	select {
	case n.reads <- func(l *loop) { f(l); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.loopDone:
		return ErrClosed
	}
	select {
	case <-done:
		return nil
	case <-n.loopDone: // f panicked
		select {
		case <-done:
			return nil
		default:
			return ErrClosed
		}
	}
}

// inLoop is do, or doNow when early is set.
func (n *Node) inLoop(ctx context.Context, f func(*loop), early bool) error {
	const (
		queued int32 = iota
		started
		abandoned
	)
	var state atomic.Int32
	done := make(chan error, 1)
	work := func(l *loop) {
		if !state.CompareAndSwap(queued, started) {
			return // the caller gave up before the loop got to it
		}
		f(l)
		if early {
			done <- nil
			return
		}
		l.after = append(l.after, func(err error) { done <- err })
	}
	select {
	case n.work <- work:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.loopDone:
		return ErrClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
	case <-n.loopDone:
		if state.CompareAndSwap(queued, abandoned) {
			return ErrClosed
		}
	}
	// f has started: wait for its commit, or for the loop to have stopped
	// (after a panic in f, or a failed commit, whose continuation says so).
	select {
	case err := <-done:
		return err
	case <-n.loopDone:
		select {
		case err := <-done:
			return err
		default:
			return ErrClosed
		}
	}
}

// commit publishes the new State, writes the batch, syncs the write, then
// acts on the new State and runs the continuations. Members see the
// batch (the State counts it, reads return it from memory: unwritten.go)
// before its write; the sync follows before anything is acknowledged:
// the continuations of do, and so a node's own ops, wait for it. A batch
// that holds an op of this node's own is written before it is published,
// so members never see an own op a crash could take back (see
// docs/node.md, what a crash can lose).
func (l *loop) commit() {
	changed := len(l.batch) > 0
	early := changed && !l.holdsOwn()
	// Readers of Consistent see the store and the State move together.
	l.n.viewMu.Lock()
	var err error
	if changed && !early {
		err = l.put()
	}
	var st *trust.State
	if err == nil {
		// Any op may change the State: a membership op, and also a
		// fork, which suspends its author.
		st, err = l.state()
	}
	prev := l.n.state.Load()
	stateChanged := err == nil && changed && st != prev
	if stateChanged {
		l.n.state.Store(st)
	}
	if early && err == nil {
		err = l.putShown()
	}
	l.n.viewMu.Unlock()
	if err == nil && changed {
		if !early {
			l.observe(l.n.cfg.OnVisible)
		}
		sync := l.n.store.Sync
		if early && len(l.after) == 0 {
			// Others' ops only, shown and forwarded already, and no
			// caller waits on their sync (gossip, not a sync's batch).
			sync = l.settledSync(l.settle)
		}
		if err = l.serveWhile(sync); err != nil {
			err = fmt.Errorf("node: syncing %d ops: %w", len(l.batch), err)
		}
	}
	if err != nil {
		l.n.fail(err)
	} else {
		l.noteAbout(l.batch)
		l.persistPending()
		l.observe(l.n.cfg.OnStored)
	}
	if stateChanged {
		a := l.admission()
		a.notice = denials(l.batch)
		l.n.enforce(a)
		if l.n.topic != nil {
			l.joinGossip(st)
		}
		l.autoEnact(st)
		if prev != nil {
			if err := l.n.noteStanding(prev, st); err != nil {
				l.n.fail(err)
			}
			l.n.noteCircle(prev, st)
		}
		if (prev == nil || !prev.InSharingSet(l.n.key)) && st.InSharingSet(l.n.key) {
			l.n.redialSoon() // just admitted: meet the circle now, not at the next backoff
		}
		l.n.wakeDialer() // a new member to dial, or this node cut off
	}
	after := l.after
	l.batch, l.after = nil, nil
	clear(l.signedNow)
	for _, f := range after {
		f(err)
	}
	if changed {
		l.n.afterChange()
	}
}

// holdsOwn reports whether the batch holds an op of this node's own.
func (l *loop) holdsOwn() bool {
	for _, op := range l.batch {
		if op.Author == l.n.key {
			return true
		}
	}
	return false
}

// putShown shows the batch to readers (Node.unwritten, OnVisible), then
// writes it, answering reads meanwhile, and forgets it once written.
func (l *loop) putShown() error {
	base, err := l.n.store.Len()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	l.n.unwritten.show(uint64(base), l.batch)
	defer l.n.unwritten.clear()
	l.observe(l.n.cfg.OnVisible)
	return l.serveWhile(l.put)
}

// serveWhile runs f (a store write or sync) on a goroutine of its own
// and meanwhile runs the reads that arrive (Node.read), so that they wait
// for no disk. f must not touch the loop's state.
func (l *loop) serveWhile(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	for {
		select {
		case err := <-done:
			return err
		case r := <-l.n.reads:
			l.safely(r) // a panic stops the node; the write still ends first
		}
	}
}

// observe hands the ops of the commit to f (Config.OnVisible or
// OnStored), if set.
func (l *loop) observe(f func(*protocol.Op, time.Time)) {
	if f == nil || len(l.batch) == 0 {
		return
	}
	at := time.Now()
	for _, op := range l.batch {
		f(op, at)
	}
}

// maxCommitBytes bounds the op bytes of one store write of several ops, well
// inside badger's transaction limit (a share of the memtable). A larger op
// is written alone.
const maxCommitBytes = 512 << 10

// put writes the batch in order, in store writes of at most maxCommitBytes
// (or one op), so that each write's preds are in earlier writes. The
// writes are not synced (store.PutVisible: each is synced before the next
// begins); commit syncs the last. The batch's ops go in the held filter
// first (Node.holds), which is safe beside the loop.
func (l *loop) put() error {
	for _, op := range l.batch {
		l.n.held.add(op.Hash())
	}
	for rest := l.batch; len(rest) > 0; {
		n, size := 0, 0
		for n < len(rest) && (n == 0 || size+len(rest[n].Bytes()) <= maxCommitBytes) {
			size += len(rest[n].Bytes())
			n++
		}
		if hook := l.n.cfg.beforeWrite; hook != nil {
			if err := hook(rest[:n]); err != nil {
				return fmt.Errorf("node: committing %d ops: %w", n, err)
			}
		}
		if err := l.putOps(rest[:n]); err != nil {
			return fmt.Errorf("node: committing %d ops: %w", n, err)
		}
		rest = rest[n:]
	}
	return nil
}

// putOps writes ops in one store write. A write that holds an op this
// node signed in this burst saves the seq after it in the same write
// (store.PutVisibleOwn): the node signed it without persisting the seq
// first (loop.sign), and the one sync that follows makes both durable
// before the op is sent. An op of this organisation's key that arrived
// from elsewhere (a copy of the data dir signing on another host) leaves
// the saved seq alone, so the second-signer alarm still sees it beyond.
func (l *loop) putOps(ops []*protocol.Op) error {
	var next uint64
	for _, op := range ops {
		if l.signedNow[op.Hash()] && op.Seq >= next {
			next = op.Seq + 1
		}
	}
	if next == 0 {
		return l.n.store.PutVisible(ops...)
	}
	return l.n.store.PutVisibleOwn(next, ops...)
}

// state returns the engine's State, which may resolve the log anew; a
// panic there stops the node like one in any other loop work.
func (l *loop) state() (st *trust.State, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("node: panic resolving the State: %v", r)
		}
	}()
	return l.eng.State(), nil
}

// pendingSaveAfter is how long a parked op waits before the loop writes it
// to the store's pending buffer. Most parked ops are applied within a few
// bursts: pubsub validates concurrently, so ops published in causal order
// often arrive just before their preds. Writing each of them, then
// deleting it, cost two more synced commits per burst. A parked op lost
// in a crash is no loss: nobody was told it was accepted, and sync brings
// it again.
const pendingSaveAfter = time.Second

// unsavedOp is a parked op not yet written to the pending buffer.
type unsavedOp struct {
	op *protocol.Op
	at time.Time
}

// persistPending mirrors the pending set into the store's pending buffer:
// first it deletes the written ops that left the set, so that the store's
// own bound counts only live entries, then it writes the ops parked for
// saveAt (every parked op when the node stops).
func (l *loop) persistPending() {
	l.expirePending(time.Now())
	var gone []protocol.Hash
	for _, h := range l.unparked {
		if l.saved[h] && !l.pending.has(h) {
			gone = append(gone, h)
			delete(l.saved, h)
		}
	}
	if len(gone) > 0 {
		if err := l.n.store.DeletePending(gone...); err != nil {
			l.n.log.Warn("pending buffer cleanup", "err", err)
		}
	}
	now := time.Now()
	var write []*protocol.Op
	keep := l.unsaved[:0]
	for _, u := range l.unsaved {
		h := u.op.Hash()
		switch {
		case !l.pending.has(h) || l.saved[h]:
			// applied, dropped or written meanwhile
		case l.closing || now.Sub(u.at) >= l.saveAt:
			write = append(write, u.op)
		default:
			keep = append(keep, u)
		}
	}
	clear(l.unsaved[len(keep):])
	l.unsaved = keep
	if len(write) > 0 {
		evicted, err := l.n.store.PutPending(write...)
		if err != nil {
			l.n.log.Warn("pending buffer", "err", err)
		} else {
			for _, op := range write {
				l.saved[op.Hash()] = true
			}
		}
		for _, h := range evicted {
			l.pending.remove(h)
			delete(l.saved, h)
		}
	}
	if l.ownDone {
		if err := l.n.store.ClearOutstanding(); err != nil {
			l.n.log.Warn("clearing the outstanding own op", "err", err)
		}
	}
	l.parked, l.unparked, l.ownDone = 0, nil, false
}

// admission returns the admission snapshot of the current State and
// blocks.
func (l *loop) admission() *admission {
	a := &admission{state: l.eng.State(), blocks: map[protocol.Key]bool{}, boot: map[protocol.Key]bool{}, self: l.n.key}
	for k := range l.blocks {
		a.blocks[k] = true
	}
	for _, ai := range l.n.boot {
		if k, ok := PeerKey(ai.ID); ok {
			a.boot[k] = true
		}
	}
	return a
}

// submit hands verified ops received from a peer to the loop, in
// order, and returns their verdicts once the accepted ones are durable.
func (n *Node) submit(ctx context.Context, ops []*protocol.Op) ([]Verdict, error) {
	return n.submitParking(ctx, ops, forwarderOf(ctx), true)
}

// submitParking is submit for ops forwarder from delivered; ops missing
// preds are parked only if park is set (see ingestAll).
func (n *Node) submitParking(ctx context.Context, ops []*protocol.Op, from peer.ID, park bool) ([]Verdict, error) {
	var out []Verdict
	err := n.do(ctx, func(l *loop) {
		out = l.ingestAll(ops, func(int) peer.ID { return from }, park)
	})
	if err != nil {
		return nil, err
	}
	for _, v := range out {
		n.verdicts.add(v)
	}
	return out, nil
}

// blocksCopy returns the local blocks; loop only.
func (l *loop) blocksCopy() map[protocol.Key]store.Block { return maps.Clone(l.blocks) }
