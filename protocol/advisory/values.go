package advisory

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isHex reports whether s is hex digits only.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// hexOf accepts n hex digits, in lower case.
func hexOf(n int, what string) func(string) (string, *problem) {
	return func(s string) (string, *problem) {
		s = strings.TrimSpace(s)
		if len(s) != n || !isHex(s) {
			return "", invalid("is not %s", what)
		}
		return strings.ToLower(s), nil
	}
}

// normFingerprint accepts n hex digits, optionally in colon-separated
// pairs ("AB:CD:..."), written as lower-case hex without colons.
func normFingerprint(n int, what string) func(string) (string, *problem) {
	h := hexOf(n, what)
	return func(s string) (string, *problem) {
		s = strings.TrimSpace(s)
		if strings.Contains(s, ":") {
			pairs := strings.Split(s, ":")
			for _, p := range pairs {
				if len(p) != 2 {
					return "", invalid("is not %s", what)
				}
			}
			s = strings.Join(pairs, "")
		}
		return h(s)
	}
}

// checkLine refuses control characters and invalid UTF-8 in a one-line
// value; tabs are refused too.
func checkLine(s string) *problem {
	if !utf8.ValidString(s) {
		return invalid("is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("holds a control character (%q): give one line", r)
		}
	}
	return nil
}

// normLine accepts one non-empty line of at most limit bytes, trimmed.
func normLine(limit int) func(string) (string, *problem) {
	return func(s string) (string, *problem) {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return "", invalid("is empty")
		case len(s) > limit:
			return "", tooLarge(len(s), limit, "bytes")
		}
		if p := checkLine(s); p != nil {
			return "", p
		}
		return s, nil
	}
}

// normFileName accepts a file name without a directory.
func normFileName(s string) (string, *problem) {
	s, p := normLine(255)(s)
	switch {
	case p != nil:
		return "", p
	case strings.ContainsAny(s, `/\`):
		return "", invalid("is a path: give the file name alone")
	case s == "." || s == "..":
		return "", invalid("is not a file name")
	}
	return s, nil
}

// normASN accepts "AS64496", "as64496" or "64496", written "AS64496".
func normASN(s string) (string, *problem) {
	d, ok := numberAfter(s, "AS", 10)
	if !ok {
		return "", invalid("is not an AS number (AS1 to AS4294967295)")
	}
	return "AS" + d, nil
}

// numberAfter returns the decimal number of s, after an optional prefix
// in any case: a number from 1 to 2³²−1 of at most digits digits,
// without sign or leading zero.
func numberAfter(s, prefix string, digits int) (string, bool) {
	d := strings.TrimSpace(s)
	if len(d) > len(prefix) && strings.EqualFold(d[:len(prefix)], prefix) {
		d = d[len(prefix):]
	}
	n, err := strconv.ParseUint(d, 10, 32)
	return d, err == nil && n != 0 && d[0] != '0' && d[0] != '+' && len(d) <= digits
}

// hives maps each accepted hive name and abbreviation to its full name.
var hives = map[string]string{
	"HKEY_LOCAL_MACHINE": "HKEY_LOCAL_MACHINE", "HKLM": "HKEY_LOCAL_MACHINE",
	"HKEY_CURRENT_USER": "HKEY_CURRENT_USER", "HKCU": "HKEY_CURRENT_USER",
	"HKEY_CLASSES_ROOT": "HKEY_CLASSES_ROOT", "HKCR": "HKEY_CLASSES_ROOT",
	"HKEY_USERS": "HKEY_USERS", "HKU": "HKEY_USERS",
	"HKEY_CURRENT_CONFIG": "HKEY_CURRENT_CONFIG", "HKCC": "HKEY_CURRENT_CONFIG",
	"HKEY_PERFORMANCE_DATA": "HKEY_PERFORMANCE_DATA",
}

// normRegKey accepts a registry key that starts with a known hive (full
// name or abbreviation, any case), written with the hive's full upper-case
// name, single backslashes and no trailing backslash.
func normRegKey(s string) (string, *problem) {
	s, p := normLine(MaxValue)(s)
	if p != nil {
		return "", p
	}
	hive, rest, _ := strings.Cut(s, `\`)
	full, ok := hives[strings.ToUpper(hive)]
	if !ok {
		return "", invalid("does not start with a known hive (HKEY_LOCAL_MACHINE, HKLM, HKEY_CURRENT_USER, HKCU, HKEY_CLASSES_ROOT, HKCR, HKEY_USERS, HKU, HKEY_CURRENT_CONFIG, HKCC, HKEY_PERFORMANCE_DATA)")
	}
	var parts []string
	for _, k := range strings.Split(rest, `\`) {
		if k != "" {
			parts = append(parts, k)
		}
	}
	return strings.Join(append([]string{full}, parts...), `\`), nil
}

// ja4Pattern is JA4's syntax (FoxIO JA4 technical details): protocol
// (t TCP, q QUIC, d DTLS), TLS version, SNI (d domain, i IP), cipher and
// extension counts, ALPN's first and last characters, then two truncated
// SHA-256 hashes of 12 hex digits.
var ja4Pattern = regexp.MustCompile(`^[tqd](13|12|11|10|s3|s2|d1|d2|d3|00)[di][0-9]{2}[0-9]{2}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)

// normJA4 accepts a JA4 fingerprint, in lower case.
func normJA4(s string) (string, *problem) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !ja4Pattern.MatchString(s) {
		return "", invalid("is not a JA4 fingerprint (such as \"t13d1516h2_8daaf6152771_e5627efa2ab1\")")
	}
	return s, nil
}

// normRule accepts a detection rule's text: line ends become LF, trailing
// white space is dropped; at most MaxRule bytes.
func normRule(s string) (string, *problem) {
	return normText(s, MaxRule, true)
}

// normText normalises a multi-line text: CRLF and CR become LF, white
// space at the end and blank lines at the start are dropped. Control
// characters other than tab and line feed are refused. required refuses an
// empty text.
func normText(s string, limit int, required bool) (string, *problem) {
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	lead := len(s) - len(strings.TrimLeft(s, " \t\n"))
	if i := strings.LastIndexByte(s[:lead], '\n'); i >= 0 {
		s = s[i+1:]
	}
	switch {
	case s == "" && required:
		return "", invalid("is empty")
	case len(s) > limit:
		return "", tooLarge(len(s), limit, "bytes")
	case !utf8.ValidString(s):
		return "", invalid("is not valid UTF-8")
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return "", &problem{err: ErrInvalid, reason: "holds a control character " + strconv.QuoteRune(r), noValue: true}
		}
	}
	return s, nil
}

