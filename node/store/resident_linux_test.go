//go:build linux

package store_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// residentKB sums the resident kB of this process's mappings of files
// under dir, from /proc/self/smaps.
func residentKB(t *testing.T, dir string) int {
	t.Helper()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && strings.HasPrefix(strings.Join(fields[5:], " "), dir+"/")
		case in && len(fields) == 3 && fields[0] == "Rss:":
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			kb += n
		}
	}
	return kb
}

// TestDropResidentUnmapsTheLog reads a log back through the store's mapped
// files, which makes their pages resident, and checks that DropResident
// takes every one of them out of the process's resident memory while the
// store still reads every op.
func TestDropResidentUnmapsTheLog(t *testing.T) {
	dir := t.TempDir()
	c := chains(t, 300, "A", "B")
	s := open(t, dir, diskOptions())
	put(t, s, c.Ops...)
	read := func() {
		for _, op := range c.Ops {
			if got, err := s.Get(op.Hash()); err != nil || got.Hash() != op.Hash() {
				t.Fatalf("Get(%s): %v, %v", op, got, err)
			}
		}
	}
	read()
	if kb := residentKB(t, dir); kb == 0 {
		t.Fatal("no page of the store's files is resident after reading the log: the test measures nothing")
	}
	if err := s.DropResident(); err != nil {
		t.Fatal(err)
	}
	if kb := residentKB(t, dir); kb != 0 {
		t.Fatalf("%d kB of the store's files still resident after DropResident", kb)
	}
	read()
}
