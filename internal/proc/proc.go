package proc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ChildOf returns the pid of a child process of pid, read from /proc, or 0
// if it has none (or /proc cannot be read).
func ChildOf(pid int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after
		// its closing parenthesis.
		i := strings.LastIndexByte(string(b), ')')
		if f := strings.Fields(string(b[i+1:])); i >= 0 && len(f) > 1 && f[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(st)))
			return child
		}
	}
	return 0
}
