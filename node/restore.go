package node

import (
	"fmt"
	"io"
)

// A node restored from a backup.
//
// A store restored from a backup (kring restore), or made empty for a
// restore of the keys alone, is marked so (store.Restored). The node may
// have signed ops after the backup was taken; a member holds them, and
// signing the same seqs again would fork the chain, which suspends the
// organisation. So a restored node signs only once it has completed a
// sync, since it started, with every other member of the sharing set, and
// no member shows it more of its own chain than it holds: then no op of
// its chain can be missing, and it clears the mark. Until then its
// readiness says what it waits for (kring status); the usual fallback of
// Config.PublishWait, publishing with fewer members, does not apply.

// Backup writes a consistent copy of the node's store to w while the node
// runs (badger's backup stream; store.Restore reads it).
func (n *Node) Backup(w io.Writer) error {
	if err := n.store.Backup(w); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

// restoredErr returns, for a node restored from a backup, an error
// wrapping ErrNotSynced until it has synced with every other member of
// the sharing set (r); then it clears the restore mark and returns nil.
func (n *Node) restoredErr(r Readiness) error {
	if !n.restored.Load() {
		return nil
	}
	if len(r.SyncedWith) < r.Members {
		return fmt.Errorf("%w: restored from a backup, this node signs once it has synced with every member of the sharing set, "+
			"so that none holds an op of this organisation's chain that it lacks: %d of %d so far%s",
			ErrNotSynced, len(r.SyncedWith), r.Members, waitingFor(r.Unreachable))
	}
	if n.restored.CompareAndSwap(true, false) {
		if err := n.store.ClearRestored(); err != nil {
			n.restored.Store(true)
			return fmt.Errorf("node: clearing the restore mark: %w", err)
		}
		n.log.Info("restored from a backup: this node has synced with every member and holds its own chain as they do; it signs again",
			"members", r.Members, "own_seq", n.ownSeq.Load())
	}
	return nil
}

// waitingFor says how many members a restored node cannot reach.
func waitingFor(unreachable int) string {
	switch unreachable {
	case 0:
		return ""
	case 1:
		return "; 1 member is unreachable: it waits for it to come online"
	}
	return fmt.Sprintf("; %d members are unreachable: it waits for them to come online", unreachable)
}
