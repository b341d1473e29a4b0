package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// removeEmptyLogs deletes the empty (0-byte) memtable and value-log files
// in dir. A process killed between badger creating such a file and its
// first write leaves one behind, and badger.Open then fails on it once
// ("Create a new file", dgraph-io/badger issue 2207; its pull request 2331
// skips them instead). An empty file holds no data, so nothing is lost.
// It returns the names it removed.
func removeEmptyLogs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading %q: %w", dir, err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, ".vlog")) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return removed, fmt.Errorf("store: removing the empty %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}
