package advisory_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/protocol/advisory"
)

// tidy makes the generators draw from the pools alone (set while drawing
// a document that must normalise).
type genMode struct{ tidy bool }

// messy draws a string from values written untidily (the pool), bad values
// and arbitrary strings; in tidy mode from the pool alone.
func messy(t *rapid.T, label string, pool ...string) string {
	if mode.tidy {
		return rapid.SampledFrom(pool).Draw(t, label)
	}
	return rapid.OneOf(
		rapid.SampledFrom(pool),
		rapid.SampledFrom([]string{"", " ", "\t\r\n", "ÿ", "a\x00b", "\u2028"}),
		rapid.String(),
	).Draw(t, label)
}

var mode genMode

var indicatorPool = map[advisory.IndicatorType][]string{
	advisory.IPv4:       {"192.0.2.1", " 10.1.2.3/8", "192.0.2[.]1/32"},
	advisory.IPv6:       {"2001:DB8::1", "2001:db8::1/64"},
	advisory.Domain:     {"Example.COM.", "evil[.]example.org", "bücher.example", "_x.example.com"},
	advisory.URL:        {"HTTP://Example.COM", "hxxps://a.example:443/x?y#z", "http://[::1]:80", "ftp://u@h.example/p%20q"},
	advisory.Email:      {"Bob@Example.COM", "a[@]b.example"},
	advisory.MD5:        {"D41D8CD98F00B204E9800998ECF8427E"},
	advisory.SHA256:     {"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
	advisory.FileName:   {" a.exe "},
	advisory.ASN:        {"as1", "4294967295"},
	advisory.RegKey:     {`hkcu\x\`, `HKEY_USERS\\a`},
	advisory.X509SHA1:   {"DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09"},
	advisory.JA4:        {"T13D1516H2_8DAAF6152771_E5627EFA2AB1"},
	advisory.YARA:       {"rule a {\r\ncondition: true\r\n}\r\n", "\n\n  x\n"},
	advisory.UserAgent:  {" curl/8.0 "},
	advisory.X509SHA256: {"AA:" + strings.Repeat("00:", 30) + "BB"},
}

// genDocument draws a document that may or may not be valid.
func genDocument(t *rapid.T) *advisory.Document {
	d := &advisory.Document{
		Title:       messy(t, "title", "Title", "  Spaced title  "),
		Summary:     messy(t, "summary", "line\r\nline", "\n\ntext  "),
		Description: messy(t, "description", "# Head\n\n* item\n"),
		TLP:         advisory_TLP(messy(t, "tlp", "tlp:amber+strict", "GREEN", "red", "CLEAR")),
		Language:    messy(t, "language", "en", "nl_nl", "zh-hant-tw", "x-private", "en-a-bbb-x-a-ccc"),
	}
	if rapid.Bool().Draw(t, "severity") {
		d.Severity = &advisory.Severity{Rating: advisory.Rating(messy(t, "rating", "high", "NONE"))}
		if rapid.Bool().Draw(t, "v31") {
			d.Severity.CVSS31 = &advisory.CVSS{Vector: messy(t, "v31vec", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:C/C:N/I:N/A:N/E:X")}
		}
		if rapid.Bool().Draw(t, "v40") {
			d.Severity.CVSS40 = &advisory.CVSS{Vector: messy(t, "v40vec", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")}
		}
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "nvulns") {
		_ = i
		d.Vulnerabilities = append(d.Vulnerabilities, advisory.Vulnerability{
			CVE:  messy(t, "cve", "cve-2021-44228", "CVE-2024-123456", "CVE-2024-0123"),
			CWEs: strList(t, "cwes", []string{"79", "cwe-502"}, []string{"CWE-0", "x"}, 3),
		})
	}
	types := append([]advisory.IndicatorType{"bogus"}, advisory.IndicatorTypes...)
	if mode.tidy {
		types = types[1:]
	}
	for range rapid.IntRange(0, 6).Draw(t, "nind") {
		typ := rapid.SampledFrom(types).Draw(t, "type")
		pool := indicatorPool[typ]
		if mode.tidy && len(pool) == 0 {
			continue
		}
		in := advisory.Indicator{Type: typ, Value: messy(t, "value", append(pool, "x")[:max(len(pool), 1)]...)}
		if rapid.Bool().Draw(t, "conf") {
			c := rapid.IntRange(-5, 105).Draw(t, "confidence")
			in.Confidence = &c
		}
		in.ValidFrom = advisory.Timestamp(rapid.SampledFrom([]int64{0, 1, 1700000000, -1}).Draw(t, "from"))
		in.ValidUntil = advisory.Timestamp(rapid.SampledFrom([]int64{0, 1800000000, 253402300800}).Draw(t, "until"))
		d.Indicators = append(d.Indicators, in)
	}
	for range rapid.IntRange(0, 2).Draw(t, "nprod") {
		p := advisory.Product{
			Vendor:  messy(t, "vendor", "Acme"),
			Product: messy(t, "product", "Widget"),
			CPEs:    strList(t, "cpes", []string{"cpe:2.3:a:Acme:Widget:1.0:*:*:*:*:*:*:*", `cpe:2.3:a:acme:widget\!:*:*:*:*:*:*:*:*`}, []string{"cpe:2.3:a:x"}, 2),
			PURLs:   strList(t, "purls", []string{"pkg:npm/%40acme/widget@1.0.0", "pkg:PyPI/Django@4.2", "pkg:golang/example.com/x?b=2&a=1"}, []string{"pkg:"}, 2),
		}
		for range rapid.IntRange(0, 2).Draw(t, "nver") {
			if mode.tidy {
				p.Versions = append(p.Versions, rapid.SampledFrom([]advisory.VersionRange{
					{Version: " 1.0 "}, {Introduced: "1.0", Fixed: "2.0"}, {LastAffected: "3"}, {Fixed: "4"},
				}).Draw(t, "range"))
				continue
			}
			p.Versions = append(p.Versions, advisory.VersionRange{
				Version:    rapid.SampledFrom([]string{"", " 1.0 "}).Draw(t, "ver"),
				Introduced: rapid.SampledFrom([]string{"", "1.0"}).Draw(t, "intro"),
				Fixed:      rapid.SampledFrom([]string{"", "2.0"}).Draw(t, "fixed"),
			})
		}
		d.Products = append(d.Products, p)
	}
	d.Techniques = strList(t, "techniques", []string{"t1059", "T1059.001"}, []string{"T12"}, 3)
	d.Sectors = strList(t, "sectors", []string{"Energy", "health care", "Ünï"}, []string{"--"}, 3)
	d.References = strList(t, "refs", []string{"HTTPS://Example.com", "https://a.example/b?q=1#f"}, []string{"ftp://x.example/"}, 3)
	d.Content = []byte(messy(t, "content", "", "null", `{ "a" : [1, 2] , "b": "<&>\u2028" }`, `"x"`))
	return d
}

func advisory_TLP(s string) protocol.TLP { return protocol.TLP(s) }

// strList draws a list of distinct good values, or in messy mode a list
// that may repeat values and hold bad ones.
func strList(t *rapid.T, label string, good, bad []string, n int) []string {
	if mode.tidy {
		return rapid.SliceOfNDistinct(rapid.SampledFrom(good), 0, n, rapid.ID[string]).Draw(t, label)
	}
	return rapid.SliceOfN(rapid.SampledFrom(append(slices.Clone(good), bad...)), 0, n).Draw(t, label)
}

// normalDocument draws a document from the pools that normalises (a few
// combinations do not, such as a repeated indicator: those are drawn again).
func normalDocument(t *rapid.T) *advisory.Document {
	mode.tidy = true
	defer func() { mode.tidy = false }()
	for {
		d := genDocument(t)
		if d.Normalize() == nil {
			return d
		}
	}
}

// clone deep-copies a document, whatever it holds.
func clone(_ *rapid.T, d *advisory.Document) *advisory.Document {
	c := *d
	if d.Severity != nil {
		s := *d.Severity
		if s.CVSS31 != nil {
			v := *s.CVSS31
			s.CVSS31 = &v
		}
		if s.CVSS40 != nil {
			v := *s.CVSS40
			s.CVSS40 = &v
		}
		c.Severity = &s
	}
	c.Vulnerabilities = slices.Clone(d.Vulnerabilities)
	for i := range c.Vulnerabilities {
		c.Vulnerabilities[i].CWEs = slices.Clone(c.Vulnerabilities[i].CWEs)
	}
	c.Indicators = slices.Clone(d.Indicators)
	for i := range c.Indicators {
		if p := c.Indicators[i].Confidence; p != nil {
			v := *p
			c.Indicators[i].Confidence = &v
		}
	}
	c.Products = slices.Clone(d.Products)
	for i := range c.Products {
		p := &c.Products[i]
		p.Versions, p.CPEs, p.PURLs = slices.Clone(p.Versions), slices.Clone(p.CPEs), slices.Clone(p.PURLs)
	}
	c.Techniques, c.Sectors, c.References = slices.Clone(d.Techniques), slices.Clone(d.Sectors), slices.Clone(d.References)
	c.Content = slices.Clone(d.Content)
	return &c
}

// TestNormalizeIdempotent: a normalised document normalises to itself,
// and Validate accepts exactly what Normalize leaves unchanged.
func TestNormalizeIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mode.tidy = rapid.Bool().Draw(t, "tidy")
		d := genDocument(t)
		mode.tidy = false
		before := clone(t, d)
		verr := before.Validate()
		nerr := d.Normalize()
		if verr == nil && (nerr != nil || !reflect.DeepEqual(before, clone(t, d))) {
			t.Fatalf("Validate accepted a document that Normalize changed or refused (%v)", nerr)
		}
		for _, err := range []error{verr, nerr} {
			if err != nil {
				checkNamed(t, err)
			}
		}
		if nerr != nil {
			return
		}
		once := clone(t, d)
		if err := d.Normalize(); err != nil {
			t.Fatalf("a normalised document fails a second Normalize: %v", err)
		}
		if !reflect.DeepEqual(once, clone(t, d)) {
			t.Fatalf("Normalize is not idempotent")
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("a normalised document fails Validate: %v", err)
		}
	})
}

// TestEncodeDecodeRoundTrip: a normal document encodes, decodes to
// itself, and encodes to the same bytes; its JSON reads back to itself.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := normalDocument(t)
		b, err := d.Encode()
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		back, err := advisory.Decode(b)
		if err != nil {
			t.Fatalf("Decode of Encode: %v", err)
		}
		if !reflect.DeepEqual(d, back) {
			t.Fatalf("round trip changed the document:\n%+v\n%+v", d, back)
		}
		again, err := back.Encode()
		if err != nil || string(again) != string(b) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
		j, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		fromJSON, err := advisory.ParseJSON(j)
		if err != nil {
			t.Fatalf("ParseJSON of the document's JSON: %v\n%s", err, j)
		}
		if jb, err := fromJSON.Encode(); err != nil || string(jb) != string(b) {
			t.Fatalf("JSON round trip changed the encoding (%v)", err)
		}
	})
}

// TestDecodeNeverPanics: Decode of mutated encodings and of arbitrary
// bytes returns a document or a named error, never panics, and accepts
// only the canonical encoding.
func TestDecodeNeverPanics(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b []byte
		if rapid.Bool().Draw(t, "arbitrary") {
			b = rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		} else {
			d := normalDocument(t)
			enc, err := d.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			b = enc
			for range rapid.IntRange(1, 4).Draw(t, "mutations") {
				if len(b) == 0 {
					break
				}
				i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
				b[i] = rapid.Byte().Draw(t, "byte")
			}
		}
		decodeChecked(t, b)
	})
}

// decodeChecked decodes b and checks Decode's contract.
func decodeChecked(t interface {
	Fatalf(string, ...any)
}, b []byte) {
	d, err := advisory.Decode(b)
	if err != nil {
		if !named(err) {
			t.Fatalf("Decode returned an unnamed error: %v", err)
		}
		return
	}
	enc, err := d.Encode()
	if err != nil || string(enc) != string(b) {
		t.Fatalf("Decode accepted bytes that are not the document's encoding (%v)", err)
	}
}

var sentinels = []error{
	advisory.ErrInvalid, advisory.ErrTooLarge, advisory.ErrNotNormal,
	advisory.ErrMalformed, advisory.ErrNonCanonical, advisory.ErrUnknownField,
}

// named reports whether err wraps a sentinel error.
func named(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func checkNamed(t *rapid.T, err error) {
	if !named(err) {
		t.Fatalf("unnamed error: %v", err)
	}
	var fe *advisory.FieldError
	if !errors.As(err, &fe) || fe.Path == "" {
		t.Fatalf("an error without a field path: %v", err)
	}
}

// TestValueIdempotent: for every indicator type, a value's normal form is
// its own normal form, whatever string it came from.
func TestValueIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typ := rapid.SampledFrom(advisory.IndicatorTypes).Draw(t, "type")
		pool := append([]string{"a.b", "http://a.b/", "1.2.3.4", "::1", "x@y.z"}, indicatorPool[typ]...)
		base := rapid.SampledFrom(pool).Draw(t, "base")
		s := rapid.OneOf(
			rapid.Just(base),
			rapid.Map(rapid.String(), func(x string) string { return base + x }),
			rapid.Map(rapid.String(), func(x string) string { return x + base }),
			rapid.String(),
		).Draw(t, "value")
		n, err := advisory.NormalizeValue(typ, s)
		if err != nil {
			if !named(err) {
				t.Fatalf("unnamed error: %v", err)
			}
			return
		}
		again, err := advisory.NormalizeValue(typ, n)
		if err != nil || again != n {
			t.Fatalf("%s %q: normal form %q normalises to %q, %v", typ, s, n, again, err)
		}
	})
}
