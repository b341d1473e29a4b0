package protocol

import "fmt"

// opHead is the start of an op's encoding, as Peek reads it.
type opHead struct {
	Author Key    `cbor:"2,keyasint"`
	Seq    uint64 `cbor:"3,keyasint"`
}

// Peek reads the author and seq of an encoded op without checking anything
// else: not the encoding's strictness, not the signature. It lets a sync
// ask for the next range while it still verifies the last; nothing may be
// concluded from its answer about the op itself.
func Peek(b []byte) (author Key, seq uint64, err error) {
	if len(b) > MaxOpSize {
		return author, 0, fmt.Errorf("%w: op is %d bytes, limit %d", ErrTooLarge, len(b), MaxOpSize)
	}
	var h opHead
	if err := peekMode.Unmarshal(b, &h); err != nil {
		return author, 0, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return h.Author, h.Seq, nil
}
