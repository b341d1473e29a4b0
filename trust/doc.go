// Package trust is Kring's membership state machine: it decides, from a
// circle's log of signed ops alone, who is a member, who is applying, who
// has lapsed, who is suspended, revoked or gone, which charter is in force,
// and whether each op counts.
//
// Every op is judged once, when it is applied, against the State of its own
// causal past (its view), so every honest node reaches the same permanent
// verdict whatever order ops arrive in. Resolve computes the State of a
// causally closed set of ops; an Engine does the same incrementally, one
// Apply at a time, and answers Explain for people and the UI.
//
// The package is pure and deterministic: it reads no clock, network, disk or
// randomness, and never the order ops arrived in. Signatures are checked by
// package protocol before ops reach it. The rules are DESIGN.md §4, rules 1
// to 5, as written down in docs/protocol.md.
package trust
