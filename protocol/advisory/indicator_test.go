package advisory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol/advisory"
)

// valueCase is one indicator value: accepted with its normal form (want),
// or refused with a reason (refused, a part of the message).
type valueCase struct {
	typ     advisory.IndicatorType
	in      string
	want    string
	refused string
}

var valueCases = []valueCase{
	// ipv4
	{advisory.IPv4, "192.0.2.1", "192.0.2.1", ""},
	{advisory.IPv4, " 192.0.2[.]1 ", "192.0.2.1", ""},
	{advisory.IPv4, "10.1.2.3/8", "10.0.0.0/8", ""},
	{advisory.IPv4, "192.0.2.1/32", "192.0.2.1", ""},
	{advisory.IPv4, "0.0.0.0/0", "0.0.0.0/0", ""},
	{advisory.IPv4, "1.2.3", "", `"1.2.3" is not an IPv4 address or CIDR`},
	{advisory.IPv4, "192.0.2.1/33", "", "is not an IPv4 address or CIDR"},
	{advisory.IPv4, "010.0.0.1", "", "is not an IPv4 address or CIDR"},
	{advisory.IPv4, "2001:db8::1", "", "use type ipv6"},
	{advisory.IPv4, "::ffff:192.0.2.1", "", "IPv4-mapped"},
	// ipv6
	{advisory.IPv6, "2001:DB8:0:0:0:0:0:1", "2001:db8::1", ""},
	{advisory.IPv6, "2001:db8::1/64", "2001:db8::/64", ""},
	{advisory.IPv6, "2001:db8::1/128", "2001:db8::1", ""},
	{advisory.IPv6, "fe80::1%eth0", "", "has a zone"},
	{advisory.IPv6, "192.0.2.1", "", "use type ipv4"},
	{advisory.IPv6, "::ffff:192.0.2.1", "", "IPv4-mapped"},
	{advisory.IPv6, "2001:db8::g", "", "is not an IPv6 address or CIDR"},
	// domain
	{advisory.Domain, "Example.COM.", "example.com", ""},
	{advisory.Domain, "evil[.]example(.)org", "evil.example.org", ""},
	{advisory.Domain, "_dmarc.example.com", "_dmarc.example.com", ""},
	{advisory.Domain, "bücher.example", "xn--bcher-kva.example", ""},
	{advisory.Domain, "localhost", "", "at least two labels"},
	{advisory.Domain, "192.0.2.1", "", "is an IP address"},
	{advisory.Domain, "-bad.example.com", "", `invalid label "-bad"`},
	{advisory.Domain, "bad-.example.com", "", "is not a domain name"},
	{advisory.Domain, "a..example.com", "", "is not a domain name"},
	{advisory.Domain, "exa mple.com", "", "is not a domain name"},
	{advisory.Domain, strings.Repeat("a", 64) + ".com", "", "over 63 bytes"},
	{advisory.Domain, "example.123", "", "all digits"},
	// url
	{advisory.URL, "HTTP://Example.COM", "http://example.com/", ""},
	{advisory.URL, "hxxps://evil[.]example.com:443/a/b?c=d#e", "https://evil.example.com/a/b?c=d#e", ""},
	{advisory.URL, "http://example.com:8080/x", "http://example.com:8080/x", ""},
	{advisory.URL, "http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x", ""},
	{advisory.URL, "ftp://user@files.example.org/pub", "ftp://user@files.example.org/pub", ""},
	{advisory.URL, "http://bücher.example/", "http://xn--bcher-kva.example/", ""},
	{advisory.URL, "example.com/path", "", "is not an absolute URL"},
	{advisory.URL, "javascript:alert(1)", "", "is not an absolute URL"},
	{advisory.URL, "gopher://example.com/", "", `has scheme "gopher"`},
	{advisory.URL, "http:///path", "", "without a host"},
	{advisory.URL, "http://exa mple.com/", "", "is not a URL"},
	// email
	{advisory.Email, "Alice.Smith@Example.COM", "Alice.Smith@example.com", ""},
	{advisory.Email, "ops[@]example[.]org", "ops@example.org", ""},
	{advisory.Email, "Alice <alice@example.com>", "", "give a bare address"},
	{advisory.Email, "alice.example.com", "", "no @"},
	{advisory.Email, ".alice@example.com", "", "dots at the start"},
	{advisory.Email, "alice@localhost", "", "its domain"},
	// hashes
	{advisory.MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e", ""},
	{advisory.MD5, "d41d8cd98f00b204e9800998ecf8427", "", "is not an MD5 hash (32 hex digits)"},
	{advisory.SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709", ""},
	{advisory.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd8070z", "", "is not a SHA-1 hash"},
	{advisory.SHA256, strings.Repeat("AB", 32), strings.Repeat("ab", 32), ""},
	{advisory.SHA256, strings.Repeat("ab", 31), "", "is not a SHA-256 hash"},
	{advisory.SHA512, strings.Repeat("Cd", 64), strings.Repeat("cd", 64), ""},
	{advisory.SHA512, strings.Repeat("cd", 32), "", "is not a SHA-512 hash"},
	// filename
	{advisory.FileName, " invoice.pdf.exe ", "invoice.pdf.exe", ""},
	{advisory.FileName, `C:\Temp\evil.exe`, "", "is a path"},
	{advisory.FileName, "..", "", "is not a file name"},
	{advisory.FileName, "a\nb", "", "control character"},
	// asn
	{advisory.ASN, "as64496", "AS64496", ""},
	{advisory.ASN, "64496", "AS64496", ""},
	{advisory.ASN, "AS0", "", "is not an AS number"},
	{advisory.ASN, "AS4294967296", "", "is not an AS number"},
	{advisory.ASN, "AS064496", "", "is not an AS number"},
	// mutex
	{advisory.Mutex, ` Global\MsWinZonesCacheCounterMutexA `, `Global\MsWinZonesCacheCounterMutexA`, ""},
	{advisory.Mutex, "  ", "", "is empty"},
	// regkey
	{advisory.RegKey, `hklm\Software\Run\`, `HKEY_LOCAL_MACHINE\Software\Run`, ""},
	{advisory.RegKey, `HKEY_CURRENT_USER\\Software`, `HKEY_CURRENT_USER\Software`, ""},
	{advisory.RegKey, `HKCU`, `HKEY_CURRENT_USER`, ""},
	{advisory.RegKey, `\REGISTRY\MACHINE\Software`, "", "does not start with a known hive"},
	// x509
	{advisory.X509SHA1, "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09", "da39a3ee5e6b4b0d3255bfef95601890afd80709", ""},
	{advisory.X509SHA256, strings.Repeat("0F", 32), strings.Repeat("0f", 32), ""},
	{advisory.X509SHA256, "DA:39:A3", "", "is not a SHA-256 certificate fingerprint"},
	{advisory.X509SHA1, "DA3:9A3", "", "is not a SHA-1 certificate fingerprint"},
	// user agent
	{advisory.UserAgent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", ""},
	{advisory.UserAgent, "a\tb", "", "control character"},
	// ja3, ja4
	{advisory.JA3, "E7D705A3286E19EA42F587B344EE6865", "e7d705a3286e19ea42f587b344ee6865", ""},
	{advisory.JA3, "771,4865-4866,0-23,29-23,0", "", "is not a JA3 fingerprint"},
	{advisory.JA4, "T13D1516H2_8DAAF6152771_E5627EFA2AB1", "t13d1516h2_8daaf6152771_e5627efa2ab1", ""},
	{advisory.JA4, "q13i0310h3_55b375c5d22e_cd85d2d88918", "q13i0310h3_55b375c5d22e_cd85d2d88918", ""},
	{advisory.JA4, "x13d1516h2_8daaf6152771_e5627efa2ab1", "", "is not a JA4 fingerprint"},
	{advisory.JA4, "t13d1516h2_8daaf615277_e5627efa2ab1", "", "is not a JA4 fingerprint"},
	// rules
	{advisory.YARA, "rule x {\r\n condition: true\r\n}\r\n\r\n", "rule x {\n condition: true\n}", ""},
	{advisory.Sigma, "\n\ntitle: x\n  detection: y\n", "title: x\n  detection: y", ""},
	{advisory.Snort, `alert tcp any any -> any 80 (msg:"x"; sid:1;)`, `alert tcp any any -> any 80 (msg:"x"; sid:1;)`, ""},
	{advisory.Suricata, " \n", "", "is empty"},
	{advisory.Suricata, "alert http any any -> any any (sid:2;)\n", "alert http any any -> any any (sid:2;)", ""},
	{advisory.Sigma, "", "", "is empty"},
	{advisory.Snort, "alert\x1b", "", "control character"},
	{advisory.YARA, strings.Repeat("x", advisory.MaxRule+1), "", "at most 65536"},
	{advisory.YARA, "rule\x00x", "", "control character"},
	// any type
	{advisory.Domain, strings.Repeat("a", advisory.MaxValue+1), "", "at most 2048"},
	{"ip", "192.0.2.1", "", "is not an indicator type"},
}

// TestIndicatorValues checks each type's normal form and reasons, through
// NormalizeValue and through a document (where the path names the item).
func TestIndicatorValues(t *testing.T) {
	for _, c := range valueCases {
		got, err := advisory.NormalizeValue(c.typ, c.in)
		if c.refused == "" {
			if err != nil || got != c.want {
				t.Errorf("%s %q: got %q, %v; want %q", c.typ, c.in, got, err, c.want)
				continue
			}
			again, err := advisory.NormalizeValue(c.typ, got)
			if err != nil || again != got {
				t.Errorf("%s %q: normal form %q is not stable: %q, %v", c.typ, c.in, got, again, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s %q: accepted as %q, want refused (%s)", c.typ, c.in, got, c.refused)
			continue
		}
		if !strings.Contains(err.Error(), c.refused) || !strings.HasPrefix(err.Error(), "value: ") {
			t.Errorf("%s %q: error %q, want one naming the value and %q", c.typ, c.in, err, c.refused)
		}
		if !errors.Is(err, advisory.ErrInvalid) && !errors.Is(err, advisory.ErrTooLarge) {
			t.Errorf("%s %q: error %v wraps neither ErrInvalid nor ErrTooLarge", c.typ, c.in, err)
		}
		d := &advisory.Document{Title: "t", TLP: "GREEN", Indicators: []advisory.Indicator{
			{Type: advisory.MD5, Value: strings.Repeat("0", 32)}, {Type: c.typ, Value: c.in},
		}}
		err = d.Normalize()
		var fe *advisory.FieldError
		if !errors.As(err, &fe) || !strings.HasPrefix(fe.Path, "indicators[1].") {
			t.Errorf("%s %q in a document: %v, want a FieldError at indicators[1]", c.typ, c.in, err)
		}
	}
}

// TestIndicatorTypesCovered keeps the table honest: every type has an
// accepted and a refused case.
func TestIndicatorTypesCovered(t *testing.T) {
	ok, bad := map[advisory.IndicatorType]bool{}, map[advisory.IndicatorType]bool{}
	for _, c := range valueCases {
		if c.refused == "" {
			ok[c.typ] = true
		} else {
			bad[c.typ] = true
		}
	}
	for _, typ := range advisory.IndicatorTypes {
		if !ok[typ] || !bad[typ] {
			t.Errorf("type %s lacks an accepted or a refused case in valueCases", typ)
		}
	}
}

// TestIndicatorMessage checks the exact message the issue asks for.
func TestIndicatorMessage(t *testing.T) {
	d := &advisory.Document{Title: "t", TLP: "GREEN"}
	for _, v := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "1.2.3"} {
		d.Indicators = append(d.Indicators, advisory.Indicator{Type: "IPv4", Value: v})
	}
	err := d.Normalize()
	const want = `indicators[3].value: "1.2.3" is not an IPv4 address or CIDR`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}
