package advisory

import (
	"math"
	"regexp"
	"strings"

	packageurl "github.com/package-url/packageurl-go"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"

	"github.com/kring-circle/kring/protocol"
)

// cpeComponent is one component of a CPE 2.3 formatted string (NISTIR 7695
// §6.2): a value of unreserved or escaped characters with optional
// wildcards at its ends, or "*" (ANY) or "-" (NA).
const cpeComponent = `(((\?*|\*?)([a-z0-9\-\._]|(\\[\\\*\?!"#$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|}~]))+(\?*|\*?))|[\*\-])`

// cpePattern is the CPE 2.3 formatted-string syntax of the CPE dictionary
// schema, in lower case: part, then vendor, product, version, update,
// edition, language, sw_edition, target_sw, target_hw, other.
var cpePattern = regexp.MustCompile(`^cpe:2\.3:[aho\*\-](:` + cpeComponent + `){5}(:(([a-z]{2,3}(-([a-z]{2}|[0-9]{3}))?)|[\*\-]))(:` + cpeComponent + `){4}$`)

// normCPE accepts a CPE 2.3 formatted string, in lower case (CPE names
// compare without case).
func normCPE(s string) (string, *problem) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > MaxValue {
		return "", tooLarge(len(s), MaxValue, "bytes")
	}
	if !cpePattern.MatchString(s) {
		return "", invalid("is not a CPE 2.3 name (cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)")
	}
	return s, nil
}

// normPURL accepts a package URL, written as packageurl-go writes it.
func normPURL(s string) (string, *problem) {
	s = strings.TrimSpace(s)
	if len(s) > MaxValue {
		return "", tooLarge(len(s), MaxValue, "bytes")
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", invalid("is not a package URL (%s)", err)
	}
	out := p.ToString()
	again, err := packageurl.FromString(out)
	if err != nil || again.ToString() != out {
		return "", invalid("is not a package URL with a stable normal form")
	}
	return out, nil
}

// normTLP accepts a TLP 2.0 label in any case, with or without "TLP:".
func normTLP(s string) (string, *problem) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "TLP:")
	if !protocol.TLP(t).Valid() {
		return "", invalid("is not a TLP 2.0 label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)")
	}
	return t, nil
}

// normRating accepts a rating in any case, upper-case.
func normRating(s string) (string, *problem) {
	r := Rating(strings.ToUpper(strings.TrimSpace(s)))
	switch r {
	case RatingNone, RatingLow, RatingMedium, RatingHigh, RatingCritical:
		return string(r), nil
	}
	return "", invalid("is not a rating (NONE, LOW, MEDIUM, HIGH, CRITICAL)")
}

// scoreCVSS parses a vector of the given version ("3.1" or "4.0") and
// returns its normal vector, score and rating.
func scoreCVSS(version, vector string) (string, float64, Rating, *problem) {
	vector = strings.TrimSpace(vector)
	var (
		norm  string
		score float64
	)
	switch version {
	case "3.1":
		v, err := cvss31.ParseVector(vector)
		if err != nil {
			return "", 0, "", invalid("is not a CVSS v3.1 vector (%s)", strings.TrimSpace(err.Error()))
		}
		norm, score = v.Vector(), v.BaseScore()
	default:
		v, err := cvss40.ParseVector(vector)
		if err != nil {
			return "", 0, "", invalid("is not a CVSS v4.0 vector (%s)", strings.TrimSpace(err.Error()))
		}
		norm, score = v.Vector(), v.Score()
	}
	score = math.Round(score*10) / 10
	var rating Rating
	switch {
	case score >= 9:
		rating = RatingCritical
	case score >= 7:
		rating = RatingHigh
	case score >= 4:
		rating = RatingMedium
	case score > 0:
		rating = RatingLow
	default:
		rating = RatingNone
	}
	return norm, score, rating, nil
}
