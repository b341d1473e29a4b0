// Package protocol defines Kring's wire formats: the signed op that every
// change to a circle travels as, the bodies of each op kind (genesis, votes,
// enactments, leave, advisories, acknowledgements), the motions members
// vote on, member applications, the charter, and the canonical encoding,
// hashes, signatures, key checks and size limits that make an op the same
// bytes on every node.
//
// The package is pure: it touches no network, disk or clock. An op is built
// by filling an Op and calling Sign, sent as the bytes of Op.Bytes, and
// received through Decode (strict: canonical encoding, known kinds and
// fields, size limits, structural rules), then Op.Verify (signatures) and
// Op.CheckGroup; Open does all three. OpenBatch and VerifyBatch do the
// same for many ops at once, checking their signatures in one batch, and
// give each op the verdict it would get alone: one signature rule, that of
// ZIP-215 (sig.go), holds for single and batch checks. Everything that
// depends on other ops (the author chain, membership) is judged by package
// trust.
//
// The byte-level format is specified in docs/protocol.md.
package protocol
