package protocol

import (
	"crypto/ed25519"
	"fmt"
)

// SignGenesisOp returns founder #1's signature of the genesis op that will
// carry g, authored at ts (Unix milliseconds). The signature covers the
// whole op but its signatures (the charter, the founders and ts, not the
// founders' own signatures), so the initiator signs it when drafting, the
// draft (g and ts) travels from founder to founder, each founder adds its
// signature of the same op with SignGenesis(g, ts, priv), and anyone
// assembles the op with SealGenesis once every founder has signed.
func SignGenesisOp(g *Genesis, ts int64, priv ed25519.PrivateKey) ([]byte, error) {
	if len(g.Founders) == 0 || g.Founders[0].Key != KeyOf(priv) {
		return nil, fmt.Errorf("%w: only founder #1 signs the genesis op", ErrInvalidBody)
	}
	o, err := genesisOp(g, ts)
	if err != nil {
		return nil, err
	}
	return sign(priv, DomainOp, o.signingBytes()), nil
}

// SealGenesis assembles the genesis op that carries g, authored by founder #1
// at ts with its op signature opSig, and checks it as a receiving node would:
// structure, size and every signature. It returns an error wrapping
// ErrBadSignature when a founder has not signed g at ts (MissingSignatures
// names them) or opSig does not verify, ErrWeakKey when a founder's key is
// weak, and ErrInvalidBody or ErrTooLarge when g is not a valid genesis.
func SealGenesis(g *Genesis, ts int64, opSig []byte) (*Op, error) {
	o, err := genesisOp(g, ts)
	if err != nil {
		return nil, err
	}
	o.Sig = append([]byte(nil), opSig...)
	if len(o.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: op signature is %d bytes", ErrBadSignature, len(o.Sig))
	}
	raw, err := marshal(o)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(raw) > MaxOpSize {
		return nil, fmt.Errorf("%w: genesis is %d bytes, limit %d", ErrTooLarge, len(raw), MaxOpSize)
	}
	o.raw = raw
	o.hash = sum("", raw)
	if err := o.Verify(); err != nil {
		return nil, err
	}
	return o, nil
}

// genesisOp builds the unsigned genesis op for g, with its structure checked.
func genesisOp(g *Genesis, ts int64) (*Op, error) {
	if len(g.Founders) == 0 {
		return nil, fmt.Errorf("%w: a genesis without founders", ErrInvalidBody)
	}
	b, err := marshal(g)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	o := &Op{Author: g.Founders[0].Key, Seq: 1, Kind: KindGenesis, Body: b, TS: ts}
	// Keep a copy, so that later changes to the caller's g cannot change
	// what this op's signing bytes say.
	body, err := decodeBody(KindGenesis, b)
	if err != nil {
		return nil, err
	}
	o.body = body
	if err := o.checkStructure(); err != nil {
		return nil, err
	}
	return o, nil
}

// VerifyGenesisOp checks founder #1's op signature of the genesis op that
// will carry g at ts, before every founder has signed: a founder asked to
// co-sign a draft checks that the draft is still what founder #1 signed.
// It returns an error wrapping ErrBadSignature when opSig does not verify.
func VerifyGenesisOp(g *Genesis, ts int64, opSig []byte) error {
	o, err := genesisOp(g, ts)
	if err != nil {
		return err
	}
	if !o.Author.verify(DomainOp, o.signingBytes(), opSig) {
		return fmt.Errorf("%w: founder #1's signature of the genesis op", ErrBadSignature)
	}
	return nil
}
