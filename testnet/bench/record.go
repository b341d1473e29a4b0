package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// recorder notes when each node stored (or, for a baseline, delivered)
// each op, keyed by the op's hash and the node's name.
type recorder struct {
	mu   sync.Mutex
	off  bool
	seen map[protocol.Hash]map[string]time.Time
	// firstAdvisory is when each node first stored an advisory.
	firstAdvisory map[string]time.Time
}

func newRecorder() *recorder {
	return &recorder{seen: map[protocol.Hash]map[string]time.Time{}, firstAdvisory: map[string]time.Time{}}
}

// record notes that node name had h at t; only the first time counts.
func (r *recorder) record(name string, h protocol.Hash, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off {
		return
	}
	m := r.seen[h]
	if m == nil {
		m = map[string]time.Time{}
		r.seen[h] = m
	}
	if _, ok := m[name]; !ok {
		m[name] = t
	}
}

// pause stops (true) or resumes (false) recording, e.g. during bulk
// ingestion.
func (r *recorder) pause(off bool) {
	r.mu.Lock()
	r.off = off
	r.mu.Unlock()
}

// hook is a node.Config.OnStored for node name.
func (r *recorder) hook(name string) func(*protocol.Op, time.Time) {
	return func(op *protocol.Op, at time.Time) {
		r.record(name, op.Hash(), at)
		if op.Kind == protocol.KindAdvisory {
			r.mu.Lock()
			if _, ok := r.firstAdvisory[name]; !ok {
				r.firstAdvisory[name] = at
			}
			r.mu.Unlock()
		}
	}
}

// firstAdvisoryAt returns when node name first stored an advisory.
func (r *recorder) firstAdvisoryAt(name string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.firstAdvisory[name]
	return t, ok
}

// at returns when node name had h.
func (r *recorder) at(h protocol.Hash, name string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.seen[h][name]
	return t, ok
}

// last returns the latest time any of names had h, and whether all had it.
func (r *recorder) last(h protocol.Hash, names []string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var latest time.Time
	for _, n := range names {
		t, ok := r.seen[h][n]
		if !ok {
			return time.Time{}, false
		}
		if t.After(latest) {
			latest = t
		}
	}
	return latest, true
}

// first returns the earliest time any of names had h, and whether any had
// it.
func (r *recorder) first(h protocol.Hash, names []string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var earliest time.Time
	for _, n := range names {
		if t, ok := r.seen[h][n]; ok && (earliest.IsZero() || t.Before(earliest)) {
			earliest = t
		}
	}
	return earliest, !earliest.IsZero()
}

// waitAll waits until every named node had h and returns the latest time.
func (r *recorder) waitAll(ctx context.Context, h protocol.Hash, names []string) (time.Time, error) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if at, ok := r.last(h, names); ok {
			return at, nil
		}
		select {
		case <-ctx.Done():
			missing := 0
			for _, n := range names {
				if _, ok := r.at(h, n); !ok {
					missing++
				}
			}
			return time.Time{}, fmt.Errorf("bench: op %s missing at %d of %d nodes: %w", h.Short(), missing, len(names), ctx.Err())
		case <-t.C:
		}
	}
}
