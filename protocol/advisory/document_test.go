package advisory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/kring-circle/kring/protocol/advisory"
)

// parse reads a JSON document and returns its error's text ("" when none).
func parse(t *testing.T, js string) (*advisory.Document, string) {
	t.Helper()
	d, err := advisory.ParseJSON([]byte(js))
	if err != nil {
		if !named(err) {
			t.Fatalf("unnamed error: %v", err)
		}
		return nil, err.Error()
	}
	return d, ""
}

// TestFieldErrors checks one refusal per field: the path and the reason.
func TestFieldErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`"title": "", "tlp": "GREEN"`, `title: "" is empty`},
		{`"title": "a\nb", "tlp": "GREEN"`, `title: "a\nb" holds a control character ('\n'): give one line`},
		{`"title": "t", "tlp": "YELLOW"`, `tlp: "YELLOW" is not a TLP 2.0 label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)`},
		{`"title": "t"`, `tlp: "" is not a TLP 2.0 label`},
		{`"title": "t", "tlp": "RED", "language": "englishlanguage"`, `language: "englishlanguage" is not a BCP 47 language tag`},
		{`"title": "t", "tlp": "RED", "language": "en-a"`, `language: "en-a" is not a BCP 47 language tag`},
		{`"title": "t", "tlp": "RED", "severity": {"cvss_v3_1": {"vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}`, `severity.cvss_v3_1.vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" is not a CVSS v3.1 vector`},
		{`"title": "t", "tlp": "RED", "severity": {"cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "score": 7.5}}`, `severity.cvss_v3_1.score: is 7.5, but the vector scores 9.8`},
		{`"title": "t", "tlp": "RED", "severity": {"cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "rating": "LOW"}}`, `severity.cvss_v3_1.rating: "LOW" is not the vector's rating CRITICAL`},
		{`"title": "t", "tlp": "RED", "severity": {"cvss_v4_0": {"vector": "CVSS:4.0/AV:N"}}`, `severity.cvss_v4_0.vector: "CVSS:4.0/AV:N" is not a CVSS v4.0 vector`},
		{`"title": "t", "tlp": "RED", "severity": {"rating": "severe"}`, `severity.rating: "severe" is not a rating (NONE, LOW, MEDIUM, HIGH, CRITICAL)`},
		{`"title": "t", "tlp": "RED", "vulnerabilities": [{"cve": "CVE-21-1"}]`, `vulnerabilities[0].cve: "CVE-21-1" is not a CVE id (CVE-YYYY-NNNN)`},
		{`"title": "t", "tlp": "RED", "vulnerabilities": [{"cve": "CVE-2021-01234"}]`, `is not a CVE id`},
		{`"title": "t", "tlp": "RED", "vulnerabilities": [{"cve": "CVE-2021-44228"}, {"cve": "cve-2021-44228"}]`, `vulnerabilities[1].cve: "CVE-2021-44228" repeats vulnerabilities[0]`},
		{`"title": "t", "tlp": "RED", "vulnerabilities": [{"cwes": ["CWE-79", "XSS"]}]`, `vulnerabilities[0].cwes[1]: "XSS" is not a CWE id (CWE-NNN)`},
		{`"title": "t", "tlp": "RED", "vulnerabilities": [{"note": "n"}]`, `vulnerabilities[0]: has neither a CVE id nor a CWE id`},
		{`"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e"}, {"type": "MD5", "value": "D41D8CD98F00B204E9800998ECF8427E"}]`, `indicators[1].value: "d41d8cd98f00b204e9800998ecf8427e" repeats indicators[0]`},
		{`"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "confidence": 101}]`, `indicators[0].confidence: is 101, not 0 to 100`},
		{`"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "valid_from": "2026-02-01", "valid_until": "2026-01-01"}]`, `indicators[0].valid_until: (2026-01-01T00:00:00Z) is before valid_from (2026-02-01T00:00:00Z)`},
		{`"title": "t", "tlp": "RED", "indicators": [{"type": "hash", "value": "x"}]`, `indicators[0].type: "hash" is not an indicator type`},
		{`"title": "t", "tlp": "RED", "products": [{"vendor": "Acme"}]`, `products[0]: has no product name, CPE name or package URL`},
		{`"title": "t", "tlp": "RED", "products": [{"product": "p", "cpes": ["cpe:/a:acme:widget"]}]`, `products[0].cpes[0]: "cpe:/a:acme:widget" is not a CPE 2.3 name`},
		{`"title": "t", "tlp": "RED", "products": [{"product": "p", "purls": ["npm/left-pad"]}]`, `products[0].purls[0]: "npm/left-pad" is not a package URL`},
		{`"title": "t", "tlp": "RED", "products": [{"product": "p", "versions": [{"version": "1", "fixed": "2"}]}]`, `products[0].versions[0]: gives version with a range: give one or the other`},
		{`"title": "t", "tlp": "RED", "products": [{"product": "p", "versions": [{"fixed": "2", "last_affected": "1"}]}]`, `products[0].versions[0]: gives both fixed and last_affected: give one`},
		{`"title": "t", "tlp": "RED", "products": [{"product": "p", "versions": [{}]}]`, `products[0].versions[0]: is empty`},
		{`"title": "t", "tlp": "RED", "techniques": ["T1059.1"]`, `techniques[0]: "T1059.1" is not an ATT&CK technique id (T1234 or T1234.001)`},
		{`"title": "t", "tlp": "RED", "sectors": ["energy!"]`, `sectors[0]: "energy!" is not a sector tag`},
		{`"title": "t", "tlp": "RED", "references": ["ftp://example.com/x"]`, `references[0]: "ftp://example.com/x" has scheme "ftp", not one of http, https`},
		{`"title": "t", "tlp": "RED", "content": {"a": 1`, `malformed encoding: unexpected EOF`},
	}
	for _, c := range cases {
		_, got := parse(t, "{"+c.body+"}")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", c.body, got, c.want)
		}
	}
}

