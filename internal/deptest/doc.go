// Package deptest guards a package's dependency boundary from its tests.
//
// DESIGN.md keeps protocol/ and trust/ pure: neither may depend on libp2p,
// badger, the network or the operating system. A test states the boundary
// once and fails the build when a change crosses it:
//
//	func TestDeps(t *testing.T) {
//		deptest.Forbid(t, "github.com/kring-circle/kring/protocol",
//			"github.com/libp2p", "github.com/dgraph-io/badger", "net")
//		deptest.ForbidImports(t, "github.com/kring-circle/kring/protocol", "os")
//	}
//
// Forbid checks every transitive dependency. ForbidImports checks only what
// the package and its non-standard dependencies import directly; use it for
// a standard package such as "os" that the standard library itself pulls in
// (fmt imports os), so that the test forbids only what the module controls.
//
// A forbidden path matches itself and every package below it: "net"
// matches "net" and "net/http" but not "netip" or "network"; a module path
// such as "github.com/libp2p" matches every repository under it.
//
// ForbidExact forbids only the named packages themselves, not those below
// them: "net" but not net/netip or net/url, pure parsers that do no I/O.
//
// The helpers run the go command (`go list`), so they need it on PATH, as
// `go test` does. Import this package only from _test.go files.
package deptest
