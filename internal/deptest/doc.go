// Package deptest guards a package's dependency boundary from its tests.
//
// DESIGN.md keeps protocol/ and trust/ pure: neither may depend on libp2p,
// badger, the network or the operating system; and the member's binary,
// cmd/kring, never links the test harness (testnet/). A test states the boundary
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
// Matches lists the dependencies that a set of paths matches; a test shows
// with it that the paths it forbids to one package are really linked by
// another (cmd/kring forbids testnet, which cmd/kring-testnet links), so
// that a misspelt path cannot leave the guard empty.
//
// The helpers run the go command (`go list`), so they need it on PATH, as
// `go test` does; without it they skip the test. Import this package only
// from _test.go files.
package deptest
