package store

import (
	"errors"
	"strings"
)

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
	// ErrInUse: Open found the data dir locked: another process (another
	// kring run on the same data dir), or another Store in this one, has
	// it open.
	ErrInUse = errors.New("store: data dir in use")
	// ErrSeqRewind: SetNextSeq was asked to lower the next seq, which could
	// make the node sign two ops with one seq (an equivocation).
	ErrSeqRewind = errors.New("store: next seq would go backwards")
)

// badgerLocked is the text of badger's error when another handle holds
// the directory lock (dir_unix.go); badger formats the flock error with
// %+v, so errors.Is cannot find it. TestOpenTwice notices if it changes.
const badgerLocked = "Another process is using this Badger database"

// inUse is badger's lock error, also wrapping ErrInUse; its text is
// badger's.
type inUse struct{ error }

func (e inUse) Unwrap() []error { return []error{ErrInUse, e.error} }

// dirLocked marks err, from badger.Open, as ErrInUse if it says that the
// directory lock is taken.
func dirLocked(err error) error {
	if strings.Contains(err.Error(), badgerLocked) {
		return inUse{err}
	}
	return err
}
