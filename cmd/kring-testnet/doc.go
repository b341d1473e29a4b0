// Command kring-testnet is Kring's test harness, a binary beside kring (as
// prometheus ships promtool beside prometheus): it runs whole circles of
// real nodes on this machine, on loopback, for the demo and the
// benchmarks. A member organisation never needs it, and the kring binary
// never links it (DESIGN.md §2; cmd/kring's TestDeps).
//
//	kring-testnet demo [--dir DIR] [--log-level LEVEL]
//	kring-testnet bench --out DIR [--quick] [--quiet] [--cpuprofile FILE]
//
// `make demo`, `make bench` and `make bench-quick` build both binaries into
// bin/ and run these. The benchmarks' footprint scenario runs real kring
// daemons: it takes the kring beside this binary (bin/kring), else builds
// ./cmd/kring of the module at hand.
//
// Every error is one line on stderr ("kring-testnet: what is wrong") with
// an exit status: 0 success, 1 the demo or the benchmark failed, 2 usage.
// The command-line helpers are kring's own (internal/cli). The version is
// "dev" unless the build sets it, as the Makefile does:
//
//	go build -ldflags "-X main.version=$(git describe --tags --always --dirty)" ./cmd/kring-testnet
package main
