package protocol

import "testing"

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
