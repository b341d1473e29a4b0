package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
)

// syncPullers bounds how many authors' ranges one sync pulls at once, each
// on a sync stream of its own. One range alone leaves a core idle at
// times: while its answer is served and opened the loop waits, and while
// the loop commits a batch (mostly waiting on the disk) the opener may
// have nothing to open. A second range fills those gaps. Authors are never
// pulled by two syncs at once (pulls), so a node that syncs with several
// members at once pulls at most one range per author in all.
const syncPullers = 2

// pullAuthors pulls, for each author tips shows, the range this node
// lacks (pullAuthor), syncPullers authors at a time: the first puller on
// c, the others on streams of their own to p, opened only once they have
// a range to pull (a puller whose stream does not open leaves its authors
// to the others). Authors another sync is pulling wait until the free
// ones are done. It returns the tips' hashes the sync may fetch by hash
// afterwards, or the first puller's error that ends the sync (a cancelled
// context or a reset stream).
func (s *syncer) pullAuthors(ctx context.Context, c *syncConn, p peer.ID, tips []protocol.SyncTip) ([]protocol.Hash, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := &authorQueue{free: tips}
	var (
		mu    sync.Mutex
		want  []protocol.Hash
		first error
		wg    sync.WaitGroup
	)
	// puller pulls authors from q until none is left, on the stream conn
	// returns.
	puller := func(conn func() (*syncConn, error)) {
		for {
			t, ok := q.next()
			if !ok {
				return
			}
			n, pulled, err := s.pullTurn(ctx, conn, p, t, q)
			if errors.Is(err, errNoStream) {
				q.giveBack(t)
				return
			}
			mu.Lock()
			if err != nil && first == nil {
				first = err
				cancel()
			}
			if pulled {
				want = append(want, t.Hashes[:n]...)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}
	for range syncPullers - 1 {
		var own *syncConn
		wg.Add(1)
		go func() {
			defer wg.Done()
			puller(func() (*syncConn, error) {
				if own == nil {
					var err error
					if own, err = s.open(ctx, p); err != nil {
						s.log.Debug("second sync stream", "peer", s.node.PeerName(p), "err", err)
						return nil, errNoStream
					}
				}
				return own, nil
			})
			if own != nil {
				own.close()
			}
		}()
	}
	puller(func() (*syncConn, error) { return c, nil })
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return want, nil
}

// errNoStream reports a puller whose own sync stream did not open.
var errNoStream = errors.New("node: no sync stream of its own")

// pullTurn pulls t's range if this sync gets t.Author's turn: at once if
// no other sync holds it; if one does and free authors are left, t goes
// behind them (authorQueue.postpone) and pulled is false; once none is
// left, it waits for the turn. It returns pullAuthor's count of hashes
// the sync may fetch.
func (s *syncer) pullTurn(ctx context.Context, conn func() (*syncConn, error), p peer.ID, t protocol.SyncTip, q *authorQueue) (n int, pulled bool, err error) {
	release := s.pulls.try(t.Author)
	if release == nil {
		if q.postpone(t) {
			return 0, false, nil
		}
		if release, err = s.pulls.wait(ctx, t.Author); err != nil {
			return 0, false, err
		}
	}
	n, err = s.pullAuthor(ctx, conn, p, t)
	release()
	return n, !errors.Is(err, errNoStream), err
}

// authorQueue hands the pullers of one sync the authors to pull: first
// those free when taken, then those another sync was pulling.
type authorQueue struct {
	mu   sync.Mutex
	free []protocol.SyncTip // not yet taken
	busy []protocol.SyncTip // found busy: taken again once free is empty
}

// next takes the next author to pull, or reports false when none is left.
func (q *authorQueue) next() (protocol.SyncTip, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, l := range []*[]protocol.SyncTip{&q.free, &q.busy} {
		if len(*l) > 0 {
			t := (*l)[0]
			*l = (*l)[1:]
			return t, true
		}
	}
	return protocol.SyncTip{}, false
}

// postpone puts t, whose author another sync is pulling, behind the free
// authors, unless none is left; it reports whether it did.
func (q *authorQueue) postpone(t protocol.SyncTip) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.free) == 0 {
		return false
	}
	q.busy = append(q.busy, t)
	return true
}

// giveBack returns t, taken by a puller that cannot pull it, to the front
// of the queue.
func (q *authorQueue) giveBack(t protocol.SyncTip) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.free = append([]protocol.SyncTip{t}, q.free...)
}

// pullAuthor pulls what this node lacks of the range tip t shows, while
// this sync holds t.Author's turn. One author's range failing (e.g. a
// forged op in it) must not keep this node from the others' ops: what is
// missing is fetched by hash afterwards. Only a cancelled context or a
// reset stream end the sync. It returns how many of the tip's hashes
// (twins after a fork) the sync may fetch: none if the author's pace held
// part of the range back, no more than the pace holds if it is paced
// (syncPace), every one otherwise.
func (s *syncer) pullAuthor(ctx context.Context, conn func() (*syncConn, error), p peer.ID, t protocol.SyncTip) (int, error) {
	mine, err := s.store.Tips()
	if err != nil {
		return 0, fmt.Errorf("node: %w", err)
	}
	have := mine[t.Author]
	to, paced := s.node.syncPace(t.Author, have.Seq, t.Seq)
	if to > have.Seq {
		c, err := conn()
		if err != nil {
			return 0, err
		}
		if err := s.pullRange(ctx, c, t.Author, have.Seq+1, to, paced); err != nil {
			s.log.Debug("sync range", "peer", s.node.PeerName(p), "author", s.node.KeyName(t.Author), "err", err)
			if ctx.Err() != nil || errors.Is(err, network.ErrReset) {
				return 0, err
			}
		}
	}
	switch {
	case to < t.Seq:
		return 0, nil
	case paced || (have.Seq == t.Seq && len(t.Hashes) > 1):
		return s.node.twinBudget(t.Author, len(t.Hashes)), nil
	}
	return len(t.Hashes), nil
}
