package node

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// kick starts a sync with p, or, if one is running, has it run once more.
func (s *syncer) kick(p peer.ID) {
	s.withPeer(s.turns, p, "sync", s.syncWith)
}

// fetchDelay is how long fetch waits before it asks: pubsub validates
// concurrently, so in a burst many ops reach the loop just before their
// preds, which arrive by gossip a few milliseconds later.
const fetchDelay = 50 * time.Millisecond

// fetch asks p for the preds this node's parked ops still miss after
// fetchDelay, and for their preds in turn: the quick way to complete an op
// that came by gossip before its preds, which p, having forwarded it,
// holds. A full sync compares every author's tips first. If the fetch
// fails, fetch falls back to a sync.
func (s *syncer) fetch(p peer.ID) { s.fetchAs(p, "fetch") }

// pushedFetch names the fetch of the preds of ops p pushed to this node:
// the one a cut-off node still makes, so that the decisions a member
// pushes it (a lift, the twins of its fork) do not wait for votes it
// never saw.
const pushedFetch = "fetch for a push"

// fetchAs is fetch, named what for withPeer.
func (s *syncer) fetchAs(p peer.ID, what string) {
	s.withPeer(s.fetches, p, what, func(ctx context.Context, p peer.ID) error {
		ctx = withForwarder(ctx, p) // p's ops count against p's pending quota
		select {
		case <-time.After(fetchDelay):
		case <-ctx.Done():
			return ctx.Err()
		}
		if want, err := s.node.wanted(ctx, p); err != nil || len(want) == 0 {
			return err
		}
		c, err := s.open(ctx, p)
		if err != nil {
			return err
		}
		defer c.close()
		if err := s.pullWanted(ctx, c, p, nil); err != nil {
			s.kick(p)
			return err
		}
		return nil
	})
}

// withPeer runs f with p on its own goroutine, one at a time per peer as
// turns keeps them, and once more if asked again meanwhile. Each run is
// bounded in time and never dials: it uses the connection that made it
// worth asking (a sync that dialled would connect, and every connection
// kicks a sync). A run that fails backs off (s.retry) before p is asked
// again; an error is logged, a panic too, never fatal. An applicant serves
// no log, so only sharing and bootstrap peers are asked, and a cut-off node
// syncs with nobody: it only fetches the preds of what a member pushed it
// (pushedFetch: the decisions about it, whose votes may cite ops it never
// saw).
func (s *syncer) withPeer(turns *syncTurns, p peer.ID, what string, f func(context.Context, peer.ID) error) {
	if !s.mayAsk(p, what) {
		s.askLater(turns, p, what, f)
		return
	}
	if s.ctx.Err() != nil || !turns.start(p) {
		return
	}
	once := func() {
		defer func() {
			if r := recover(); r != nil {
				s.retry.failed(p, time.Now())
				s.log.Error(what+" panic", "peer", s.node.PeerName(p), "panic", fmt.Sprint(r))
			}
		}()
		ctx, cancel := context.WithTimeout(s.ctx, 4*s.cfg.StreamTimeout)
		defer cancel()
		ctx = network.WithNoDial(ctx, "kring: "+what+" over an open connection")
		s.attempts.Add(1)
		if err := f(ctx, p); err != nil {
			wait := s.retry.failed(p, time.Now())
			s.log.Debug(what, "peer", s.node.PeerName(p), "err", err, "retry_after", wait)
			return
		}
		s.retry.succeeded(p)
	}
	s.node.spawn(func() {
		for again := true; again; again = turns.finish(p) {
			if s.mayAsk(p, what) {
				once()
			}
		}
	})
}

// askLater runs withPeer again once p's backoff has run out, if p was
// refused only for its backoff: a sync kicked while p backs off (the
// member that just took this node's admission, a fetch of missing preds)
// happens late, not never. One such retry waits per peer at a time.
func (s *syncer) askLater(turns *syncTurns, p peer.ID, what string, f func(context.Context, peer.ID) error) {
	if std := s.gate.standing(p); (std != Sharing && std != Bootstrap) || (s.cutOff.Load() && what != pushedFetch) {
		return
	}
	wait, first := s.retry.deferAsk(p, time.Now())
	if !first {
		return
	}
	s.node.spawn(func() {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			s.withPeer(turns, p, what, f)
		case <-s.ctx.Done():
		}
	})
}

// mayAsk reports whether a sync or fetch (what) with p may start now: p
// is a sharing or bootstrap peer, this node is not cut off (a fetch may
// start while it is), and p's backoff has run out.
func (s *syncer) mayAsk(p peer.ID, what string) bool {
	if std := s.gate.standing(p); std != Sharing && std != Bootstrap {
		return false
	}
	return !(s.cutOff.Load() && what != pushedFetch) && s.retry.due(p, time.Now())
}
