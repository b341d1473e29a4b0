// Package node is a member organisation's Kring node: it holds the
// circle's log in a badger store (package node/store), judges every op with
// package trust, gossips ops to the members it shares with over libp2p
// gossipsub, fetches what gossip missed with the sync protocol, and refuses
// everyone the log does not admit at the connection gate.
//
// Start a node with New and a Config (DefaultConfig for a daemon,
// DefaultLocalConfig for tests and the local demo), then publish with
// Publish, enrol a newcomer with Enrol, block a party locally with Block,
// and read the membership with State:
//
//	cfg := node.DefaultConfig()
//	cfg.Key, cfg.Genesis, cfg.DataDir = key, genesisBytes, "/var/lib/kring"
//	n, err := node.New(ctx, cfg)
//	...
//	op, err := n.Publish(ctx, &protocol.Advisory{Title: "…", TLP: protocol.TLPAmber})
//
// Publish refuses a TLP:RED advisory with ErrPlaintextRed: this version
// cannot encrypt it to named recipients, so every member's node, and
// every future member's by sync, would hold it in plaintext.
// PublishPlaintextRed publishes it anyway for a caller that acknowledges
// this, and logs a warning.
//
// # Order of effects
//
// The loop applies the ops of a burst, commits them durably (in store
// writes of at most 512 KiB), puts any State change in force (gate, pubsub
// blacklist, closed connections), and only then acknowledges them: to
// Publish, to a sync push, to a sync that waits for its batch. The node's
// own op, and the seq it reserved for it, are durable before the op is
// sent. An op received from another member is the exception: the gossip
// validator accepts it, and pubsub forwards it, once the loop has applied
// it, before its commit, so that a path of h hops does not pay h disk
// commits one after the other. Its author stored it before sending it,
// and if this node's commit fails the node stops and, restarted, syncs
// the op again. The State moves only at a commit: before the store write
// of a burst of others' ops, whose ops the reads then serve from memory
// until the write returns (unwritten.go), and after the write of a burst
// that holds an own op (docs/node.md, "Durability").
//
// # Who owns what
//
//   - The loop (loop.go) owns the log's mutable state: the trust engine,
//     the pending buffer and its mirror in the store, the local blocks,
//     the own author chain and the outstanding own op, the motions being
//     enacted automatically, and the topic relay. Only the loop writes the
//     log and that state to the store; the address book alone is written
//     outside it, by saveAddrs (every SyncInterval, and after each sync
//     completed with a member). Everything else sends the loop work
//     (Node.do, Node.doNow) and reads what it publishes.
//   - The snapshots are what the loop publishes at each commit, immutable
//     once published: the State (Node.state; viewMu, held by the commit
//     while the store and the State move, serves Consistent), the
//     admission snapshot that the gate holds, and a few counters others
//     read atomically (ownSeq, lastSigned, cutOff).
//   - The gate (gater.go) decides who gets through from the admission
//     snapshot alone; libp2p calls it on its own goroutines.
//   - The syncer (sync.go, syncclient.go, syncserver.go, syncask.go) owns
//     the sync protocol: client, server, the turns and fetches in flight,
//     the per-author pulls, the backlog, the retry backoff, and which
//     members a sync completed with and when. It reaches the loop and the
//     rest of the node only through the syncNode interface, apart from
//     what attach hands it to use directly (the store, to read; the host;
//     the gate; the opener; the verdict counters; the cut-off flag), and
//     its lock guards its own bookkeeping only.
//   - Helpers keep their own small state behind their own locks and
//     decide nothing about the log: the pacer, the penalties, the disk
//     watch, the redial and knock schedules, the address book cache, and
//     the notice book (an index of the enactments about each member's
//     standing, which the loop fills and the gate and the notice senders
//     read), and the held filter (heldfilter.go: a Bloom filter of the
//     stored ops' hashes with atomic words, which the loop fills as it
//     loads and writes the log and the gossip validator reads to answer
//     a replayed op without checking it again; it only ever saves work).
//   - Node.mu guards only the Changed channel and why the node stopped
//     (Err); Done closes when the loop has stopped.
//
// # Concurrency
//
// All exported methods are safe for concurrent use. State, Standing,
// Verdicts, PeerScore and Enrolment read immutable snapshots and never
// block (Enrol swaps in the Enrolment snapshot it learnt); the store
// reads (Op, Has, StoredOps, Tips, ...) go to the store directly, Op,
// Has, StoredOps and the advisory reads also to the burst being written,
// and may run a moment ahead of State; Publish, Block, Unblock, Live and Enrol
// wait for the loop and honour their context. After Close, or after the
// node stopped on a store failure (see Err and Done), they return
// ErrClosed.
//
// docs/node.md describes the gate, the verdicts, the enforcement order and
// the sync protocol in prose; docs/protocol.md specifies the sync frames.
package node
