package trust

import (
	"fmt"
	"slices"

	"github.com/kring-circle/kring/protocol"
)

// opHead is what a vertex keeps of its op: the header fields that judging
// reads, and the whole op for a membership op, whose body the rules read.
// A data op (an advisory, an acknowledgement) keeps no body, signature or
// encoding, so that the engine's memory grows with the log by a few
// hundred bytes per op, not by the ops themselves; the store holds them.
type opHead struct {
	// Author, Seq, Kind and Preds are the op's own fields.
	Author protocol.Key
	Seq    uint64
	Kind   protocol.Kind
	Preds  []protocol.Hash
	// TS and prev are the op's ts and prev, for Engine.Header.
	TS   int64
	prev *protocol.Hash
	hash protocol.Hash
	// whole is the op itself for a membership op, nil for a data op.
	whole *protocol.Op
}

// headOf returns what a vertex keeps of op.
func headOf(op *protocol.Op) *opHead {
	h := &opHead{Author: op.Author, Seq: op.Seq, Kind: op.Kind, Preds: op.Preds, TS: op.TS, prev: op.Prev, hash: op.Hash()}
	// Prev is among the preds: point there, and let the op's own copy go.
	if op.Prev != nil {
		if i := slices.Index(op.Preds, *op.Prev); i >= 0 {
			h.prev = &op.Preds[i]
		}
	}
	if op.Kind.IsMembership() {
		h.whole = op
	}
	return h
}

// Hash returns the op's hash.
func (h *opHead) Hash() protocol.Hash { return h.hash }

// Content returns the decoded body of a membership op, nil for a data op.
func (h *opHead) Content() protocol.Body {
	if h.whole == nil {
		return nil
	}
	return h.whole.Content()
}

func (h *opHead) String() string {
	return fmt.Sprintf("%s %s by %s#%d", h.Kind, h.hash.Short(), h.Author.Short(), h.Seq)
}

// Header is the header of an applied op, as the engine keeps it for every
// op: enough to walk an author's chain without the store.
type Header struct {
	// Author, Seq, Prev, Kind and TS are the op's own fields; Hash its hash.
	Author protocol.Key
	Seq    uint64
	Prev   *protocol.Hash
	Kind   protocol.Kind
	TS     int64
	Hash   protocol.Hash
}

// Header returns the header of the applied op with hash h.
func (e *Engine) Header(h protocol.Hash) (Header, bool) {
	n, ok := e.d.get(h)
	if !ok {
		return Header{}, false
	}
	o := n.op
	hd := Header{Author: o.Author, Seq: o.Seq, Kind: o.Kind, TS: o.TS, Hash: o.hash}
	if o.prev != nil {
		p := *o.prev
		hd.Prev = &p
	}
	return hd, true
}

// checkChain is protocol.CheckChain against the applied prev (nil when op
// names none or it is not applied), which the engine keeps as a header.
func checkChain(op *protocol.Op, prev *vertex) error {
	if prev == nil {
		return protocol.CheckPrev(op, nil)
	}
	return protocol.CheckPrev(op, &protocol.Link{Hash: prev.op.hash, Author: prev.op.Author, Seq: prev.op.Seq})
}
