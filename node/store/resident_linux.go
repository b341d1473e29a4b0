//go:build linux

package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DropResident takes the pages of the store's memory-mapped files (badger's
// tables and logs) out of the process's resident memory. Reading the whole
// log at start maps all of it in, and the kernel counts those pages as the
// daemon's for as long as they stay mapped; they are the page cache's, not
// the process's own. Dropping them loses nothing: the files keep the data
// and a later read maps the pages it needs again. Only shared and
// read-only mappings are dropped, never a private writable copy. An
// in-memory store maps no files.
//
// The pages are paged out (MADV_PAGEOUT), not discarded (MADV_DONTNEED):
// badger may unmap a file between the read of /proc/self/maps and the
// call, and the range may then hold other memory, which paging out leaves
// intact where discarding would zero it. A kernel without MADV_PAGEOUT
// (before Linux 5.4) keeps the pages resident.
func (s *Store) DropResident() error {
	if s.dir == "" {
		return nil
	}
	dir, err := filepath.Abs(s.dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		m, ok := parseMapping(sc.Text())
		if !ok || !strings.HasPrefix(m.path, dir+string(filepath.Separator)) || (!m.shared && m.writable) {
			continue
		}
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_PAGEOUT)
		switch errno {
		case 0:
		case unix.EINVAL, unix.ENOMEM:
			continue // no MADV_PAGEOUT here, or the range went meanwhile
		default:
			return fmt.Errorf("store: dropping the pages of %s: %w", m.path, errno)
		}
	}
	return nil
}

// mapping is one line of /proc/self/maps.
type mapping struct {
	start, end       uintptr
	shared, writable bool
	path             string
}

// parseMapping reads a line of /proc/self/maps: "start-end perms offset
// dev inode path".
func parseMapping(line string) (mapping, bool) {
	f := strings.Fields(line)
	if len(f) < 6 || len(f[1]) < 4 {
		return mapping{}, false
	}
	lo, hi, ok := strings.Cut(f[0], "-")
	if !ok {
		return mapping{}, false
	}
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || end <= start {
		return mapping{}, false
	}
	// A path may hold spaces: it is everything after the inode.
	path := strings.Join(f[5:], " ")
	return mapping{start: uintptr(start), end: uintptr(end), shared: f[1][3] == 's', writable: f[1][1] == 'w', path: path}, true
}
