package node

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kring-circle/kring/protocol"
)

// ErrDiskLow: the data dir's file system has less free space than
// Config.MinFreeDisk, so the node takes no new advisories, its own
// included, until space is freed; membership ops, and the ops they cite,
// still come in.
var ErrDiskLow = errors.New("node: the data dir's disk is below its free-space watermark (store.min_free_mib); advisories wait until space is freed")

// diskCheckEvery is how often the node looks at the free space.
const diskCheckEvery = 10 * time.Second

// diskWatch is what the node last saw of its disk's free space.
type diskWatch struct {
	low  atomic.Bool
	free atomic.Uint64
}

// statfsFree returns the bytes an unprivileged process may still write on
// the file system of path.
func statfsFree(path string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("node: free space of %s: %w", path, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// diskFree returns the free bytes of the file system of path, through
// Config.DiskFree when a test sets it.
func (n *Node) diskFree(path string) (uint64, error) {
	if n.cfg.DiskFree != nil {
		return n.cfg.DiskFree(path)
	}
	return statfsFree(path)
}

// checkDisk reads the free space of the data dir and sets the watermark
// flag, logging each crossing at WARN (below) or INFO (above again). A
// node whose store is in memory has no disk to watch.
func (n *Node) checkDisk() {
	if n.cfg.DataDir == "" || n.cfg.MinFreeDisk == 0 {
		return
	}
	b, err := n.diskFree(n.cfg.DataDir)
	if err != nil {
		n.log.Warn("cannot read the data dir's free space", "err", err)
		return
	}
	n.disk.free.Store(b)
	low := b < uint64(n.cfg.MinFreeDisk)
	if n.disk.low.Swap(low) == low {
		return
	}
	if low {
		n.log.Warn("the data dir's disk is below its free-space watermark: the node takes membership ops and what they cite, and defers every other advisory until space is freed",
			"free_mib", b>>20, "watermark_mib", n.cfg.MinFreeDisk>>20)
	} else {
		n.log.Info("the data dir's disk is above its free-space watermark again: advisories come in as before",
			"free_mib", b>>20, "watermark_mib", n.cfg.MinFreeDisk>>20)
	}
	n.afterChange()
}

// DiskState is what the node last saw of its data dir's disk.
type DiskState struct {
	// Low is set while the free space is below the watermark.
	Low bool
	// Free is the free space in bytes at the last look (0 if the node
	// does not watch a disk).
	Free uint64
	// Watermark is Config.MinFreeDisk in bytes (0: the watch is off). A
	// node without a data dir (a store in memory) watches no disk,
	// whatever its watermark.
	Watermark uint64
}

// Disk reports whether the data dir's free space was below
// Config.MinFreeDisk at the last look, the free bytes then, and the
// watermark.
func (n *Node) Disk() DiskState {
	return DiskState{Low: n.disk.low.Load(), Free: n.disk.free.Load(), Watermark: uint64(max(n.cfg.MinFreeDisk, 0))}
}

// deferredForDisk reports whether op, from another member, waits for
// disk space: an advisory while the disk is low. Membership ops never
// wait, and ops fetched because others cite them do not come this way.
func (n *Node) deferredForDisk(op *protocol.Op) bool {
	if op.Kind != protocol.KindAdvisory || op.Author == n.key || !n.disk.low.Load() {
		return false
	}
	n.verdicts.add(ignore(ReasonDiskLow))
	return true
}
