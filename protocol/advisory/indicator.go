package advisory

import (
	"slices"
	"strings"
)

// IndicatorType names what an indicator's value is. docs/advisories.md
// gives each type's syntax, normal form and its STIX 2.1 and MISP names.
type IndicatorType string

// The indicator types.
const (
	IPv4       IndicatorType = "ipv4"        // address or CIDR
	IPv6       IndicatorType = "ipv6"        // address or CIDR
	Domain     IndicatorType = "domain"      // domain name
	URL        IndicatorType = "url"         // URL
	Email      IndicatorType = "email"       // email address
	MD5        IndicatorType = "md5"         // file hash
	SHA1       IndicatorType = "sha1"        // file hash
	SHA256     IndicatorType = "sha256"      // file hash
	SHA512     IndicatorType = "sha512"      // file hash
	FileName   IndicatorType = "filename"    // file name, no directory
	ASN        IndicatorType = "asn"         // autonomous system
	Mutex      IndicatorType = "mutex"       // mutex name
	RegKey     IndicatorType = "regkey"      // Windows registry key
	X509SHA1   IndicatorType = "x509-sha1"   // certificate fingerprint
	X509SHA256 IndicatorType = "x509-sha256" // certificate fingerprint
	UserAgent  IndicatorType = "user-agent"  // HTTP User-Agent
	JA3        IndicatorType = "ja3"         // TLS client fingerprint
	JA4        IndicatorType = "ja4"         // TLS client fingerprint
	YARA       IndicatorType = "yara"        // detection rule text
	Sigma      IndicatorType = "sigma"       // detection rule text
	Snort      IndicatorType = "snort"       // detection rule text
	Suricata   IndicatorType = "suricata"    // detection rule text
)

// IndicatorTypes lists every indicator type, in documentation order.
var IndicatorTypes = []IndicatorType{
	IPv4, IPv6, Domain, URL, Email, MD5, SHA1, SHA256, SHA512, FileName, ASN,
	Mutex, RegKey, X509SHA1, X509SHA256, UserAgent, JA3, JA4, YARA, Sigma,
	Snort, Suricata,
}

// Rule reports whether t is a detection rule type, whose value is a text
// of up to MaxRule bytes rather than a single value.
func (t IndicatorType) Rule() bool {
	switch t {
	case YARA, Sigma, Snort, Suricata:
		return true
	}
	return false
}

// Valid reports whether t is one of IndicatorTypes.
func (t IndicatorType) Valid() bool { return slices.Contains(IndicatorTypes, t) }

// normalizers maps each type to the function that checks a value and
// returns its normal form.
var normalizers = map[IndicatorType]func(string) (string, *problem){
	IPv4:       normIPv4,
	IPv6:       normIPv6,
	Domain:     normDomain,
	URL:        normURL,
	Email:      normEmail,
	MD5:        hexOf(32, "an MD5 hash (32 hex digits)"),
	SHA1:       hexOf(40, "a SHA-1 hash (40 hex digits)"),
	SHA256:     hexOf(64, "a SHA-256 hash (64 hex digits)"),
	SHA512:     hexOf(128, "a SHA-512 hash (128 hex digits)"),
	FileName:   normFileName,
	ASN:        normASN,
	Mutex:      normLine(MaxValue),
	RegKey:     normRegKey,
	X509SHA1:   normFingerprint(40, "a SHA-1 certificate fingerprint (40 hex digits)"),
	X509SHA256: normFingerprint(64, "a SHA-256 certificate fingerprint (64 hex digits)"),
	UserAgent:  normLine(MaxValue),
	JA3:        hexOf(32, "a JA3 fingerprint (32 hex digits)"),
	JA4:        normJA4,
	YARA:       normRule,
	Sigma:      normRule,
	Snort:      normRule,
	Suricata:   normRule,
}

// NormalizeValue checks value as an indicator of type t and returns its
// normal form. The error is a *FieldError with the path "value".
func NormalizeValue(t IndicatorType, value string) (string, error) {
	n, p := normValue(t, value)
	if p != nil {
		return "", p.at("value", value)
	}
	return n, nil
}

// normValue checks value as an indicator of type t.
func normValue(t IndicatorType, value string) (string, *problem) {
	f := normalizers[t]
	if f == nil {
		return "", invalid("is not an indicator type")
	}
	if !t.Rule() && len(value) > MaxValue {
		return "", tooLarge(len(value), MaxValue, "bytes")
	}
	return f(value)
}

// normType lower-cases and trims a type name.
func normType(s string) (string, *problem) {
	t := IndicatorType(strings.ToLower(strings.TrimSpace(s)))
	if !t.Valid() {
		return "", invalid("is not an indicator type (see docs/advisories.md)")
	}
	return string(t), nil
}

// at turns a problem into a FieldError for the field at path.
func (p *problem) at(path, value string) *FieldError {
	return &FieldError{Path: path, Value: value, HasValue: !p.noValue, Reason: p.reason, Err: p.err}
}
