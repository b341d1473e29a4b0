// Command kring will be the one binary a member organisation runs: the daemon
// (kring run), the CLI verbs that talk to it, and kring testnet.
//
// None of that exists yet. This placeholder only answers "kring version";
// every other verb says that the daemon and CLI arrive with a later issue and
// exits with status 2, so that no script mistakes it for a working node.
//
// The version is "dev" unless the build sets it, as the Makefile does:
//
//	go build -ldflags "-X main.version=$(git describe --tags --always --dirty)" ./cmd/kring
package main
