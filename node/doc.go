// Package node is a member organisation's Kring node: it holds the
// circle's log in a badger store (package node/store), judges every op with
// package trust, gossips ops to the members it shares with over libp2p
// gossipsub, fetches what gossip missed with the sync protocol, and refuses
// everyone the log does not admit at the connection gate.
//
// Start a node with New and a Config (DefaultConfig for a daemon,
// DefaultLocalConfig for tests and the local demo), then publish with
// Publish, enrol a newcomer with Enroll, block a party locally with Block,
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
// One goroutine, the loop, owns the trust engine, the pending buffer, the
// local blocks and the node's own author chain; everything else sends it
// work. The loop applies the ops of a burst, commits them durably (in
// store writes of at most 512 KiB), puts any State change in force (gate, pubsub blacklist,
// closed connections), and only then acknowledges them: to Publish, to the
// gossip validator (which then forwards), to a sync push. An op is never
// acknowledged, forwarded or shown before it is durable.
//
// # Concurrency
//
// All exported methods are safe for concurrent use. State, Standing,
// Verdicts, PeerScore and Enrolment read immutable snapshots and never
// block (Enroll swaps in the Enrolment snapshot it learnt);
// Publish, Block, Unblock, Live and Enroll wait for the loop and honour
// their context. After Close, or after the node stopped on a store failure
// (see Err), they return ErrClosed.
//
// docs/node.md describes the gate, the verdicts, the enforcement order and
// the sync protocol in prose; docs/protocol.md specifies the sync frames.
package node
