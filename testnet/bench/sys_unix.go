//go:build unix

package bench

import (
	"io/fs"
	"syscall"
	"time"
)

// raiseFileLimit raises this process's open-file limit to at least want
// (as far as the hard limit, or beyond it when privileged) and returns
// the limit in force.
func raiseFileLimit(want uint64) uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur >= want {
		return l.Cur
	}
	n := l
	n.Cur = want
	if n.Max < want {
		n.Max = want
	}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &n) != nil {
		n = l
		n.Cur = l.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &n) != nil {
			return l.Cur
		}
	}
	return n.Cur
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allocated is the disk space a file takes (its blocks), which for
// badger's preallocated files is less than its size.
func allocated(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}
