package testnet

import (
	"sync"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// recorder keeps, from every node's node.Config.OnStored, when each op
// became durable at each node, so that the demo's figures are exact rather
// than bounded by how often it polls.
type recorder struct {
	mu     sync.Mutex
	stored map[protocol.Hash]map[string]time.Time
	// enacts maps a motion's hash to the first enactment of it stored
	// anywhere.
	enacts map[protocol.Hash]*protocol.Op
}

func newRecorder() *recorder {
	return &recorder{stored: map[protocol.Hash]map[string]time.Time{}, enacts: map[protocol.Hash]*protocol.Op{}}
}

// configure is the Net's Options.Config: every demo node enacts the
// motions it voted for (members only vote) and reports what it stores.
func (r *recorder) configure(org string, c *node.Config) {
	c.AutoEnact = true
	c.OnStored = func(op *protocol.Op, at time.Time) { r.add(org, op, at) }
}

func (r *recorder) add(org string, op *protocol.Op, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := op.Hash()
	by := r.stored[h]
	if by == nil {
		by = map[string]time.Time{}
		r.stored[h] = by
	}
	if _, ok := by[org]; !ok {
		by[org] = at
	}
	if e, ok := op.Content().(*protocol.Enact); ok {
		if _, seen := r.enacts[e.Motion.Hash()]; !seen {
			r.enacts[e.Motion.Hash()] = op
		}
	}
}

// at returns when org's node stored op h.
func (r *recorder) at(h protocol.Hash, org string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.stored[h][org]
	return t, ok
}

// first returns when op h was first stored anywhere: at its author, for an
// op published by a demo node.
func (r *recorder) first(h protocol.Hash) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var first time.Time
	for _, t := range r.stored[h] {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	return first, !first.IsZero()
}

// last returns when the last of the orgs' nodes stored op h, and false
// while one of them has not.
func (r *recorder) last(h protocol.Hash, orgs []string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last time.Time
	for _, o := range orgs {
		t, ok := r.stored[h][o]
		if !ok {
			return time.Time{}, false
		}
		if t.After(last) {
			last = t
		}
	}
	return last, true
}

// enactment returns the first enactment of motion m stored anywhere.
func (r *recorder) enactment(m protocol.Hash) (*protocol.Op, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	op, ok := r.enacts[m]
	return op, ok
}
