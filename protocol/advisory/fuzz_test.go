package advisory_test

import (
	"errors"
	"os"
	"testing"

	"github.com/kring-circle/kring/protocol/advisory"
)

// Run a fuzzer with, for example:
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./protocol/advisory

// FuzzDecode checks that Decode never panics, names every error, and
// accepts only the canonical encoding of a valid document.
func FuzzDecode(f *testing.F) {
	b, err := os.ReadFile("testdata/example.json")
	if err != nil {
		f.Fatal(err)
	}
	d, err := advisory.ParseJSON(b)
	if err != nil {
		f.Fatal(err)
	}
	enc, err := d.Encode()
	if err != nil {
		f.Fatal(err)
	}
	small, _ := (&advisory.Document{Version: 1, Title: "t", TLP: "RED"}).Encode()
	f.Add(enc)
	f.Add(small)
	f.Add([]byte{0xa0})
	f.Add([]byte{0xbf, 0xff})
	f.Add(append(small[:len(small):len(small)], 0x00))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeChecked(t, b)
	})
}

// FuzzParseJSON checks that ParseJSON never panics, names every error,
// and returns only documents that are valid, normal, and read back the
// same from their own JSON.
func FuzzParseJSON(f *testing.F) {
	b, err := os.ReadFile("testdata/example.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"title":"t","tlp":"green","content":{"a":1}}`))
	f.Add([]byte(`{"title":"t","tlp":"green","indicators":[{"type":"url","value":"hxxp://a[.]b/c"}]}`))
	f.Add([]byte(`{"title":"t","tlp":"green","bogus":1}`))
	f.Add([]byte(`{"title":"t","tlp":"green"} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := advisory.ParseJSON(b)
		if err != nil {
			if !named(err) {
				t.Fatalf("ParseJSON returned an unnamed error: %v", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("ParseJSON returned a document that fails Validate: %v", err)
		}
		enc, err := d.Encode()
		if err != nil {
			if errors.Is(err, advisory.ErrTooLarge) {
				return
			}
			t.Fatalf("Encode of a parsed document: %v", err)
		}
		decodeChecked(t, enc)
	})
}
