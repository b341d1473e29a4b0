package store

import "errors"

// Errors returned by the store, wrapped with detail; test for them with
// errors.Is. Put and Get also return errors wrapping trust.ErrNotClosed and
// trust.ErrNotFound, as trust.Store documents.
var (
	// ErrClosed: the store was closed; every method but Close and
	// PendingLen returns it.
	ErrClosed = errors.New("store: closed")
	// ErrCorrupt: a stored key or value is malformed (an op that does not
	// decode or does not hash to its key, an index of the wrong size). The
	// store returns it instead of guessing; the database needs repair.
	ErrCorrupt = errors.New("store: corrupt data")
	// ErrTooBig: a Put's ops do not fit one badger transaction (the error
	// also wraps badger.ErrTxnTooBig); nothing was stored. Split the batch.
	ErrTooBig = errors.New("store: batch too big for one transaction")
	// ErrInvalidOptions: Options.Validate or Open refused the options.
	ErrInvalidOptions = errors.New("store: invalid options")
	// ErrFormat: the database was written in a layout this version does
	// not know, by a newer or foreign program. Open returns it.
	ErrFormat = errors.New("store: unknown data layout")
	// ErrSeqRewind: SetNextSeq was asked to lower the next seq, which could
	// make the node sign two ops with one seq (an equivocation).
	ErrSeqRewind = errors.New("store: next seq would go backwards")
)
