package protocol

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/fxamacker/cbor/v2"
)

// SyncProtocol is the libp2p protocol ID of Kring's sync protocol: a client
// asks a member for its tips, then pulls the ops it lacks. Its major
// version is the protocol's (docs/protocol.md): 4 carries ops of wire
// format 2 whose signatures are checked by ZIP-215's rule (sig.go), judged
// by the membership rules of docs/membership.md, so a node neither serves
// nor asks one that checks signatures as crypto/ed25519 does (protocol 3),
// judges ops by the version-1 rules (protocol 2) or speaks wire format 1.
const SyncProtocol = "/kring/sync/4.0.0"

// Sync limits. A frame larger than MaxSyncFrame is refused before it is
// read; a response carries at most MaxSyncOps ops and, unless a single op
// is larger, at most MaxSyncBytes of them.
const (
	MaxSyncFrame = 8 << 20
	MaxSyncOps   = 256
	MaxSyncBytes = 4 << 20
	// MaxSyncTips bounds the authors a tips response lists.
	MaxSyncTips = 4096
	// MaxSyncAddrs bounds the members an address response lists.
	MaxSyncAddrs = 1024
)

// SyncKind says what a sync request asks for.
type SyncKind uint8

// Sync request kinds.
const (
	// SyncTips asks for the server's per-author tips and heads.
	SyncTips SyncKind = 1
	// SyncRange asks for Author's ops from seq From on, in seq order.
	SyncRange SyncKind = 2
	// SyncGet asks for the ops with the hashes in Want.
	SyncGet SyncKind = 3
	// SyncPush gives the server Ops to judge, e.g. an applicant's Admit
	// enactment.
	SyncPush SyncKind = 4
	// SyncAdmission asks, for the Admit motion of Application, for the
	// counting endorsements and the heads and epoch that an enactment
	// citing them should carry.
	SyncAdmission SyncKind = 5
	// SyncAddrs asks for the addresses the server knows of members.
	SyncAddrs SyncKind = 6
)

// String names the kind for logs.
func (k SyncKind) String() string {
	switch k {
	case SyncTips:
		return "tips"
	case SyncRange:
		return "range"
	case SyncGet:
		return "get"
	case SyncPush:
		return "push"
	case SyncAdmission:
		return "admission"
	case SyncAddrs:
		return "addrs"
	}
	return fmt.Sprintf("sync-kind(%d)", uint8(k))
}

// SyncRequest is one request of the sync protocol.
type SyncRequest struct {
	// Kind says what is asked.
	Kind SyncKind `cbor:"1,keyasint"`
	// Group is the circle; a server refuses requests for another one.
	Group Hash `cbor:"2,keyasint"`
	// Author and From select a range (SyncRange).
	Author Key    `cbor:"3,keyasint,omitempty"`
	From   uint64 `cbor:"4,keyasint,omitempty"`
	// Want lists op hashes (SyncGet), at most MaxSyncOps.
	Want []Hash `cbor:"5,keyasint,omitempty"`
	// Ops are encoded ops (SyncPush), at most MaxSyncOps.
	Ops [][]byte `cbor:"6,keyasint,omitempty"`
	// Application is the applicant's application (SyncAdmission).
	Application *Application `cbor:"7,keyasint,omitempty"`
}

// SyncTip is one author's newest ops in a tips response.
type SyncTip struct {
	// Author is the ops' author.
	Author Key `cbor:"1,keyasint"`
	// Seq is the author's highest seq the server holds.
	Seq uint64 `cbor:"2,keyasint"`
	// Hashes are the author's ops at Seq (two or more after a fork).
	Hashes []Hash `cbor:"3,keyasint"`
}

// SyncAddr is what a server knows of where a member's node listens.
type SyncAddr struct {
	// Key is the member.
	Key Key `cbor:"1,keyasint"`
	// Addrs are multiaddrs in binary form: those of Record. A receiver
	// takes none of them on the server's word.
	Addrs [][]byte `cbor:"2,keyasint"`
	// Record is the member's own signed libp2p peer record (a sealed
	// record.Envelope), as the member's node handed it to the server: the
	// only proof a receiver accepts that the addresses are the member's.
	Record []byte `cbor:"3,keyasint,omitempty"`
}

