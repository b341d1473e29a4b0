package advisory_test

import (
	"testing"

	"github.com/kring-circle/kring/internal/deptest"
)

// TestDeps keeps the package as pure as package protocol: no libp2p,
// badger, network stack or operating system. It parses addresses and URLs
// with net/netip and net/url, which do no I/O and do not import "net";
// net/mail is not used because it links the network stack (through
// net/textproto).
func TestDeps(t *testing.T) {
	const pkg = "github.com/kring-circle/kring/protocol/advisory"
	deptest.Forbid(t, pkg,
		"github.com/libp2p",
		"github.com/dgraph-io/badger",
		"net/http", "net/mail", "net/rpc", "net/smtp", "net/textproto",
		"os/exec", "os/signal", "os/user",
	)
	deptest.ForbidExact(t, pkg, "net")
	deptest.ForbidImports(t, pkg, "os")
}
