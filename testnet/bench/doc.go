// Package bench measures what members of a Kring circle care about, each
// figure beside a baseline run in the same process, so that ratios hold on
// a noisy shared machine: how fast an advisory reaches every node (beside
// raw gossipsub), how fast a node ingests ops (beside bare Ed25519
// verification on all cores), how fast a revoked or suspended member is
// cut off, how fast a newcomer receives its first advisory, how fast a
// node catches up after downtime, what a node costs in memory and disk,
// and how gossip traffic grows with the circle (beside floodsub).
//
// Run writes Out/report.md, Out/results.json and PNG charts, and prints
// the summary table to Progress:
//
//	err := bench.Run(ctx, bench.Options{Out: "bench-out", Quick: true, Progress: os.Stdout})
//
// The nodes are real (package testnet): badger stores, libp2p over TCP
// on 127.0.0.1. Link latency is emulated in user space: every node is
// reached through its own TCP proxy, which it announces instead of its
// listen address (node.Config.AnnounceAddrs) and which delays every chunk
// of bytes by the link delay in each direction. Traffic is metered by the
// kernel's per-socket TCP counters (iproute2 ss), or by counting proxies
// where ss is missing. docs/benchmarks.md explains each figure.
package bench