// normOneLine normalises a one-line name: trimmed, no control characters,
// at most limit bytes; required refuses an empty one.
func normOneLine(s string, limit int, required bool) (string, *problem) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", invalid("is empty")
	case len(s) > limit:
		return "", tooLarge(len(s), limit, "bytes")
	}
	if p := checkLine(s); p != nil {
		return "", p
	}
	return s, nil
}

// cvePattern is the CVE id syntax: CVE-YYYY-NNNN, more digits without a
// leading zero.
var cvePattern = regexp.MustCompile(`^CVE-(199[9]|2[0-9]{3})-(\d{4}|[1-9]\d{4,18})$`)

// normCVE accepts a CVE id in any case, written upper-case.
func normCVE(s string) (string, *problem) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !cvePattern.MatchString(s) {
		return "", invalid("is not a CVE id (CVE-YYYY-NNNN)")
	}
	return s, nil
}

// normCWE accepts "CWE-79", "cwe-79" or "79", written "CWE-79".
func normCWE(s string) (string, *problem) {
	d, ok := numberAfter(s, "CWE-", 6)
	if !ok {
		return "", invalid("is not a CWE id (CWE-NNN)")
	}
	return "CWE-" + d, nil
}

// techniquePattern is an ATT&CK technique or sub-technique id.
var techniquePattern = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// normTechnique accepts "T1059" or "T1059.001" in any case, upper-case.
func normTechnique(s string) (string, *problem) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !techniquePattern.MatchString(s) {
		return "", invalid("is not an ATT&CK technique id (T1234 or T1234.001)")
	}
	return s, nil
}

// normSector accepts a sector tag: lower-case letters, digits and hyphens;
// spaces and underscores become hyphens.
func normSector(s string) (string, *problem) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "-", "_", "-").Replace(s)
	if len(s) > MaxName {
		return "", tooLarge(len(s), MaxName, "bytes")
	}
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return "", invalid("is not a sector tag (lower-case words joined by hyphens, such as \"health-care\")")
	}
	for _, r := range s {
		if !(r == '-' || unicode.IsLetter(r) && unicode.IsLower(r) || unicode.IsDigit(r)) {
			return "", invalid("is not a sector tag (lower-case words joined by hyphens, such as \"health-care\")")
		}
	}
	return s, nil
}

// normVersion accepts a version string: one line of at most 128 bytes.
func normVersion(s string) (string, *problem) { return normOneLine(s, 128, false) }
