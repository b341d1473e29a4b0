package node

import (
	"context"
	"sync"

	"github.com/kring-circle/kring/protocol"
)

// pulls lets one sync at a time pull an author's range. A node that comes
// back from offline syncs with every member it reaches at once; without
// this, each sync would pull, verify and judge the same missing ranges, and
// most of the catch-up work would go to duplicates. A sync that finds an
// author busy pulls the other authors first, then waits, and pulls only
// what the other sync did not bring.
type pulls struct {
	mu      sync.Mutex
	authors map[protocol.Key]*pullSlot
}

// pullSlot is one author's turn: a one-token semaphore and the number of
// syncs holding or waiting for it, so that the slot goes when none does.
type pullSlot struct {
	token chan struct{}
	users int
}

func newPulls() *pulls { return &pulls{authors: map[protocol.Key]*pullSlot{}} }

// slot returns author's slot, counting the caller as a user.
func (p *pulls) slot(author protocol.Key) *pullSlot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.authors[author]
	if s == nil {
		s = &pullSlot{token: make(chan struct{}, 1)}
		p.authors[author] = s
	}
	s.users++
	return s
}

// leave uncounts the caller and drops the slot once nobody uses it.
func (p *pulls) leave(author protocol.Key, s *pullSlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.users--; s.users == 0 {
		delete(p.authors, author)
	}
}

// try takes author's turn if no other sync holds it. It returns the
// function that gives the turn back, or nil if the author is busy.
func (p *pulls) try(author protocol.Key) (release func()) {
	s := p.slot(author)
	select {
	case s.token <- struct{}{}:
		return func() { <-s.token; p.leave(author, s) }
	default:
		p.leave(author, s)
		return nil
	}
}

// wait takes author's turn, waiting for the sync that holds it, or
// returns ctx's error.
func (p *pulls) wait(ctx context.Context, author protocol.Key) (release func(), err error) {
	s := p.slot(author)
	select {
	case s.token <- struct{}{}:
		return func() { <-s.token; p.leave(author, s) }, nil
	case <-ctx.Done():
		p.leave(author, s)
		return nil, ctx.Err()
	}
}
