package node

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// retryPolicy is the backoff of one retry path: after the f-th failure in
// a row the next attempt waits min·2^(f-1), capped at max, plus a random
// jitter of up to half that delay. Every retry path of the node (redials,
// syncs and fetches with a peer, a cut-off node's knocks) has one, so that
// no failing peer is asked again at once, and a node that is refused
// everywhere makes a bounded number of attempts.
type retryPolicy struct {
	min, max time.Duration
	// jitter returns a random value in [0, n); nil means math/rand. Tests
	// set it to make the schedule exact.
	jitter func(n int64) int64
}

// delay returns how long to wait after the f-th failure in a row (f ≥ 1).
func (r retryPolicy) delay(f int) time.Duration {
	d := r.min
	for i := 1; i < f && d < r.max; i++ {
		d *= 2
	}
	d = min(d, r.max)
	jitter := r.jitter
	if jitter == nil {
		jitter = rand.Int64N
	}
	return d + time.Duration(jitter(int64(d)/2+1))
}

// retrySchedule keeps a retryPolicy for each peer: how many attempts in
// a row failed and when the next one is due. It holds only peers whose
// last attempt failed, so it stays as small as the circle. Safe for
// concurrent use.
type retrySchedule struct {
	policy retryPolicy
	mu     sync.Mutex
	peers  map[peer.ID]*retryState
}

type retryState struct {
	failures int
	next     time.Time
	// deferred is set while a retry of a dropped request waits for next.
	deferred bool
}

func newRetrySchedule(p retryPolicy) *retrySchedule {
	return &retrySchedule{policy: p, peers: map[peer.ID]*retryState{}}
}

// due reports whether an attempt with p may start at now.
func (s *retrySchedule) due(p peer.ID, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.peers[p]
	return st == nil || !now.Before(st.next)
}

// failed records a failed attempt with p at now and returns the wait
// before the next one.
func (s *retrySchedule) failed(p peer.ID, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.peers[p]
	if st == nil {
		st = &retryState{}
		s.peers[p] = st
	}
	st.failures++
	st.deferred = false
	d := s.policy.delay(st.failures)
	st.next = now.Add(d)
	return d
}

// deferAsk reports how long until p's backoff runs out, and whether the
// caller is the first to wait for it since p's last attempt: a request
// that arrives during the backoff is retried once when it ends, not lost
// and not repeated for every request that arrived meanwhile.
func (s *retrySchedule) deferAsk(p peer.ID, now time.Time) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.peers[p]
	if st == nil || !now.Before(st.next) || st.deferred {
		return 0, false
	}
	st.deferred = true
	return st.next.Sub(now), true
}

// succeeded forgets p's failures.
func (s *retrySchedule) succeeded(p peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.peers, p)
}

// failing reports whether p's last attempt failed.
func (s *retrySchedule) failing(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peers[p] != nil
}

// empty reports whether no peer's last attempt failed.
func (s *retrySchedule) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.peers) == 0
}

// reset forgets every peer's failures; a nil schedule has none.
func (s *retrySchedule) reset() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.peers)
}
