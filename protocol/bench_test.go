package protocol

import (
	"crypto/ed25519"
	"fmt"
	"testing"
)

// benchOp returns a typical advisory op of about 1 KiB, and its circle.
func benchOp(b *testing.B) (*circle, *Op) {
	b.Helper()
	c := newCircle(b)
	first := mustSign(b, c.first(KindAdvisory), advisory(0), c.bravo)
	o := mustSign(b, c.after(first, KindAdvisory, c.genesis.Hash()), advisory(1024), c.bravo)
	if n := len(o.Bytes()); n < 900 || n > 1200 {
		b.Fatalf("benchmark op is %d bytes, want about 1 KiB", n)
	}
	return c, o
}

func BenchmarkVerify(b *testing.B) {
	_, o := benchOp(b)
	b.SetBytes(int64(len(o.Bytes())))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	_, o := benchOp(b)
	raw := o.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	c, o := benchOp(b)
	body := o.Content()
	b.SetBytes(int64(len(o.Bytes())))
	b.ReportAllocs()
	for b.Loop() {
		n := *o
		if err := Sign(&n, body, c.bravo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	c, o := benchOp(b)
	raw := o.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(raw, c.group); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSigs returns n advisory ops of about 1 KiB by four authors, and
// their circle.
func benchSigs(b *testing.B, n int) (*circle, []*Op) {
	b.Helper()
	c := newCircle(b)
	authors := []ed25519.PrivateKey{c.alpha, c.bravo, c.charlie, c.candidate}
	ops := make([]*Op, n)
	for i := range ops {
		ops[i] = mustSign(b, c.first(KindAdvisory), advisory(1024+i), authors[i%len(authors)])
	}
	return c, ops
}

// perSig reports the time per signature of a benchmark that checks n
// signatures each round.
func perSig(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
}

// BenchmarkVerifyOne checks one op signature at a time: crypto/ed25519
// (the rule of protocol 3, and the testnet bench's ceiling) beside the
// signature rule of protocol 4 (curve25519-voi, ZIP-215).
func BenchmarkVerifyOne(b *testing.B) {
	_, ops := benchSigs(b, 1)
	o := ops[0]
	msg := withDomain(DomainOp, o.signingBytes())
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(o.Author[:], msg, o.Sig) {
				b.Fatal("bad signature")
			}
		}
		perSig(b, 1)
	})
	b.Run("voi-zip215", func(b *testing.B) {
		for b.Loop() {
			if !verifySig(o.Author, msg, o.Sig) {
				b.Fatal("bad signature")
			}
		}
		perSig(b, 1)
	})
}

// BenchmarkVerifyBatch checks 64, 128 and 256 op signatures in one batch under
// the signature rule.
func BenchmarkVerifyBatch(b *testing.B) {
	for _, n := range []int{64, 128, 256} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			_, ops := benchSigs(b, n)
			msgs := make([][]byte, n)
			for i, o := range ops {
				msgs[i] = withDomain(DomainOp, o.signingBytes())
			}
			b.ReportAllocs()
			for b.Loop() {
				batch := newSigBatch(n)
				for i, o := range ops {
					batch.add(o.Author, msgs[i], o.Sig)
				}
				if all, _ := batch.verify(); !all {
					b.Fatal("bad batch")
				}
			}
			perSig(b, n)
		})
	}
}

// BenchmarkOpen256 opens a sync batch of 256 ops on one core: one at a
// time with Open, and together with OpenBatch.
func BenchmarkOpen256(b *testing.B) {
	c, ops := benchSigs(b, 256)
	raw := make([][]byte, len(ops))
	for i, o := range ops {
		raw[i] = o.Bytes()
	}
	b.Run("one-by-one", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range raw {
				if _, err := Open(r, c.group); err != nil {
					b.Fatal(err)
				}
			}
		}
		perSig(b, len(raw))
	})
	b.Run("batch", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, errs := OpenBatch(raw, c.group); errs[0] != nil {
				b.Fatal(errs[0])
			}
		}
		perSig(b, len(raw))
	})
}
