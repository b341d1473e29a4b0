// Package testnet runs a Kring circle of real nodes in one process, on
// loopback: each member's node has its own badger directory and ports.
// A test founds a circle with New, starts it, and then publishes, votes,
// stops and restarts nodes, cuts and heals links between groups of
// members, and waits until the nodes hold the identical op set and State.
// Demo runs the narrated seven-organisation story behind `kring-testnet
// demo` and `make demo` on the same harness; package testnet/bench measures
// circles built with it.
//
//	net, _ := testnet.New(testnet.Options{Dir: dir, Founders: []string{"A", "B", "C"}})
//	_ = net.Start(ctx)
//	op, _ := net.M("A").Advise(ctx, "CVE-2026-1234 exploited in the wild")
//	_ = net.WaitHas(ctx, op.Hash(), "A", "B", "C")
//
// Cuts are made at the nodes' gaters (node.Config.Refuse), so a cut link
// refuses dials like a real partition would make them fail. Shape holds a
// topology (FullMesh, Line, Ring, Star) the same way. A Rogue is a member's
// key in the hands of software that forwards whatever it is told to, for
// tests of what honest nodes do with forged, void or forbidden gossip.
//
// Waits poll a condition until it holds or the context ends (WaitFor,
// WaitHas, WaitConverged), or check that it holds throughout a while
// (Throughout); none sleeps a fixed time. The package's own sequential
// stories are scripts in testdata (TestStories: partition, revocation,
// admission, suspension and its lift, recovery), run by internal/script as
// trust's scenarios are; stories that depend on odd mechanics (rogue
// peers, crash loops, forged or forked ops) stay Go tests.
package testnet
