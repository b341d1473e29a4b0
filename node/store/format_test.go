package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// A data dir written by store format 1 (wire format 1) is refused with an
// error that wraps ErrFormat and tells the operator what to do.
func TestOpenRefusesFormat1(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir, diskOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := errors.Join(s.PutRaw(store.FormatKey, []byte{1}), s.Close()); err != nil {
		t.Fatalf("writing format 1: %v", err)
	}
	s, err = store.Open(dir, diskOptions())
	if err == nil {
		s.Close()
		t.Fatal("Open of a format-1 data dir succeeded")
	}
	if !errors.Is(err, store.ErrFormat) {
		t.Errorf("Open of a format-1 data dir: %v, want ErrFormat", err)
	}
	const want = "store: this data dir was written by Kring store format 1; this Kring reads format 2 and keeps no compatibility (no circle runs format 1 in production): start a new data dir (kring init) and re-join the circle"
	if err.Error() != want {
		t.Errorf("error:\n  %s\nwant:\n  %s", err, want)
	}
	for _, part := range []string{"format 1", "kring init", "re-join"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("the error does not say %q", part)
		}
	}
	// A new data dir is written as format 2 and opens again.
	fresh := t.TempDir()
	s, err = store.Open(fresh, diskOptions())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = store.Open(fresh, diskOptions()); err != nil {
		t.Fatalf("reopening a new data dir: %v", err)
	}
	s.Close()
}
