package protocol

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// encMode is CBOR Core Deterministic Encoding (RFC 8949 §4.2.1): shortest
// integers and lengths, definite lengths, map keys sorted bytewise.
var encMode cbor.EncMode

// decMode decodes strictly: no duplicate map keys, no unknown fields, no
// indefinite lengths, no tags, valid UTF-8, bounded nesting and lengths.
var decMode cbor.DecMode

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: encoder options: %v", err))
	}
	decMode, err = StrictDecOptions(maxNesting, maxArray, maxMapPairs).DecMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: decoder options: %v", err))
	}
}

// StrictDecOptions are the CBOR decoding options of everything Kring signs
// or stores: no duplicate map keys, no unknown fields, no indefinite
// lengths, no tags, valid UTF-8, and the given bounds on nesting, array
// elements and map pairs. Packages that define documents of their own
// (protocol/advisory) decode with them too.
func StrictDecOptions(nesting, arrayElements, mapPairs int) cbor.DecOptions {
	return cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   nesting,
		MaxArrayElements:  arrayElements,
		MaxMapPairs:       mapPairs,
		UTF8:              cbor.UTF8RejectInvalid,
	}
}

// marshal encodes v canonically. The types of this package always encode;
// an error here is a programming error in the package and is returned as is.
func marshal(v any) ([]byte, error) {
	return encMode.Marshal(v)
}

// mustMarshal encodes a value of this package's own types, which cannot fail
// to encode (no channels, funcs or cycles).
func mustMarshal(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("protocol: encoding %T: %v", v, err))
	}
	return b
}

// unmarshalStrict decodes b into v and requires b to be exactly the canonical
// encoding of the result, so that one value has one encoding and one hash.
// A value of a type that writes its own canonical encoding (an op, an
// advisory body) is compared with b as it is written; any other is
// encoded again.
func unmarshalStrict(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return classify(err)
	}
	if match, known := matchesCanonical(v, b); known {
		if !match {
			return ErrNonCanonical
		}
		return nil
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, b) {
		return ErrNonCanonical
	}
	return nil
}

// classify maps a CBOR decoding error to one of the package's named errors.
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
