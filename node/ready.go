package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Readiness is where the publishing condition stands (Node.Readiness).
type Readiness struct {
	// Err is nil when the node may publish now, else why not: an error
	// wrapping ErrNotSharing, ErrNotSynced, ErrNoMemberReachable,
	// ErrOwnChainBehind, ErrSecondSigner or ErrClosed.
	Err error
	// SyncedWith are the other members of the sharing set that a sync
	// completed with since the node started, sorted.
	SyncedWith []protocol.Key
	// Members is how many other members the sharing set holds.
	Members int
	// Unreachable is how many of them the node neither is connected to
	// nor has synced with since it started.
	Unreachable int
}

// readinessKey is the context key of WithReadiness.
type readinessKey struct{}

// WithReadiness returns a context under which a publishing call (Publish,
// Vote, ...) records in *r the node's Readiness at the moment it went on
// to sign: which members it had synced with.
func WithReadiness(ctx context.Context, r *Readiness) context.Context {
	return context.WithValue(ctx, readinessKey{}, r)
}

// WaitReady waits until the node may publish (Ready), starting a sync with
// every connected member it has not synced with yet, or until ctx is done;
// the error then says what it still waited for.
//
// The node may publish once it has completed a sync, since it started,
// with Config.SyncBeforePublish other members of the sharing set (all of
// them if there are fewer). A node that cannot reach that many waits
// Config.PublishWait, from its start or its admission, for members to
// answer; after that a sync with every member it is connected to is
// enough (SyncBeforePublish at most), and at least one is needed: with no
// member connected it refuses with ErrNoMemberReachable. In any case it
// refuses with ErrOwnChainBehind while a member has shown it more of its
// own chain than it holds (a data dir restored from an old copy): it signs
// again once it has fetched those ops, so that it never forks its chain.
func (n *Node) WaitReady(ctx context.Context) error {
	changed := true
	for {
		ch := n.Changed()
		err := n.ready()
		if err == nil || errors.Is(err, ErrClosed) || errors.Is(err, ErrSecondSigner) {
			return err // a second signer stands until a restart: no wait ends it
		}
		if changed && !errors.Is(err, ErrNotSharing) {
			n.syncForReady()
		}
		changed = false
		// The end of the wait for members to answer changes the condition,
		// and so does a member that hangs up, which no change announces.
		wake := time.NewTimer(time.Second)
		if left := n.dialWaitLeft(); left > 0 {
			wake.Reset(left + time.Millisecond)
		}
		select {
		case <-ch:
			changed = true
		case <-wake.C:
		case <-ctx.Done():
			wake.Stop()
			return fmt.Errorf("%w (%v)", err, ctx.Err())
		case <-n.ctx.Done():
			wake.Stop()
			return ErrClosed
		}
		wake.Stop()
	}
}

// Ready reports, without waiting and without starting anything, whether
// the node may publish now: nil, or an error that says why not (see
// Readiness.Err).
func (n *Node) Ready() error { return n.ready() }

func (n *Node) ready() error {
	if n.ctx.Err() != nil {
		return ErrClosed
	}
	// The common case, cheaply: enough syncs, as the sync path asks often.
	st := n.State()
	if st.InSharingSet(n.key) && !n.restored.Load() {
		have := 0
		for p := range n.sync.syncedWith() {
			if k, ok := PeerKey(p); ok && k != n.key && st.InSharingSet(k) {
				have++
			}
		}
		if have >= min(n.cfg.SyncBeforePublish, len(st.SharingSet())-1) {
			if err := n.ownBehind(n.ownSeq.Load()); err != nil {
				return err
			}
			return n.secondSignerErr()
		}
	}
	return n.Readiness().Err
}

// Readiness returns where the publishing condition stands now, without
// waiting and without starting anything.
func (n *Node) Readiness() Readiness {
	if n.ctx.Err() != nil {
		return Readiness{Err: ErrClosed}
	}
	st := n.State()
	var r Readiness
	others := map[peer.ID]protocol.Key{}
	for _, k := range st.SharingSet() {
		if k == n.key {
			continue
		}
		if p, err := PeerID(k); err == nil {
			others[p] = k
		}
	}
	r.Members = len(others)
	synced := n.sync.syncedWith()
	connected := 0
	for p, k := range others {
		switch {
		case synced[p]:
			r.SyncedWith = append(r.SyncedWith, k)
		case n.host != nil && n.host.Network().Connectedness(p) == network.Connected:
			connected++
		default:
			r.Unreachable++
		}
	}
	slices.SortFunc(r.SyncedWith, compareKeys)
	r.Err = n.readyErr(st, r, connected)
	return r
}

