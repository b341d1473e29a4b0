package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/internal/deptest"
)

// TestDeps keeps the trust core pure (DESIGN.md §2): no libp2p, badger,
// network, operating system or clock. As in protocol, "os" itself is
// reached only through the standard library (fmt, crypto/ed25519) and is
// checked on direct imports; the clock and randomness are forbidden as
// direct imports of trust itself, so that no rule can read them.
func TestDeps(t *testing.T) {
	for _, pkg := range []string{
		"github.com/kring-circle/kring/trust",
	} {
		deptest.Forbid(t, pkg,
			"github.com/libp2p",
			"github.com/dgraph-io/badger",
			"net",
			"os/exec", "os/signal", "os/user",
		)
		deptest.ForbidImports(t, pkg, "os", "net")
		deptest.ForbidDirect(t, pkg, "time", "math/rand", "crypto/rand")
	}
}
