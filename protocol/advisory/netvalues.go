package advisory

import (
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// refang undoes the usual defanging of indicators in reports:
// "example[.]com", "1.2.3[.]4", "user[@]example.com", "hxxp://".
func refang(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "[({") && !strings.HasPrefix(strings.ToLower(s), "hxxp") {
		return s
	}
	r := strings.NewReplacer("[.]", ".", "(.)", ".", "{.}", ".", "[:]", ":", "[@]", "@")
	s = r.Replace(s)
	switch l := strings.ToLower(s); {
	case strings.HasPrefix(l, "hxxps://"):
		s = "https://" + s[len("hxxps://"):]
	case strings.HasPrefix(l, "hxxp://"):
		s = "http://" + s[len("hxxp://"):]
	}
	return s
}

// normIPv4 accepts an IPv4 address or CIDR; a CIDR is masked ("10.1.2.3/8"
// becomes "10.0.0.0/8") and a /32 becomes the address.
func normIPv4(s string) (string, *problem) { return normIP(s, true) }

// normIPv6 accepts an IPv6 address or CIDR, in RFC 5952 form.
func normIPv6(s string) (string, *problem) { return normIP(s, false) }

func normIP(s string, v4 bool) (string, *problem) {
	s = refang(s)
	want, other := "an IPv4 address or CIDR", "ipv6"
	if !v4 {
		want, other = "an IPv6 address or CIDR", "ipv4"
	}
	var (
		addr netip.Addr
		bits = -1
	)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", invalid("is not %s", want)
		}
		addr, bits = p.Addr(), p.Bits()
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", invalid("is not %s", want)
		}
		if a.Zone() != "" {
			return "", invalid("has a zone: give %s without %%zone", want)
		}
		addr = a
	}
	switch {
	case addr.Is4() != v4 && !addr.Is4In6():
		return "", invalid("is not %s: use type %s", want, other)
	case addr.Is4In6():
		return "", invalid("is an IPv4-mapped IPv6 address: give the IPv4 address with type ipv4")
	}
	if bits < 0 || bits == addr.BitLen() {
		return addr.String(), nil
	}
	return netip.PrefixFrom(addr, bits).Masked().String(), nil
}

// idnaProfile maps a name as a lookup does (lower case, UTS #46) and
// converts it to ASCII, but leaves the character rules to checkHostname,
// which also admits underscores (seen in malicious names).
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false), idna.BidiRule())

// normDomain accepts a domain name of at least two labels: refanged,
// mapped to lower-case ASCII (IDNA, punycode), trailing dot dropped.
func normDomain(s string) (string, *problem) {
	s = strings.TrimSuffix(refang(s), ".")
	if _, err := netip.ParseAddr(s); err == nil {
		return "", invalid("is an IP address: use type ipv4 or ipv6")
	}
	return hostname(s)
}

// hostname is normDomain without refanging.
func hostname(s string) (string, *problem) {
	a, err := idnaProfile.ToASCII(s)
	if err != nil {
		return "", invalid("is not a domain name (%s)", idnaReason(err))
	}
	a = strings.ToLower(a)
	if p := checkHostname(a); p != nil {
		return "", p
	}
	return a, nil
}

