package advisory

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/kring-circle/kring/protocol"
)

// encMode is CBOR Core Deterministic Encoding (RFC 8949 §4.2.1), as in
// package protocol.
var encMode cbor.EncMode

// decMode decodes strictly, as package protocol does: no duplicate map
// keys, no unknown fields, no indefinite lengths, no tags, valid UTF-8,
// bounded nesting and lengths.
var decMode cbor.DecMode

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(fmt.Sprintf("advisory: encoder options: %v", err))
	}
	decMode, err = protocol.StrictDecOptions(maxNesting, maxArray, maxMapPairs).DecMode()
	if err != nil {
		panic(fmt.Sprintf("advisory: decoder options: %v", err))
	}
}

// Encode returns the canonical CBOR encoding of d. d must be valid and in
// normal form (call Normalize first): otherwise Encode returns Validate's
// error. The encoding of a valid document is at most MaxEncoded bytes, or
// Encode returns ErrTooLarge.
func (d *Document) Encode() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	b, err := encMode.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(b) > MaxEncoded {
		return nil, fmt.Errorf("%w: the encoded document is %d bytes, at most %d", ErrTooLarge, len(b), MaxEncoded)
	}
	return b, nil
}

// Decode reads a document from its canonical CBOR encoding. It refuses
// anything but the canonical encoding of a valid, normal document: over
// MaxEncoded (ErrTooLarge), not CBOR of this shape (ErrMalformed), unknown
// fields (ErrUnknownField), non-canonical bytes (ErrNonCanonical), and
// every problem Validate finds. Encode of the result gives b again.
func Decode(b []byte) (*Document, error) {
	if len(b) > MaxEncoded {
		return nil, fmt.Errorf("%w: the document is %d bytes, at most %d", ErrTooLarge, len(b), MaxEncoded)
	}
	d := new(Document)
	if err := decMode.Unmarshal(b, d); err != nil {
		return nil, classify(err)
	}
	again, err := encMode.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, b) {
		return nil, ErrNonCanonical
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// classify maps a CBOR decoding error to one of the package's errors.
func classify(err error) error {
	var (
		unknown *cbor.UnknownFieldError
		arr     *cbor.MaxArrayElementsError
		pairs   *cbor.MaxMapPairsError
		nest    *cbor.MaxNestedLevelError
		dup     *cbor.DupMapKeyError
		indef   *cbor.IndefiniteLengthError
		tags    *cbor.TagsMdError
	)
	switch {
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrMalformed), errors.Is(err, ErrNonCanonical), errors.Is(err, ErrUnknownField):
		return err // from a list's own decoder (lists.go)
	case errors.As(err, &unknown):
		return fmt.Errorf("%w: %v", ErrUnknownField, err)
	case errors.As(err, &arr), errors.As(err, &pairs), errors.As(err, &nest):
		return fmt.Errorf("%w: %v", ErrTooLarge, err)
	case errors.As(err, &dup), errors.As(err, &indef), errors.As(err, &tags):
		return fmt.Errorf("%w: %v", ErrNonCanonical, err)
	default:
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
}
