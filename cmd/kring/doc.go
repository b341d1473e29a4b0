// Command kring is the one binary a member organisation of a Kring trust
// circle runs: the daemon (kring run), the verbs that found a circle and
// admit members, and the verbs that read and act through the daemon's
// local API. The demo and the benchmarks are another binary's,
// kring-testnet's: kring never links the test harness (TestDeps).
//
// Setting up:
//
//	kring init --org NAME            data dir: identity.key, encryption.key, api.token, config.toml, member.json
//	kring genesis template|draft|sign|finalize|show|install
//	kring apply --genesis FILE       a signed application; kring run enrols with it
//
// Running and reading (through the API, whose address and token come from
// the data dir):
//
//	kring run
//	kring status | peers | members [--explain KEY] | blocks
//	kring advisories list|show|follow
//
// Acting:
//
//	kring publish | endorse | block | unblock | suspend | unsuspend | revoke | leave
//
// The data dir is --data-dir, else $KRING_DIR, else ~/.kring. Every error is
// one line on stderr ("kring: what is wrong: what to do") with an exit
// status: 0 success, 1 failure, 2 usage or configuration, 3 identity,
// genesis or store, 4 daemon not running. The files are small and one per
// concern: config.go and configcheck.go (config.toml), draft.go (the
// genesis draft), run.go and enrol.go (the daemon), client.go (the API
// client's errors), cli.go (the helpers kring shares with kring-testnet,
// package internal/cli), and one file per group of verbs.
//
// The version is "dev" unless the build sets it, as the Makefile does:
//
//	go build -ldflags "-X main.version=$(git describe --tags --always --dirty)" ./cmd/kring
package main
