// Package store is the member daemon's durable store: a trust.Store on
// badger v4, plus the few things a node must remember across restarts that
// are not ops: the seqs it has reserved, its outstanding own op, the pending buffer of ops waiting
// for their preds, its local blocks and its address book.
//
// Open a store with Open(dir, DefaultOptions()) and Close it when done;
// tests use DefaultLocalOptions, which keeps everything in memory. All
// methods are safe for concurrent use. Writes are serialised inside the
// store; reads run in parallel with them and with each other.
//
// With Options.SyncWrites set (the default), every write method but
// PutVisible returns only after the store has synced badger's logs, so an
// acknowledged Put survives kill -9 and power loss. PutVisible returns
// before its sync: readers see its ops at once, and Sync (or the next
// write of any kind, which syncs it first) makes it durable, so at most
// the newest write is ever unsynced. Put and PutVisible are atomic: one
// badger transaction holds all of the ops and their indexes.
//
// Badger runs no compactors of its own by default (they wake every 50 ms,
// idle or not): the store compacts its tree itself after writes, merging
// level 0 into one level once it holds eight tables (compact.go).
//
// # Key layout
//
// Every key is a one-byte prefix, a slash, and fixed-size parts; integers
// are big-endian so that byte order is numeric order.
//
//	o/<hash>                  the op's author, seq and stored position n (its i/ counter): where
//	                          its bytes are (Get, Has, AdvisoryPos)
//	s/<author><seq><hash>     the op's canonical bytes (op.Bytes()), in seq order (Chain, BySeq)
//	t/<author>                author's highest stored seq (Tips)
//	i/<n>                     author, seq and hash of the n-th stored op, n = 0, 1, ... (Range,
//	                          Len), then one byte: 1 for an advisory (Advisories), else 0
//	h/<hash>                  empty: the op is a head, cited by no stored op
//	p/<n>                     pending op's bytes, n rising with each PutPending
//	q/<hash>                  n of the pending op's p/ key
//	b/<key>                   CBOR Block: this node's local block of a member
//	a/<key>                   CBOR AddrEntry: a member's last known addresses
//	m/format                  layout version, one byte (5)
//	m/next-seq                the lowest seq this node has not reserved (SetNextSeq, PutVisibleOwn)
//	m/own-outstanding         an own op handed out before it could be stored (SetOutstanding)
//
// Hashes and keys are 32 bytes, seqs and counters 8. Len is the number of
// i/ keys, which are dense: Put never leaves a gap. Open reads the last i/
// key, the t/, h/ and q/ keys, and keeps tips, heads, Len and the pending
// order in memory, so Tips, Heads, Len and PendingLen never touch the disk.
//
// Open refuses a database of another layout version with an error wrapping
// ErrFormat. Version 5 holds the ops of version 4 in three entries each
// (o/, s/, i/) and their bytes under s/, so that a sync range answer
// (Chain) reads one author's ops in order rather than each by its hash;
// version 4 kept the bytes under o/, and a v/ and a w/ key per advisory.
// Version 4 holds ops whose signatures the ZIP-215 rule accepts (protocol
// 4); versions 2 and 3 held ops under earlier rules, version 1
// ops of wire format 1 (keys.go says how each differs). No compatibility
// is kept, and the error for an older data dir says to start a new data
// dir (kring init) and re-join the circle.
//
// Data read back is never trusted blindly: an op's bytes are decoded with
// protocol.Decode and must hash to the hash of their key, an advisory's
// position must index it (AdvisoryPos), and a malformed key or value
// makes the call return an error wrapping ErrCorrupt rather than panic.
package store