// readyErr applies the publishing condition (WaitReady) to r; connected
// counts the members connected but not synced with yet.
func (n *Node) readyErr(st *trust.State, r Readiness, connected int) error {
	// Another signer first: the copy must be stopped before anything
	// else (the fork it made suspends this organisation too).
	if err := n.secondSignerErr(); err != nil {
		return err
	}
	if !st.InSharingSet(n.key) {
		return fmt.Errorf("%w: %s", ErrNotSharing, st.Key(n.key))
	}
	if err := n.ownBehind(n.ownSeq.Load()); err != nil {
		return err
	}
	if err := n.restoredErr(r); err != nil {
		return err
	}
	have := len(r.SyncedWith)
	need := min(n.cfg.SyncBeforePublish, r.Members)
	if have >= need {
		return nil
	}
	if n.dialWaitLeft() > 0 {
		return fmt.Errorf("%w: synced with %d of %d members, waiting for more to answer (up to %s after start)",
			ErrNotSynced, have, r.Members, n.cfg.PublishWait)
	}
	answered := have + connected
	if answered == 0 {
		return fmt.Errorf("%w: none of the %d others did within %s, so this node cannot check its own chain "+
			"against theirs and signs nothing; check its network and the members' addresses (kring peers), "+
			"or publish once a member is online", ErrNoMemberReachable, r.Members, n.cfg.PublishWait)
	}
	if have >= min(need, answered) {
		return nil
	}
	return fmt.Errorf("%w: synced with %d of %d members; %d more answered, syncing", ErrNotSynced, have, r.Members, connected)
}

// dialWaitLeft is how much of Config.PublishWait is left since the node
// started or was admitted (noteDialStart).
func (n *Node) dialWaitLeft() time.Duration {
	return time.Until(time.Unix(0, n.dialFrom.Load()).Add(n.cfg.PublishWait))
}

// noteDialStart starts the wait for members to answer again: the node
// starts, or has just been admitted, and dials the circle.
func (n *Node) noteDialStart() { n.dialFrom.Store(time.Now().UnixNano()) }

// ownBehind returns an error wrapping ErrOwnChainBehind if a member of the
// sharing set has shown this node more of its own chain than seq, the last
// seq it holds. Tips are unsigned claims: a member this node blocks
// locally, or that the circle suspended, is not believed.
func (n *Node) ownBehind(seq uint64) error {
	shown := n.sync.ownShownAbove(seq)
	var (
		by   protocol.Key
		most uint64
	)
	for p, s := range shown {
		k, ok := PeerKey(p)
		if ok && s > most && n.gater != nil && n.gater.standing(p) == Sharing {
			by, most = k, s
		}
	}
	if most == 0 {
		return nil
	}
	name := n.Label(by)
	return fmt.Errorf("%w: %s holds it up to seq %d, this node only up to seq %d. Was the data dir restored from a backup "+
		"or copied from another host? Signing now would fork the chain (an equivocation, which suspends this organisation). "+
		"The node fetches the missing ops from the members by sync and signs again once it holds them: keep it running and "+
		"connected (kring peers), and if %s is offline, wait for it to return. Never run two copies of one data dir",
		ErrOwnChainBehind, name, most, seq, name)
}

// syncForReady starts a sync with every connected member this node has not
// completed one with since it started, so that a node that just became a
// member, or whose earlier sync partner was removed, is ready to publish as
// soon as the syncs finish rather than at the next periodic sync. A member
// that showed more of this node's own chain than it holds is synced with
// again.
func (n *Node) syncForReady() {
	for _, p := range n.host.Network().Peers() {
		if !n.sync.doneWith(p, n.ownSeq.Load()) && n.gater.standing(p) == Sharing {
			n.sync.kick(p)
		}
	}
}
