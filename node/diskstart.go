package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kring-circle/kring/node/store"
)

// ErrDiskFull: the data dir's file system has less free space than the
// store needs to open and take writes. Badger writes through memory-mapped
// files, and a write to one on a full disk is a SIGBUS that no handler
// catches: the node refuses to start instead, and starts once space is
// freed.
var ErrDiskFull = errors.New("node: the data dir's disk is too full to open the store")

// storeNeeds is the free space the store needs to open and take writes
// without faulting: its memtables and a value log file, which badger maps
// into memory.
func storeNeeds(o store.Options) uint64 {
	return uint64(o.MemTableSize)*uint64(o.NumMemtables) + uint64(o.ValueLogFileSize)
}

// checkDiskToStart refuses to open the store on a disk without the space
// it needs (ErrDiskFull), unless the disk watch is off (MinFreeDisk 0) or
// the store is in memory.
func (n *Node) checkDiskToStart() error {
	if n.cfg.DataDir == "" || n.cfg.MinFreeDisk == 0 || n.cfg.Store.InMemory {
		return nil
	}
	dir := n.cfg.DataDir
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		dir = filepath.Dir(dir) // a store not made yet: the disk it goes on
	}
	b, err := n.diskFree(dir)
	if err != nil {
		n.log.Warn("cannot read the data dir's free space before opening the store", "err", err)
		return nil
	}
	if need := storeNeeds(n.cfg.Store); b < need {
		return fmt.Errorf("%w: %d MiB free, the store needs %d MiB to open and write without faulting; "+
			"free space on the disk of %s first (the node starts once it has)", ErrDiskFull, b>>20, need>>20, n.cfg.DataDir)
	}
	return nil
}
