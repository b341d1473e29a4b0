package advisory

import "strings"

// normLanguage accepts a BCP 47 language tag (RFC 5646 §2.1 syntax; "_"
// is read as "-") and writes it in the case RFC 5646 §2.1.1 recommends:
// language and extensions in lower case, script in title case, region in
// upper case ("en-latn-us" becomes "en-Latn-US"). Subtags are checked for
// syntax only, not against the IANA registry; grandfathered irregular tags
// are refused.
func normLanguage(s string) (string, *problem) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if len(s) > MaxName {
		return "", tooLarge(len(s), MaxName, "bytes")
	}
	bad := invalid("is not a BCP 47 language tag (such as \"en\", \"nl-NL\" or \"zh-Hant-TW\")")
	subs := strings.Split(strings.ToLower(s), "-")
	for _, t := range subs {
		if t == "" || len(t) > 8 || !alnum(t) {
			return "", bad
		}
	}
	i := 0
	if subs[0] == "x" { // private use alone
		if !privateUse(subs[1:]) {
			return "", bad
		}
		return strings.Join(subs, "-"), nil
	}
	// language: 2-3 letters with up to three 3-letter extlangs, or 4-8 letters
	if l := len(subs[0]); l < 2 || !alpha(subs[0]) {
		return "", bad
	}
	i++
	if len(subs[0]) <= 3 {
		for n := 0; n < 3 && i < len(subs) && len(subs[i]) == 3 && alpha(subs[i]); n++ {
			i++
		}
	}
	if i < len(subs) && len(subs[i]) == 4 && alpha(subs[i]) { // script
		subs[i] = strings.ToUpper(subs[i][:1]) + subs[i][1:]
		i++
	}
	if i < len(subs) && (len(subs[i]) == 2 && alpha(subs[i]) || len(subs[i]) == 3 && digits(subs[i])) { // region
		subs[i] = strings.ToUpper(subs[i])
		i++
	}
	for i < len(subs) && (len(subs[i]) >= 5 || len(subs[i]) == 4 && subs[i][0] >= '0' && subs[i][0] <= '9') { // variants
		i++
	}
	seen := map[string]bool{}
	for i < len(subs) && len(subs[i]) == 1 && subs[i] != "x" { // extensions
		if seen[subs[i]] {
			return "", bad
		}
		seen[subs[i]] = true
		j := i + 1
		for j < len(subs) && len(subs[j]) >= 2 {
			j++
		}
		if j == i+1 {
			return "", bad
		}
		i = j
	}
	if i < len(subs) {
		if subs[i] != "x" || !privateUse(subs[i+1:]) {
			return "", bad
		}
	}
	return strings.Join(subs, "-"), nil
}

// privateUse reports whether subs is a non-empty private-use sequence.
func privateUse(subs []string) bool { return len(subs) > 0 }

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func alpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}
