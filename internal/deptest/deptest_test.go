package deptest

import (
	"fmt"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	forbidden := []string{"net", "os", "github.com/libp2p", "github.com/dgraph-io/badger/"}
	tests := map[string]bool{
		"net":                                    true,
		"net/http":                               true,
		"net/netip":                              true,
		"netip":                                  false,
		"network":                                false,
		"os":                                     true,
		"os/exec":                                true,
		"oscar":                                  false,
		"internal/os":                            false,
		"github.com/libp2p/go-libp2p":            true,
		"github.com/libp2p":                      true,
		"github.com/libp2pfake/x":                false,
		"github.com/dgraph-io/badger/v4":         true,
		"github.com/dgraph-io/badger":            true,
		"github.com/dgraph-io/badgerx":           false,
		"github.com/kring-circle/kring/protocol": false,
	}
	for path, want := range tests {
		if _, got := match(path, forbidden); got != want {
			t.Errorf("match(%q) = %v, want %v", path, got, want)
		}
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestForbid(t *testing.T) {
	// os/exec is a dependency of this very package.
	r := &recorder{TB: t}
	Forbid(r, ".", "os/exec", "github.com/libp2p")
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "depends on os/exec") {
		t.Fatalf("Forbid(os/exec) reported %q", r.errs)
	}
	r = &recorder{TB: t}
	Forbid(r, ".", "github.com/libp2p", "net/http")
	if len(r.errs) != 0 {
		t.Fatalf("Forbid reported %q", r.errs)
	}
}

func TestMatches(t *testing.T) {
	// os/exec and os are dependencies of this very package; libp2p is not.
	got := Matches(t, ".", "os/exec", "github.com/libp2p")
	if len(got) != 1 || got[0] != "os/exec" {
		t.Fatalf("Matches(os/exec, libp2p) = %q, want [os/exec]", got)
	}
	if got := Matches(t, ".", "github.com/libp2p"); len(got) != 0 {
		t.Fatalf("Matches(libp2p) = %q, want none", got)
	}
}

func TestForbidImports(t *testing.T) {
	// This package imports os/exec itself; the standard library imports
	// os, but this package does not.
	r := &recorder{TB: t}
	ForbidImports(r, ".", "os/exec")
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "imports os/exec") {
		t.Fatalf("ForbidImports(os/exec) reported %q", r.errs)
	}
	r = &recorder{TB: t}
	ForbidImports(r, ".", "fmt")
	if len(r.errs) != 0 {
		t.Fatalf("ForbidImports(fmt) reported %q, but only the test imports fmt", r.errs)
	}
}

func TestForbidExact(t *testing.T) {
	// this package depends on os itself, and on os/exec below it.
	r := &recorder{TB: t}
	ForbidExact(r, ".", "os", "net")
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "depends on os ") {
		t.Fatalf("ForbidExact(os, net) reported %q", r.errs)
	}
	r = &recorder{TB: t}
	ForbidExact(r, ".", "os/exe", "github.com/libp2p")
	if len(r.errs) != 0 {
		t.Fatalf("ForbidExact matched a prefix: %q", r.errs)
	}
}
