package node

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// whatIf is a private copy of this node's log in an engine of its own, to
// which a preview adds ops that nobody signed: the membership rules judge
// them as they would the real ones (trust checks no signatures, package
// protocol does before ops reach it), and the loop's engine never sees
// them. A whatIf belongs to the goroutine that made it.
type whatIf struct {
	e     *trust.Engine
	group protocol.Hash
	ops   map[protocol.Hash]*protocol.Op // the log's ops, not the added ones
	tips  map[protocol.Key]tip
}

// tip is an author's newest op in a whatIf.
type tip struct {
	seq    uint64
	hash   protocol.Hash
	forked bool // two ops at seq: the author has no one next seq
}

// whatIf rebuilds the State of the ops in this node's store.
func (n *Node) whatIf(ctx context.Context) (*whatIf, error) {
	w := &whatIf{group: n.group, ops: map[protocol.Hash]*protocol.Op{}, tips: map[protocol.Key]tip{}}
	err := n.store.Range(func(op *protocol.Op) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if w.e == nil {
			e, err := trust.New(op)
			w.e = e
			return err
		}
		if err := w.e.Apply(op); err != nil {
			return err
		}
		w.ops[op.Hash()] = op
		w.advance(op)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("node: rebuilding the log for a preview: %w", err)
	}
	if w.e == nil {
		return nil, fmt.Errorf("node: rebuilding the log for a preview: %w", trust.ErrNotFound)
	}
	return w, nil
}

// advance records op as its author's newest.
func (w *whatIf) advance(op *protocol.Op) {
	t := w.tips[op.Author]
	switch {
	case op.Seq > t.seq:
		w.tips[op.Author] = tip{seq: op.Seq, hash: op.Hash()}
	case op.Seq == t.seq && op.Hash() != t.hash:
		t.forked = true
		w.tips[op.Author] = t
	}
}

// live returns the ops of the log that count in the what-if's State now.
func (w *whatIf) live() map[protocol.Hash]bool {
	out := map[protocol.Hash]bool{}
	for h := range w.ops {
		if w.e.Live(h) {
			out[h] = true
		}
	}
	return out
}

// opFields are the fields of an op that an unsigned what-if op carries, in
// protocol's canonical encoding; the signature is 64 zero bytes, which
// verifies for no key.
type opFields struct {
	Group  protocol.Hash   `cbor:"1,keyasint"`
	Author protocol.Key    `cbor:"2,keyasint"`
	Seq    uint64          `cbor:"3,keyasint"`
	Prev   *protocol.Hash  `cbor:"4,keyasint,omitempty"`
	Preds  []protocol.Hash `cbor:"5,keyasint,omitempty"`
	Epoch  protocol.Hash   `cbor:"6,keyasint"`
	Kind   protocol.Kind   `cbor:"7,keyasint"`
	Body   []byte          `cbor:"8,keyasint"`
	TS     int64           `cbor:"9,keyasint"`
	Sig    []byte          `cbor:"10,keyasint,omitempty"`
}

var whatIfEnc, _ = cbor.CoreDetEncOptions().EncMode()

// sign makes author's next op with body on top of its newest op, citing
// preds (and that op): an op for the what-if alone, with no signature.
// protocol.Decode checks its structure as for any op.
func (w *whatIf) sign(author protocol.Key, preds []protocol.Hash, body protocol.Body) (*protocol.Op, error) {
	b, err := whatIfEnc.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("node: encoding a what-if op: %w", err)
	}
	t := w.tips[author]
	f := opFields{Group: w.group, Author: author, Seq: t.seq + 1, Epoch: w.e.Epoch(), Kind: body.Kind(), Body: b,
		TS: time.Now().UnixMilli(), Sig: make([]byte, ed25519.SignatureSize)}
	all := append([]protocol.Hash(nil), preds...)
	if t.seq > 0 {
		prev := t.hash
		f.Prev = &prev
		all = append(all, prev)
	}
	f.Preds = protocol.SortPreds(all)
	raw, err := whatIfEnc.Marshal(&f)
	if err != nil {
		return nil, fmt.Errorf("node: encoding a what-if op: %w", err)
	}
	op, err := protocol.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("node: a what-if op: %w", err)
	}
	return op, nil
}