// TestEveryProblem: Normalize reports every problem, up to MaxProblems.
func TestEveryProblem(t *testing.T) {
	d := &advisory.Document{TLP: "PINK"}
	for range 30 {
		d.Techniques = append(d.Techniques, "x")
	}
	err := d.Normalize()
	var ps *advisory.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Normalize: %v, want *Problems", err)
	}
	if len(ps.List) != advisory.MaxProblems || ps.More != 32-advisory.MaxProblems {
		t.Fatalf("got %d problems and %d more, want %d and %d", len(ps.List), ps.More, advisory.MaxProblems, 32-advisory.MaxProblems)
	}
	if ps.List[0].Path != "title" || ps.List[1].Path != "tlp" || ps.List[2].Path != "techniques[0]" {
		t.Fatalf("problems out of document order: %v", err)
	}
	if !strings.HasSuffix(err.Error(), "(and 12 more problems)") {
		t.Fatalf("message does not count the rest: %v", err)
	}
}

// TestJSONStrict: unknown fields, wrong types and trailing data are refused.
func TestJSONStrict(t *testing.T) {
	cases := []struct {
		js   string
		want error
		text string
	}{
		{`{"title": "t", "tlp": "RED", "severity_score": 9}`, advisory.ErrUnknownField, `unknown field "severity_score"`},
		{`{"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "x", "weight": 1}]}`, advisory.ErrUnknownField, `unknown field "weight"`},
		{`{"title": "t", "tlp": "RED", "sectors": "energy"}`, advisory.ErrMalformed, `sectors: is a JSON string, not a list`},
		{`{"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "x", "confidence": "high"}]}`, advisory.ErrMalformed, `indicators.confidence: is a JSON string, not a number`},
		{`{"title": "t", "tlp": "RED", "valid_until": "tomorrow"}`, advisory.ErrMalformed, `valid_until: "tomorrow" is not an RFC 3339 time`},
		{`{"title": "t", "tlp": "RED", "indicators": [{"type": "md5", "value": "x", "valid_from": 12}]}`, advisory.ErrMalformed, `indicators.valid_from: "12" is not an RFC 3339 time`},
		{`{"title": "t", "tlp": "RED"} {"title": "u"}`, advisory.ErrMalformed, `more after the advisory's JSON object`},
		{`{"title": "t", "tlp": "RED"`, advisory.ErrMalformed, ``},
		{`[]`, advisory.ErrMalformed, ``},
	}
	for _, c := range cases {
		_, err := advisory.ParseJSON([]byte(c.js))
		if !errors.Is(err, c.want) || !strings.Contains(fmtErr(err), c.text) {
			t.Errorf("%s: got %v, want %v with %q", c.js, err, c.want, c.text)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestOldAdvisoryFiles: the files of `kring publish --file` before the
// model (title, summary, tlp, content) are documents.
func TestOldAdvisoryFiles(t *testing.T) {
	d, msg := parse(t, `{"title": " IOCs for campaign X ", "summary": "s", "tlp": "tlp:green", "content": {"indicators": ["1.2.3.4"], "html": "<b>"}}`)
	if msg != "" {
		t.Fatal(msg)
	}
	if d.Title != "IOCs for campaign X" || d.TLP != "GREEN" || string(d.Content) != `{"indicators":["1.2.3.4"],"html":"\u003cb\u003e"}` {
		t.Fatalf("got %+v content %s", d, d.Content)
	}
	y, err := advisory.ParseYAML([]byte("title: IOCs\ntlp: amber\ncontent:\n  stix: {type: bundle}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if y.TLP != "AMBER" || string(y.Content) != `{"stix":{"type":"bundle"}}` {
		t.Fatalf("YAML: got %+v content %s", y, y.Content)
	}
}

// TestYAML reads the documented YAML form, with a YAML timestamp, and
// refuses what JSON refuses.
func TestYAML(t *testing.T) {
	d, err := advisory.ParseYAML([]byte(`
title: Phishing wave
tlp: GREEN
valid_until: 2027-01-31
indicators:
  - type: domain
    value: Login-Example[.]com
    confidence: 80
    valid_from: "2026-12-01T08:00:00+01:00"
`))
	if err != nil {
		t.Fatal(err)
	}
	in := d.Indicators[0]
	if in.Value != "login-example.com" || *in.Confidence != 80 || in.ValidFrom.String() != "2026-12-01T07:00:00Z" || d.ValidUntil.String() != "2027-01-31T00:00:00Z" {
		t.Fatalf("got %+v, valid until %s", in, d.ValidUntil)
	}
	for _, c := range []struct {
		yaml string
		want error
	}{
		{"title: t\ntlp: RED\nbogus: 1\n", advisory.ErrUnknownField},
		{"title: t\ntlp: RED\n---\ntitle: u\n", advisory.ErrMalformed},
		{"title: t\ntlp: RED\nindicators:\n  - {type: ipv4, value: 1.2.3}\n", advisory.ErrInvalid},
		{"{1: 2}", advisory.ErrMalformed},
		{"title: [", advisory.ErrMalformed},
	} {
		if _, err := advisory.ParseYAML([]byte(c.yaml)); !errors.Is(err, c.want) {
			t.Errorf("%q: got %v, want %v", c.yaml, err, c.want)
		}
	}
	if f, err := advisory.FormatOf("a/b.YML"); err != nil || f != advisory.YAML {
		t.Errorf("FormatOf(.YML) = %v, %v", f, err)
	}
	if _, err := advisory.FormatOf("a.txt"); !errors.Is(err, advisory.ErrMalformed) {
		t.Errorf("FormatOf(.txt) = %v", err)
	}
}

// TestValidateRefusesUntidy: Validate and Decode refuse a valid document
// that is not in normal form, naming the field and the normal value.
func TestValidateRefusesUntidy(t *testing.T) {
	d := &advisory.Document{Version: 1, Title: "t", TLP: "GREEN", Indicators: []advisory.Indicator{{Type: "domain", Value: "Example.com"}}}
	err := d.Validate()
	if !errors.Is(err, advisory.ErrNotNormal) || err.Error() != `indicators[0].value: "Example.com" is not in normal form ("example.com")` {
		t.Fatalf("Validate: %v", err)
	}
	b, err := cbor.Marshal(d) // keyed as Encode keys it; this document is short enough to be canonical
	if err != nil {
		t.Fatal(err)
	}
	if _, err := advisory.Decode(b); !errors.Is(err, advisory.ErrNotNormal) {
		t.Fatalf("Decode of an untidy document: %v", err)
	}
	if _, err := d.Encode(); !errors.Is(err, advisory.ErrNotNormal) {
		t.Fatalf("Encode of an untidy document: %v", err)
	}
}

// TestDecodeRefuses: the encoding-level refusals, each with its error.
func TestDecodeRefuses(t *testing.T) {
	good, err := (&advisory.Document{Version: 1, Title: "t", TLP: "GREEN"}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	unknown, _ := cbor.Marshal(map[int]any{0: 1, 1: "t", 4: "GREEN", 99: "x"})
	nonCanonical := append([]byte{0xa3, 0x00, 0x18, 0x01}, good[3:]...) // version as a two-byte integer
	dup, _ := cbor.Marshal(map[int]any{0: 1, 1: "t", 4: "GREEN"})
	dup = append([]byte{0xa4}, append(dup[1:], 0x01, 0x61, 'u')...)
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"too large", make([]byte, advisory.MaxEncoded+1), advisory.ErrTooLarge},
		{"not CBOR", []byte("{}"), advisory.ErrMalformed},
		{"unknown field", unknown, advisory.ErrUnknownField},
		{"non-canonical", nonCanonical, advisory.ErrNonCanonical},
		{"duplicate key", dup, advisory.ErrNonCanonical},
		{"trailing byte", append(good[:len(good):len(good)], 0), advisory.ErrMalformed},
		{"wrong version", mustCBOR(t, map[int]any{0: 2, 1: "t", 4: "GREEN"}), advisory.ErrInvalid},
	} {
		if _, err := advisory.Decode(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := advisory.Decode(good); err != nil {
		t.Fatalf("the good encoding: %v", err)
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := em.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLanguageTags checks BCP 47 syntax and case.
func TestLanguageTags(t *testing.T) {
	for in, want := range map[string]string{
		"EN": "en", "nl_nl": "nl-NL", "zh-hant-tw": "zh-Hant-TW", "es-419": "es-419",
		"sl-rozaj-biske": "sl-rozaj-biske", "de-CH-1996": "de-CH-1996", "x-Kring": "x-kring",
		"en-US-u-ca-gregory": "en-US-u-ca-gregory", "zh-yue-HK": "zh-yue-HK", "en-x-a": "en-x-a",
	} {
		d := &advisory.Document{Title: "t", TLP: "RED", Language: in}
		if err := d.Normalize(); err != nil || d.Language != want {
			t.Errorf("%q: got %q, %v; want %q", in, d.Language, err, want)
		}
	}
	for _, in := range []string{"e", "en-", "en--us", "123", "en-a-b", "en-u-ca-u-nu", "en-x", "en-US-toolongvariant", "i-klingon", "en us"} {
		d := &advisory.Document{Title: "t", TLP: "RED", Language: in}
		if err := d.Normalize(); !errors.Is(err, advisory.ErrInvalid) {
			t.Errorf("%q: accepted as %q (%v)", in, d.Language, err)
		}
	}
}

// TestIdentifiers checks the normal forms of the ids outside indicators.
func TestIdentifiers(t *testing.T) {
	d, msg := parse(t, `{"title": "t", "tlp": "amber+strict",
		"vulnerabilities": [{"cve": " cve-2024-123456 ", "cwes": ["cwe-79", "502"]}],
		"products": [{"cpes": ["CPE:2.3:A:Acme:Widget\\!:1.0:*:*:*:*:*:*:*"],
			"purls": ["pkg:PyPI/Django@4.2", "pkg:golang/example.com/x?b=2&a=1"],
			"versions": [{"introduced": " 1.0 ", "last_affected": "1.9"}]}],
		"techniques": ["t1059.001"], "sectors": [" Health_Care "],
		"references": ["HTTPS://Example.COM:443"]}`)
	if msg != "" {
		t.Fatal(msg)
	}
	p := d.Products[0]
	got := []string{string(d.TLP), d.Vulnerabilities[0].CVE, d.Vulnerabilities[0].CWEs[0], d.Vulnerabilities[0].CWEs[1],
		p.CPEs[0], p.PURLs[0], p.PURLs[1], p.Versions[0].Introduced, d.Techniques[0], d.Sectors[0], d.References[0]}
	want := []string{"AMBER+STRICT", "CVE-2024-123456", "CWE-79", "CWE-502",
		`cpe:2.3:a:acme:widget\!:1.0:*:*:*:*:*:*:*`, "pkg:pypi/django@4.2", "pkg:golang/example.com/x?a=1&b=2", "1.0", "T1059.001", "health-care", "https://example.com/"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %q, want %q", got[i], want[i])
		}
	}
}

// TestEmptySeverity: an empty severity is left out by Normalize and
// refused by Validate.
func TestEmptySeverity(t *testing.T) {
	d, msg := parse(t, `{"title": "t", "tlp": "RED", "severity": {"rating": " "}}`)
	if msg != "" || d.Severity != nil {
		t.Fatalf("got %+v, %s", d, msg)
	}
	d.Severity = &advisory.Severity{}
	if err := d.Validate(); !errors.Is(err, advisory.ErrNotNormal) || !strings.HasPrefix(err.Error(), "severity: is empty") {
		t.Fatalf("Validate: %v", err)
	}
}
