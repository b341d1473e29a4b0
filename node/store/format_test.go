package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// A data dir written by store format 1 (wire format 1), 2 (the version-1
// membership rules), 3 (crypto/ed25519's signature rule) or 4 (five
// entries per advisory) is refused with an error that wraps ErrFormat and
// tells the operator what to do.
func TestOpenRefusesOlderFormats(t *testing.T) {
	for _, v := range []byte{1, 2, 3, 4} {
		refusesFormat(t, v)
	}
}

func refusesFormat(t *testing.T, v byte) {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(dir, diskOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := errors.Join(s.PutRaw(store.FormatKey, []byte{v}), s.Close()); err != nil {
		t.Fatalf("writing format %d: %v", v, err)
	}
	s, err = store.Open(dir, diskOptions())
	if err == nil {
		s.Close()
		t.Fatalf("Open of a format-%d data dir succeeded", v)
	}
	if !errors.Is(err, store.ErrFormat) {
		t.Errorf("Open of a format-%d data dir: %v, want ErrFormat", v, err)
	}
	want := fmt.Sprintf("store: this data dir was written by Kring store format %d; this Kring reads format 5 and keeps no compatibility (no circle runs format %d in production): start a new data dir (kring init) and re-join the circle", v, v)
	if err.Error() != want {
		t.Errorf("error:\n  %s\nwant:\n  %s", err, want)
	}
	for _, part := range []string{fmt.Sprintf("format %d", v), "kring init", "re-join"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("the error does not say %q", part)
		}
	}
	// A new data dir is written as format 5 and opens again.
	fresh := t.TempDir()
	s, err = store.Open(fresh, diskOptions())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = store.Open(fresh, diskOptions()); err != nil {
		t.Fatalf("reopening a new data dir: %v", err)
	}
	defer s.Close()
	if v, ok, err := s.GetRaw(store.FormatKey); err != nil || !ok || !bytes.Equal(v, []byte{5}) {
		t.Errorf("a new data dir's format = %x, %v, %v; want 05", v, ok, err)
	}
}