// idnaReason shortens an idna error to its reason.
func idnaReason(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

// checkHostname checks an ASCII domain name: at most 253 bytes, at least two
// labels of 1 to 63 letters, digits, hyphens and underscores, no label
// starting or ending with a hyphen, and a top-level label that is not all
// digits.
func checkHostname(s string) *problem {
	if s == "" {
		return invalid("is not a domain name (empty)")
	}
	if len(s) > 253 {
		return invalid("is not a domain name (over 253 bytes)")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return invalid("is not a domain name with at least two labels")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return invalid("is not a domain name (a label is empty or over 63 bytes)")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return invalid("is not a domain name (a label starts or ends with a hyphen)")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return invalid("is not a domain name (%q is not allowed)", rune(c))
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return invalid("is not a domain name (the top-level label is all digits)")
	}
	return nil
}

// urlSchemes are the schemes a URL indicator may have, with their default
// ports (dropped in normal form).
var urlSchemes = map[string]string{
	"http": "80", "https": "443", "ftp": "21", "ftps": "990", "sftp": "22",
	"ws": "80", "wss": "443", "smb": "445", "ldap": "389", "ldaps": "636",
	"tftp": "69", "ssh": "22", "telnet": "23", "rtsp": "554",
}

// normURL accepts an absolute URL with a host and one of urlSchemes.
func normURL(s string) (string, *problem) { return normalURL(refang(s), urlSchemes) }

// referenceSchemes are the schemes a reference may have.
var referenceSchemes = map[string]string{"http": "80", "https": "443"}

// normReference accepts an http or https URL.
func normReference(s string) (string, *problem) {
	if len(s) > MaxURL {
		return "", tooLarge(len(s), MaxURL, "bytes")
	}
	return normalURL(strings.TrimSpace(s), referenceSchemes)
}

// normalURL parses s and writes it in normal form: scheme and host in
// lower case, the host as ASCII (IDNA) or a canonical IP address, the
// scheme's default port dropped, an empty path written "/".
func normalURL(s string, schemes map[string]string) (string, *problem) {
	u, err := url.Parse(s)
	if err != nil {
		return "", invalid("is not a URL (%s)", urlReason(err))
	}
	scheme := strings.ToLower(u.Scheme)
	if !u.IsAbs() || u.Opaque != "" {
		return "", invalid("is not an absolute URL such as \"https://example.com/path\"")
	}
	defPort, ok := schemes[scheme]
	if !ok {
		return "", invalid("has scheme %q, not one of %s", shorten(u.Scheme), schemeList(schemes))
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return "", invalid("is a URL without a host")
	}
	if strings.HasSuffix(u.Host, ":") && port == "" {
		return "", invalid("is a URL with an empty port")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return "", invalid("is a URL with a zoned IPv6 address")
		}
		host = a.Unmap().String()
		if a.Unmap().Is6() {
			host = "[" + host + "]"
		}
	} else {
		h, p := hostname(strings.TrimSuffix(host, "."))
		if p != nil {
			return "", invalid("is a URL whose host %s", strings.TrimPrefix(p.reason, "is "))
		}
		host = h
	}
	if port == defPort {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	u.Scheme, u.Host = scheme, host
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	out := u.String()
	// url.String can write what url.Parse then reads differently (a path
	// with odd escapes): such a URL has no stable form and is refused.
	if again, err := url.Parse(out); err != nil || again.String() != out {
		return "", invalid("is not a URL with a stable normal form")
	}
	return out, nil
}

// urlReason shortens a url.Parse error to its reason.
func urlReason(err error) string {
	if e, ok := err.(*url.Error); ok {
		return e.Err.Error()
	}
	return err.Error()
}

// schemeList names the schemes, sorted, for a message.
func schemeList(schemes map[string]string) string {
	return strings.Join(slices.Sorted(maps.Keys(schemes)), ", ")
}

// normEmail accepts an addr-spec "local@domain": a dot-atom local part (of
// at most 64 bytes; UTF-8 letters allowed, RFC 6531) kept as given, and a
// domain normalised as by normDomain. Display names, comments and quoted
// local parts are refused.
func normEmail(s string) (string, *problem) {
	s = refang(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", invalid("is not an email address (no @)")
	}
	local, domain := s[:at], s[at+1:]
	if p := checkLocalPart(local); p != nil {
		return "", p
	}
	d, p := hostname(strings.TrimSuffix(domain, "."))
	if p != nil {
		return "", invalid("is not an email address: its domain %s", strings.TrimPrefix(p.reason, "is "))
	}
	return local + "@" + d, nil
}

// checkLocalPart checks a dot-atom local part.
func checkLocalPart(l string) *problem {
	if l == "" || len(l) > 64 {
		return invalid("is not an email address (the part before @ is empty or over 64 bytes)")
	}
	if l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return invalid("is not an email address (dots at the start, the end or twice in a row before @)")
	}
	for _, r := range l {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r >= 0x80 && r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.IsSpace(r):
		case strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r):
		default:
			return invalid("is not an email address (%q before @: give a bare address, no name, quotes or spaces)", r)
		}
	}
	return nil
}
