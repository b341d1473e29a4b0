package protocol

import (
	"encoding/binary"
	"slices"
	"testing"
)

// This file edits CBOR by hand, independently of the cbor library, so that
// tests can build exactly the non-canonical and malformed encodings that a
// hostile or buggy peer could send.

// cborHead encodes a CBOR head of major type major and argument n in its
// shortest form (RFC 8949 §4.2.1).
func cborHead(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	}
	return binary.BigEndian.AppendUint64([]byte{m | 27}, n)
}

// cborLongHead encodes the same head with an 8-byte argument: valid CBOR,
// never canonical.
func cborLongHead(major byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{major<<5 | 27}, n)
}

func cborUint(n uint64) []byte       { return cborHead(0, n) }
func cborBytes(b []byte) []byte      { return append(cborHead(2, uint64(len(b))), b...) }
func cborText(s string) []byte       { return append(cborHead(3, uint64(len(s))), s...) }
func cborArray(n int) []byte         { return cborHead(4, uint64(n)) }
func cborKey(k uint64) []byte        { return cborUint(k) }
func cborNull() []byte               { return []byte{0xf6} }
func cborConcat(bs ...[]byte) []byte { return slices.Concat(bs...) }

// cborItemLen returns the length of the definite-length CBOR item at the
// start of b.
func cborItemLen(t testing.TB, b []byte) int {
	t.Helper()
	if len(b) == 0 {
		t.Fatalf("cbor: empty item")
	}
	major, ai := b[0]>>5, b[0]&0x1f
	n, off := uint64(ai), 1
	switch {
	case ai == 24:
		n, off = uint64(b[1]), 2
	case ai == 25:
		n, off = uint64(binary.BigEndian.Uint16(b[1:])), 3
	case ai == 26:
		n, off = uint64(binary.BigEndian.Uint32(b[1:])), 5
	case ai == 27:
		n, off = binary.BigEndian.Uint64(b[1:]), 9
	case ai > 27:
		t.Fatalf("cbor: indefinite or reserved head %#x", b[0])
	}
	switch major {
	case 0, 1, 7:
		return off
	case 2, 3:
		return off + int(n)
	case 4, 5:
		items := int(n)
		if major == 5 {
			items *= 2
		}
		for range items {
			off += cborItemLen(t, b[off:])
		}
		return off
	case 6:
		return off + cborItemLen(t, b[off:])
	}
	panic("unreachable")
}

// cborEntry is one raw key/value pair of a CBOR map.
type cborEntry struct{ key, val []byte }

// cborMap splits the definite-length map b into its raw entries.
func cborMap(t testing.TB, b []byte) []cborEntry {
	t.Helper()
	if b[0]>>5 != 5 {
		t.Fatalf("cbor: not a map: %#x", b[0])
	}
	if n := cborItemLen(t, b); n != len(b) {
		t.Fatalf("cbor: map is %d of %d bytes", n, len(b))
	}
	n, off := uint64(b[0]&0x1f), 1
	if n >= 24 {
		t.Fatalf("cbor: test maps have fewer than 24 entries")
	}
	var es []cborEntry
	for range n {
		kl := cborItemLen(t, b[off:])
		vl := cborItemLen(t, b[off+kl:])
		es = append(es, cborEntry{b[off : off+kl : off+kl], b[off+kl : off+kl+vl : off+kl+vl]})
		off += kl + vl
	}
	return es
}

// joinMap encodes entries as a definite-length map, in the given order.
func joinMap(es []cborEntry) []byte {
	b := cborHead(5, uint64(len(es)))
	for _, e := range es {
		b = append(b, e.key...)
		b = append(b, e.val...)
	}
	return b
}

// joinIndefMap encodes entries as an indefinite-length map.
func joinIndefMap(es []cborEntry) []byte {
	b := []byte{0xbf}
	for _, e := range es {
		b = append(b, e.key...)
		b = append(b, e.val...)
	}
	return append(b, 0xff)
}

// entryIndex returns the index of the entry with integer key k.
func entryIndex(t testing.TB, es []cborEntry, k uint64) int {
	t.Helper()
	i := slices.IndexFunc(es, func(e cborEntry) bool { return slices.Equal(e.key, cborKey(k)) })
	if i < 0 {
		t.Fatalf("cbor: no key %d", k)
	}
	return i
}

// editMap splits b, lets edit change the entries, and joins them again.
func editMap(t testing.TB, b []byte, edit func([]cborEntry) []cborEntry) []byte {
	t.Helper()
	return joinMap(edit(cborMap(t, b)))
}

// setField replaces the value of key k in the map b.
func setField(t testing.TB, b []byte, k uint64, val []byte) []byte {
	t.Helper()
	return editMap(t, b, func(es []cborEntry) []cborEntry {
		es[entryIndex(t, es, k)].val = val
		return es
	})
}

// addField inserts key k with val in canonical key order.
func addField(t testing.TB, b []byte, k uint64, val []byte) []byte {
	t.Helper()
	return editMap(t, b, func(es []cborEntry) []cborEntry {
		i := slices.IndexFunc(es, func(e cborEntry) bool { return e.key[0] > cborKey(k)[0] })
		if i < 0 {
			i = len(es)
		}
		return slices.Insert(es, i, cborEntry{cborKey(k), val})
	})
}

// field returns the raw value of key k in the map b.
func field(t testing.TB, b []byte, k uint64) []byte {
	t.Helper()
	es := cborMap(t, b)
	return es[entryIndex(t, es, k)].val
}

// bytesContent returns the content of the definite byte or text string item b.
func bytesContent(t testing.TB, b []byte) []byte {
	t.Helper()
	n := cborItemLen(t, b)
	off := map[byte]int{24: 2, 25: 3, 26: 5, 27: 9}[b[0]&0x1f]
	return b[max(off, 1):n]
}

func TestCBOREditHelpers(t *testing.T) {
	c := newCircle(t)
	raw := c.genesis.Bytes()
	if got := joinMap(cborMap(t, raw)); !slices.Equal(got, raw) {
		t.Fatalf("split and join changed the op")
	}
	if got := bytesContent(t, field(t, raw, 8)); !slices.Equal(got, c.genesis.Body) {
		t.Fatalf("field 8 is not the body")
	}
	for _, n := range []uint64{0, 23, 24, 255, 256, 65535, 65536, 1 << 32} {
		if got, want := cborHead(0, n), mustMarshal(n); !slices.Equal(got, want) {
			t.Errorf("cborHead(0, %d) = %x, cbor library says %x", n, got, want)
		}
	}
}
