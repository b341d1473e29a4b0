package protocol

import (
	"testing"

	"github.com/kring-circle/kring/internal/deptest"
)

// TestDeps keeps the package pure (DESIGN.md §2): no libp2p, badger,
// network or operating system.
//
// The "os" package itself is exempt from the transitive check: the standard
// library pulls it in through packages this one needs (fmt imports os for
// Printf to stdout, and crypto/ed25519 reaches it through crypto/rand and
// crypto/internal/sysrand). What the module does control is checked
// instead: neither this package nor any non-standard dependency (the cbor
// library, the signature verifier) may import os or anything below it, and
// no dependency at all may be one of os's sub-packages. The verifier's CPU
// feature detection, golang.org/x/sys/cpu, counts as standard (deptest's
// likeStandard).
func TestDeps(t *testing.T) {
	const pkg = "github.com/kring-circle/kring/protocol"
	deptest.Forbid(t, pkg,
		"github.com/libp2p",
		"github.com/dgraph-io/badger",
		"net",
		"os/exec", "os/signal", "os/user", // every public package below os
	)
	deptest.ForbidImports(t, pkg, "os", "net")
}
