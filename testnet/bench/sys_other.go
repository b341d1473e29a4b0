//go:build !unix

package bench

import (
	"io/fs"
	"time"
)

// raiseFileLimit is unknown off Unix: it claims no limit.
func raiseFileLimit(want uint64) uint64 { return want }

// cpuTime is unknown off Unix.
func cpuTime() time.Duration { return 0 }

// allocated is a file's size where blocks are unknown.
func allocated(info fs.FileInfo) int64 { return info.Size() }
