package node

import "time"

// syncSettle is how long the loop lets a burst of others' ops that no
// caller waits on (gossip; not a sync's batch, whose caller waits for its
// sync) settle before it syncs the burst's write, when no work waits:
// the burst was
// shown and forwarded before its write, and on a machine shared with the
// nodes it was forwarded to, a sync at once competes with the op's way
// to them. A crash of the machine meanwhile loses at most that burst,
// which sync fetches again (docs/node.md, "What a crash can lose").
const syncSettle = 10 * time.Millisecond

// settlePoll is how often the settling sync looks for queued work.
const settlePoll = time.Millisecond

// settledSync returns the sync of a burst of others' ops: it waits up to
// settle, or until work is queued for the loop or the node stops, then
// syncs the store. It runs beside the loop (serveWhile), so it reads
// only the work queue's length. A store with nothing unsynced (no
// SyncWrites) is synced at once, which does nothing.
func (l *loop) settledSync(settle time.Duration) func() error {
	st, work, done := l.n.store, l.n.work, l.n.ctx.Done()
	return func() error {
		if settle <= 0 || !st.Unsynced() {
			return st.Sync()
		}
		limit := time.NewTimer(settle)
		defer limit.Stop()
		poll := time.NewTicker(settlePoll)
		defer poll.Stop()
		for len(work) == 0 {
			select {
			case <-limit.C:
				return st.Sync()
			case <-done:
				return st.Sync()
			case <-poll.C:
			}
		}
		return st.Sync()
	}
}
