package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// A kill between badger creating a memtable or value-log file and its
// first write leaves an empty file; the store opens anyway, with every op
// it held, on the first try.
func TestOpenAfterAnEmptyLogFile(t *testing.T) {
	// badger names value logs with six digits and memtables with five.
	for ext, digits := range map[string]int{".vlog": 6, ".mem": 5} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			c := chains(t, 3, "D")
			s, err := store.Open(dir, diskOptions())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Put(c.Ops...); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			var fids []string
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ext) {
					fids = append(fids, strings.TrimSuffix(e.Name(), ext))
				}
			}
			sort.Strings(fids)
			next := 1
			if len(fids) > 0 {
				if _, err := fmt.Sscanf(fids[len(fids)-1], "%d", &next); err != nil {
					t.Fatal(err)
				}
				next++
			}
			empty := filepath.Join(dir, fmt.Sprintf("%0*d%s", digits, next, ext))
			if err := os.WriteFile(empty, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir, diskOptions())
			for _, op := range c.Ops {
				if ok, err := s.Has(op.Hash()); err != nil || !ok {
					t.Fatalf("op %s is gone after opening past an empty %s file (err %v)", op.Hash().Short(), ext, err)
				}
			}
		})
	}
}
