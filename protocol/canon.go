package protocol

import "bytes"

// The canonical encodings of an op and of an advisory body are written
// here by hand, field by field, exactly as encMode writes them, so that
// unmarshalStrict can check a decoded op or advisory against its input
// without encoding it again: an op (about 1 KiB, most of it its body) and
// an advisory are what a node decodes most, by the thousand in a sync.

// canonWriter receives a canonical encoding piece by piece. It either
// appends the pieces (out), or, when checking, compares them with the
// input in order and records the first difference.
type canonWriter struct {
	out      []byte
	checking bool
	rest     []byte // the input not yet matched, when checking
	differs  bool
}

// matchesCanonical reports whether v, an *Op or an *Advisory, encodes as
// input exactly, with no byte left over; known is false for any other v.
func matchesCanonical(v any, input []byte) (match, known bool) {
	w := canonWriter{checking: true, rest: input}
	if !w.encode(v) {
		return false, false
	}
	return !w.differs && len(w.rest) == 0, true
}

// encode writes v if it is an *Op or an *Advisory, and reports whether
// it was.
func (w *canonWriter) encode(v any) bool {
	switch v := v.(type) {
	case *Op:
		v.encodeCanonical(w)
	case *Advisory:
		v.encodeCanonical(w)
	default:
		return false
	}
	return true
}

func (w *canonWriter) put(p []byte) {
	if !w.checking {
		w.out = append(w.out, p...)
		return
	}
	if w.differs || !bytes.HasPrefix(w.rest, p) {
		w.differs = true
		return
	}
	w.rest = w.rest[len(p):]
}

func (w *canonWriter) putString(s string) {
	if !w.checking {
		w.out = append(w.out, s...)
		return
	}
	if w.differs || len(w.rest) < len(s) || string(w.rest[:len(s)]) != s {
		w.differs = true
		return
	}
	w.rest = w.rest[len(s):]
}

// head writes a CBOR head of major type major with argument n in its
// shortest form (RFC 8949 §4.2.1).
func (w *canonWriter) head(major byte, n uint64) {
	var b [9]byte
	m := major << 5
	switch {
	case n < 24:
		b[0] = m | byte(n)
		w.put(b[:1])
	case n <= 0xff:
		b[0], b[1] = m|24, byte(n)
		w.put(b[:2])
	case n <= 0xffff:
		b[0], b[1], b[2] = m|25, byte(n>>8), byte(n)
		w.put(b[:3])
	case n <= 0xffffffff:
		b[0] = m | 26
		for i := range 4 {
			b[1+i] = byte(n >> (24 - 8*i))
		}
		w.put(b[:5])
	default:
		b[0] = m | 27
		for i := range 8 {
			b[1+i] = byte(n >> (56 - 8*i))
		}
		w.put(b[:9])
	}
}

// key writes a small integer map key.
func (w *canonWriter) key(k uint64) { w.head(0, k) }

func (w *canonWriter) uint(n uint64) { w.head(0, n) }

func (w *canonWriter) int(n int64) {
	if n >= 0 {
		w.head(0, uint64(n))
		return
	}
	w.head(1, uint64(^n)) // -1 - n
}

// byteString writes b as a byte string; nil as null, as encMode writes a
// nil slice that is not omitted.
func (w *canonWriter) byteString(b []byte) {
	if b == nil {
		w.put([]byte{0xf6})
		return
	}
	w.head(2, uint64(len(b)))
	w.put(b)
}

func (w *canonWriter) text(s string) {
	w.head(3, uint64(len(s)))
	w.putString(s)
}

// encodeCanonical writes the op as encMode encodes an Op: the fields in
// key order, Prev, Preds and Sig left out when empty (omitempty).
func (o *Op) encodeCanonical(w *canonWriter) {
	n := uint64(7)
	if o.Prev != nil {
		n++
	}
	if len(o.Preds) > 0 {
		n++
	}
	if len(o.Sig) > 0 {
		n++
	}
	w.head(5, n)
	w.key(1)
	w.byteString(o.Group[:])
	w.key(2)
	w.byteString(o.Author[:])
	w.key(3)
	w.uint(o.Seq)
	if o.Prev != nil {
		w.key(4)
		w.byteString(o.Prev[:])
	}
	if len(o.Preds) > 0 {
		w.key(5)
		w.head(4, uint64(len(o.Preds)))
		for i := range o.Preds {
			w.byteString(o.Preds[i][:])
		}
	}
	w.key(6)
	w.byteString(o.Epoch[:])
	w.key(7)
	w.uint(uint64(o.Kind))
	w.key(8)
	w.byteString(o.Body)
	w.key(9)
	w.int(o.TS)
	if len(o.Sig) > 0 {
		w.key(10)
		w.byteString(o.Sig)
	}
}

// encodeCanonical writes the advisory as encMode encodes an Advisory:
// Summary and Content left out when empty (omitempty).
func (a *Advisory) encodeCanonical(w *canonWriter) {
	n := uint64(2)
	if a.Summary != "" {
		n++
	}
	if len(a.Content) > 0 {
		n++
	}
	w.head(5, n)
	w.key(1)
	w.text(a.Title)
	if a.Summary != "" {
		w.key(2)
		w.text(a.Summary)
	}
	w.key(3)
	w.text(string(a.TLP))
	if len(a.Content) > 0 {
		w.key(4)
		w.byteString(a.Content)
	}
}