// SyncResponse answers one SyncRequest.
type SyncResponse struct {
	// Refused names why the server did not answer (e.g. "not-member",
	// "wrong-group"); empty on success.
	Refused string `cbor:"1,keyasint,omitempty"`
	// Tips are the server's per-author tips (SyncTips).
	Tips []SyncTip `cbor:"2,keyasint,omitempty"`
	// Heads are the server's heads (SyncTips, SyncAdmission).
	Heads []Hash `cbor:"3,keyasint,omitempty"`
	// Ops are encoded ops (SyncRange, SyncGet), in causal order.
	Ops [][]byte `cbor:"4,keyasint,omitempty"`
	// More is set when a range was cut at the batch limit.
	More bool `cbor:"5,keyasint,omitempty"`
	// Votes are the counting endorsements of the application
	// (SyncAdmission).
	Votes []Hash `cbor:"6,keyasint,omitempty"`
	// Epoch is the charter in force at Heads (SyncAdmission).
	Epoch Hash `cbor:"7,keyasint,omitempty"`
	// Accepted counts the pushed ops the server applied (SyncPush).
	Accepted int `cbor:"8,keyasint,omitempty"`
	// Addrs are members' addresses (SyncAddrs).
	Addrs []SyncAddr `cbor:"9,keyasint,omitempty"`
}

// ErrFrame reports a sync frame that is too large, truncated or not a
// canonical encoding of the expected message.
var ErrFrame = errors.New("protocol: bad sync frame")

// syncDec decodes sync frames: as strict as ops, but with room for a tips
// list of MaxSyncTips authors.
var syncDec cbor.DecMode

func init() {
	var err error
	syncDec, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   maxNesting,
		MaxArrayElements:  max(MaxSyncTips, MaxSyncAddrs, maxArray),
		MaxMapPairs:       maxMapPairs,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: sync decoder options: %v", err))
	}
}

// WriteSync writes v (a *SyncRequest or *SyncResponse) as one frame: its
// length as a uvarint, then its canonical CBOR encoding.
func WriteSync(w io.Writer, v any) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("%w: encoding %T: %v", ErrFrame, v, err)
	}
	if len(b) > MaxSyncFrame {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrFrame, len(b), MaxSyncFrame)
	}
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(append(hdr[:n:n], b...)); err != nil {
		return err
	}
	return nil
}

// ReadSync reads one frame into v (a *SyncRequest or *SyncResponse). It
// refuses a frame over limit bytes (at most MaxSyncFrame) before reading
// it, grows its buffer only as bytes arrive, and refuses any encoding that
// is not canonical.
func ReadSync(r *bufio.Reader, v any, limit int) error {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return fmt.Errorf("%w: length: %v", ErrFrame, err)
	}
	limit = min(limit, MaxSyncFrame)
	if n > uint64(limit) {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrFrame, n, limit)
	}
	var buf bytes.Buffer
	buf.Grow(int(min(n, frameFirstRead)) + bytes.MinRead) // ReadFrom wants MinRead free to see the end
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(n))); err != nil || uint64(buf.Len()) != n {
		return fmt.Errorf("%w: truncated after %d of %d bytes: %v", ErrFrame, buf.Len(), n, err)
	}
	b := buf.Bytes()
	if err := syncDec.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrFrame, classify(err))
	}
	// The encoding of v is compared with b as the encoder writes it, not
	// copied out first.
	same := &sameBytes{want: b}
	if err := encMode.NewEncoder(same).Encode(v); err != nil || !same.equal() {
		return fmt.Errorf("%w: %v", ErrFrame, ErrNonCanonical)
	}
	return nil
}

// frameFirstRead is the room ReadSync makes for a frame before its bytes
// arrive: the whole of most frames (a range answer of 256 small ops), so
// that it need not grow its buffer step by step, and little enough that
// announcing a large frame and sending nothing costs a peer's reader
// little. Past it, the buffer grows as bytes arrive.
const frameFirstRead = 256 << 10

// sameBytes is an io.Writer that checks what is written against want.
type sameBytes struct {
	want []byte
	off  int
	diff bool
}

// Write compares p with the next len(p) bytes of want.
func (s *sameBytes) Write(p []byte) (int, error) {
	if s.diff || len(p) > len(s.want)-s.off || !bytes.Equal(p, s.want[s.off:s.off+len(p)]) {
		s.diff = true
		return len(p), nil
	}
	s.off += len(p)
	return len(p), nil
}

// equal reports whether exactly want was written.
func (s *sameBytes) equal() bool { return !s.diff && s.off == len(s.want) }
