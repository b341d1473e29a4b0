package protocol

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// unmarshalByReencode is the strict decoding that unmarshalStrict
// replaced for ops and advisories: decode, encode the result again with
// encMode, and compare. The properties below hold the two to the same
// verdicts and values.
func unmarshalByReencode(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return classify(err)
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, b) {
		return ErrNonCanonical
	}
	return nil
}

// strictSeeds are encodings to decode and mutate: every valid op and its
// body, and every rejected encoding of the corpus.
func strictSeeds(t testing.TB) [][]byte {
	c := newCircle(t)
	var seeds [][]byte
	valid := validOps(t, c)
	for _, name := range slices.Sorted(maps.Keys(valid)) {
		seeds = append(seeds, valid[name].Bytes(), valid[name].Body)
	}
	for _, rc := range allRejects(t, c) {
		seeds = append(seeds, rc.raw)
	}
	return seeds
}

// agree fails unless both strict decodings of b into fresh values of
// v's type give the same error (or none) and equal values.
func agree(t interface {
	Helper()
	Fatalf(string, ...any)
}, b []byte, v any) {
	t.Helper()
	typ := reflect.TypeOf(v).Elem()
	fast, slow := reflect.New(typ).Interface(), reflect.New(typ).Interface()
	errFast, errSlow := unmarshalStrict(b, fast), unmarshalByReencode(b, slow)
	if fmt.Sprint(errFast) != fmt.Sprint(errSlow) {
		t.Fatalf("%s from %x: hand-written check says %v, re-encoding says %v", typ, b, errFast, errSlow)
	}
	if errFast == nil && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s from %x: decoded values differ", typ, b)
	}
}

// Every seed, as an op and as an advisory body, gets the same verdict
// from the hand-written canonical check as from encoding it again.
func TestStrictDecodeAgreesOnCorpus(t *testing.T) {
	for _, b := range strictSeeds(t) {
		agree(t, b, new(Op))
		agree(t, b, new(Advisory))
	}
}

// encodeCanonical returns the hand-written encoding of an *Op or an
// *Advisory.
func encodeCanonical(t *rapid.T, v any) []byte {
	var w canonWriter
	if !w.encode(v) {
		t.Fatalf("no hand-written encoding of %T", v)
	}
	return w.out
}

// matches reports whether the check accepts input as v's encoding.
func matches(v any, input []byte) bool {
	m, _ := matchesCanonical(v, input)
	return m
}

// mutate changes b by a few random edits: a byte set, a bit flipped, a
// byte inserted or removed, a tail cut, or a head argument widened.
func mutate(t *rapid.T, b []byte) []byte {
	b = slices.Clone(b)
	for range rapid.IntRange(1, 3).Draw(t, "edits") {
		if len(b) == 0 {
			return append(b, rapid.Byte().Draw(t, "only"))
		}
		i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
		switch rapid.IntRange(0, 5).Draw(t, "edit") {
		case 0:
			b[i] = rapid.Byte().Draw(t, "byte")
		case 1:
			b[i] ^= 1 << rapid.IntRange(0, 7).Draw(t, "bit")
		case 2:
			b = slices.Insert(b, i, rapid.Byte().Draw(t, "inserted"))
		case 3:
			b = slices.Delete(b, i, i+1)
		case 4:
			b = b[:i]
		case 5:
			// A small argument written with one more byte: the same value,
			// not in its shortest form.
			if b[i]&0x1f < 24 {
				b = slices.Insert(b, i+1, b[i]&0x1f)
				b[i] = b[i]&0xe0 | 24
			}
		}
	}
	return b
}

// Random edits of the seeds get the same verdict, and the same value when
// accepted, from both strict decodings, as an op and as an advisory body.
func TestStrictDecodeAgreesOnMutations(t *testing.T) {
	seeds := strictSeeds(t)
	rapid.Check(t, func(t *rapid.T) {
		b := mutate(t, rapid.SampledFrom(seeds).Draw(t, "seed"))
		agree(t, b, new(Op))
		agree(t, b, new(Advisory))
	})
}

func genHash(t *rapid.T, label string) Hash {
	var h Hash
	copy(h[:], rapid.SliceOfN(rapid.Byte(), HashSize, HashSize).Draw(t, label))
	return h
}

// genBytes draws nil, an empty slice, or some bytes.
func genBytes(t *rapid.T, label string, max int) []byte {
	switch rapid.IntRange(0, 2).Draw(t, label+" form") {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	return rapid.SliceOfN(rapid.Byte(), 1, max).Draw(t, label)
}

// The hand-written encodings of any op and any advisory are exactly what
// encMode writes, empty and nil fields, negative clocks and large seqs
// included.
func TestCanonicalWriterMatchesEncoder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := &Op{
			Group:  genHash(t, "group"),
			Seq:    rapid.Uint64().Draw(t, "seq"),
			Epoch:  genHash(t, "epoch"),
			Kind:   Kind(rapid.Uint8().Draw(t, "kind")),
			Body:   genBytes(t, "body", 300),
			TS:     rapid.Int64().Draw(t, "ts"),
			Sig:    genBytes(t, "sig", 70),
			Author: Key(genHash(t, "author")),
		}
		if rapid.Bool().Draw(t, "prev") {
			p := genHash(t, "prev hash")
			o.Prev = &p
		}
		switch rapid.IntRange(0, 2).Draw(t, "preds form") {
		case 1:
			o.Preds = []Hash{}
		case 2:
			for range rapid.IntRange(1, 30).Draw(t, "preds") {
				o.Preds = append(o.Preds, genHash(t, "pred"))
			}
		}
		want := mustMarshal(o)
		if got := encodeCanonical(t, o); !bytes.Equal(got, want) {
			t.Fatalf("op: hand-written %x, encMode %x", got, want)
		}
		if !matches(o, want) || matches(o, want[:len(want)-1]) || matches(o, append(slices.Clone(want), 0)) {
			t.Fatalf("op: the check does not match exactly its encoding")
		}
		a := &Advisory{
			Title:   rapid.String().Draw(t, "title"),
			Summary: rapid.SampledFrom([]string{"", "s", string(make([]byte, 300))}).Draw(t, "summary"),
			TLP:     TLP(rapid.String().Draw(t, "tlp")),
			Content: genBytes(t, "content", 3000),
		}
		want = mustMarshal(a)
		if got := encodeCanonical(t, a); !bytes.Equal(got, want) {
			t.Fatalf("advisory: hand-written %x, encMode %x", got, want)
		}
		if !matches(a, want) {
			t.Fatalf("advisory: the check does not match its encoding")
		}
	})
}
