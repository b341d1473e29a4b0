package protocol

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

// genSig draws one member of a batch: a valid signature, or one made bad
// in one of the ways a forger or a broken peer would (a bit flipped in R
// or S, S pushed past the group order, the wrong key, another message,
// too short), or a published edge case.
func genSig(t *rapid.T, vectors []sigVector) sigVector {
	priv := testKey(rapid.SampledFrom([]string{"alpha", "bravo", "charlie", "delta"}).Draw(t, "key"))
	msg := rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "msg")
	v := sigVector{name: "valid", key: KeyOf(priv), msg: msg, sig: ed25519.Sign(priv, msg)}
	switch rapid.IntRange(0, 7).Draw(t, "how") {
	case 1:
		v.name = "bit flipped"
		bit := rapid.IntRange(0, 511).Draw(t, "bit")
		v.sig[bit/8] ^= 1 << (bit % 8)
	case 2:
		v.name = "S past the order"
		addOrder(v.sig[32:])
	case 3:
		v.name = "wrong key"
		v.key = KeyOf(testKey("echo"))
	case 4:
		v.name = "other message"
		v.msg = append(v.msg, 0)
	case 5:
		v.name = "short"
		v.sig = v.sig[:rapid.IntRange(0, 63).Draw(t, "len")]
	case 6, 7:
		v = rapid.SampledFrom(vectors).Draw(t, "vector")
		v.sig = append([]byte(nil), v.sig...)
	}
	return v
}

// addOrder adds the group order L to the little-endian scalar s in place,
// which leaves S mod L unchanged; the result fits 32 bytes for every
// S < L, since L < 2^253.
func addOrder(s []byte) {
	l := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 31: 0x10}
	carry := 0
	for i := range s {
		n := int(s[i]) + int(l[i]) + carry
		s[i], carry = byte(n), n>>8
	}
}

// A batch accepts exactly when every member would be accepted alone, and
// a failed batch names exactly the members that fail alone.
func TestBatchAgreesWithSingle(t *testing.T) {
	vectors := append(speccheckVectors(t), zip215Vectors(t)...)
	rapid.Check(t, func(t *rapid.T) {
		vs := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) sigVector { return genSig(t, vectors) }), 1, 40).Draw(t, "batch")
		want := true
		single := make([]bool, len(vs))
		for i, v := range vs {
			single[i] = verifySig(v.key, v.msg, v.sig)
			want = want && single[i]
		}
		all, valid := batchVerdicts(vs)
		if all != want {
			t.Fatalf("batch verdict %v, members alone %v", all, single)
		}
		for i := range vs {
			if valid[i] != single[i] {
				t.Fatalf("member %d (%s): %v in the batch, %v alone", i, vs[i].name, valid[i], single[i])
			}
		}
	})
}

// OpenBatch gives each op the verdict Open gives it, error for error,
// whatever else is in the batch: forged signatures, weak authors, other
// circles, broken encodings, a genesis.
func TestOpenBatchAgreesWithOpen(t *testing.T) {
	c := newCircle(t)
	var pool []*Op
	for _, priv := range []ed25519.PrivateKey{c.alpha, c.bravo, c.charlie} {
		for _, size := range []int{0, 300, 600} {
			pool = append(pool, mustSign(t, c.first(KindAdvisory), advisory(size), priv))
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 48).Draw(t, "n")
		raw := make([][]byte, n)
		for i := range raw {
			o := rapid.SampledFrom(pool).Draw(t, "op")
			b := append([]byte(nil), o.Bytes()...)
			switch rapid.IntRange(0, 9).Draw(t, "how") {
			case 1: // a forged signature
				b[len(b)-1-rapid.IntRange(0, 63).Draw(t, "at")] ^= 1
			case 2: // another author's name on the op
				f := *o
				f.Author = KeyOf(c.candidate)
				b = mustMarshal(&f)
			case 3: // a weak author
				b = weakOp(c, KindAdvisory, advisory(0))
			case 4: // broken bytes
				b = b[:rapid.IntRange(0, len(b)-1).Draw(t, "cut")]
			case 5:
				b = c.genesis.Bytes()
			case 6: // another circle's op
				f := *c.first(KindAdvisory)
				f.Group = Hash{7}
				b = forgeBody(f, advisory(0), c.alpha)
			}
			raw[i] = b
		}
		ops, errs := OpenBatch(raw, c.group)
		if len(ops) != n || len(errs) != n {
			t.Fatalf("OpenBatch of %d gave %d ops and %d errors", n, len(ops), len(errs))
		}
		for i, b := range raw {
			o, err := Open(b, c.group)
			switch {
			case (err == nil) != (errs[i] == nil) || (err != nil && err.Error() != errs[i].Error()):
				t.Fatalf("op %d: OpenBatch says %v, Open says %v", i, errs[i], err)
			case err == nil && (ops[i] == nil || ops[i].Hash() != o.Hash()):
				t.Fatalf("op %d: OpenBatch gave %v, Open %v", i, ops[i], o)
			case err != nil && ops[i] != nil:
				t.Fatalf("op %d: OpenBatch gave an op and the error %v", i, errs[i])
			}
		}
	})
}

// A forged op in a batch fails alone: the rest are opened.
func TestOpenBatchFindsTheForgedOp(t *testing.T) {
	c := newCircle(t)
	var raw [][]byte
	for i := range 64 {
		o := mustSign(t, c.first(KindAdvisory), advisory(i), c.bravo)
		raw = append(raw, o.Bytes())
	}
	bad := append([]byte(nil), raw[17]...)
	bad[len(bad)-5] ^= 1
	raw[17] = bad
	ops, errs := OpenBatch(raw, c.group)
	for i := range raw {
		if i == 17 {
			if ops[i] != nil || !errors.Is(errs[i], ErrBadSignature) {
				t.Errorf("the forged op: %v, %v; want ErrBadSignature", ops[i], errs[i])
			}
			continue
		}
		if ops[i] == nil || errs[i] != nil {
			t.Errorf("op %d: %v, %v; want the op", i, ops[i], errs[i])
		}
	}
}
