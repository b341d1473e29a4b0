package advisory

import (
	"encoding/json"

	"github.com/kring-circle/kring/protocol"
)

// Version is the document format this package reads and writes.
const Version = 1

// Document is a structured advisory. Its JSON field names (snake_case) are
// the file and API format of docs/advisories.md; its CBOR form uses the
// integer keys below. Only Title and TLP are required.
type Document struct {
	// Version is the format version, Version; Normalize sets it when zero.
	Version int `cbor:"0,keyasint" json:"version,omitempty"`
	// Title is one line, at most MaxTitle bytes.
	Title string `cbor:"1,keyasint" json:"title"`
	// Summary is a short plain-text summary for lists and notifications.
	Summary string `cbor:"2,keyasint,omitempty" json:"summary,omitempty"`
	// Description is the full text, in Markdown (CommonMark).
	Description string `cbor:"3,keyasint,omitempty" json:"description,omitempty"`
	// TLP is the TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.
	TLP protocol.TLP `cbor:"4,keyasint" json:"tlp"`
	// Language is the BCP 47 tag of the texts, such as "en" or "nl-NL".
	Language string `cbor:"5,keyasint,omitempty" json:"language,omitempty"`
	// Severity holds the CVSS vectors and the author's own rating.
	Severity *Severity `cbor:"6,keyasint,omitempty" json:"severity,omitempty"`
	// Vulnerabilities lists the CVE and CWE ids the advisory is about.
	Vulnerabilities VulnerabilityList `cbor:"7,keyasint,omitempty" json:"vulnerabilities,omitempty"`
	// Indicators lists typed indicators of compromise and detection rules.
	Indicators []Indicator `cbor:"8,keyasint,omitempty" json:"indicators,omitempty"`
	// Products lists the affected products.
	Products ProductList `cbor:"9,keyasint,omitempty" json:"products,omitempty"`
	// Techniques lists MITRE ATT&CK technique ids, such as "T1059.001".
	Techniques []string `cbor:"10,keyasint,omitempty" json:"techniques,omitempty"`
	// Sectors lists sector tags, such as "energy" or "health-care".
	Sectors []string `cbor:"11,keyasint,omitempty" json:"sectors,omitempty"`
	// References lists http(s) URLs for further reading.
	References []string `cbor:"12,keyasint,omitempty" json:"references,omitempty"`
	// ValidUntil is when the advisory stops being relevant, if ever.
	ValidUntil Timestamp `cbor:"13,keyasint,omitempty" json:"valid_until,omitempty"`
	// Content is an optional opaque JSON document (a CSAF or STIX document,
	// or the free-form content of advisories before this model), kept in
	// compact form.
	Content json.RawMessage `cbor:"14,keyasint,omitempty" json:"content,omitempty"`
}

// Severity is how bad the advisory's subject is: CVSS vectors, each scored
// on the way in, and the author's own rating. All fields are optional.
type Severity struct {
	// CVSS31 is a CVSS v3.1 vector with its base score.
	CVSS31 *CVSS `cbor:"1,keyasint,omitempty" json:"cvss_v3_1,omitempty"`
	// CVSS40 is a CVSS v4.0 vector with its score.
	CVSS40 *CVSS `cbor:"2,keyasint,omitempty" json:"cvss_v4_0,omitempty"`
	// Rating is the author's own rating, whatever the vectors say.
	Rating Rating `cbor:"3,keyasint,omitempty" json:"rating,omitempty"`
}

// CVSS is one CVSS vector. Score and Rating are computed from Vector by
// Normalize (github.com/pandatix/go-cvss): the base score for v3.1, the
// CVSS-B/BT/BE/BTE score for v4.0.
type CVSS struct {
	// Vector is the vector string, such as "CVSS:3.1/AV:N/AC:L/...".
	Vector string `cbor:"1,keyasint" json:"vector"`
	// Score is the score, 0.0 to 10.0.
	Score float64 `cbor:"2,keyasint" json:"score"`
	// Rating is the qualitative rating of Score.
	Rating Rating `cbor:"3,keyasint" json:"rating"`
}

// Rating is a qualitative severity rating, as CVSS names them.
type Rating string

// The ratings, from CVSS v3.1 and v4.0.
const (
	RatingNone     Rating = "NONE"
	RatingLow      Rating = "LOW"
	RatingMedium   Rating = "MEDIUM"
	RatingHigh     Rating = "HIGH"
	RatingCritical Rating = "CRITICAL"
)

// Vulnerability is one vulnerability: a CVE id, CWE ids, or both.
type Vulnerability struct {
	// CVE is the CVE id, such as "CVE-2021-44228".
	CVE string `cbor:"1,keyasint,omitempty" json:"cve,omitempty"`
	// CWEs are weakness ids, such as "CWE-502".
	CWEs []string `cbor:"2,keyasint,omitempty" json:"cwes,omitempty"`
	// Note is a short plain-text note.
	Note string `cbor:"3,keyasint,omitempty" json:"note,omitempty"`
}

// Product is one affected product. It needs a product name, a CPE name or
// a package URL.
type Product struct {
	// Vendor is the vendor's name.
	Vendor string `cbor:"1,keyasint,omitempty" json:"vendor,omitempty"`
	// Product is the product's name.
	Product string `cbor:"2,keyasint,omitempty" json:"product,omitempty"`
	// Versions are the affected versions; none means all.
	Versions []VersionRange `cbor:"3,keyasint,omitempty" json:"versions,omitempty"`
	// CPEs are CPE 2.3 formatted-string names.
	CPEs []string `cbor:"4,keyasint,omitempty" json:"cpes,omitempty"`
	// PURLs are package URLs ("pkg:type/namespace/name@version").
	PURLs []string `cbor:"5,keyasint,omitempty" json:"purls,omitempty"`
	// Remediation says what to do: patch, upgrade, mitigate.
	Remediation string `cbor:"6,keyasint,omitempty" json:"remediation,omitempty"`
}

// VersionRange is one affected version, or a range of them: either Version
// alone, or Introduced (inclusive, empty for "from the first") with Fixed
// (exclusive) or LastAffected (inclusive), or both left out for "to the
// last". Versions are the vendor's strings, compared by no rule here.
type VersionRange struct {
	// Version is one affected version.
	Version string `cbor:"1,keyasint,omitempty" json:"version,omitempty"`
	// Introduced is the first affected version.
	Introduced string `cbor:"2,keyasint,omitempty" json:"introduced,omitempty"`
	// Fixed is the first version that is not affected.
	Fixed string `cbor:"3,keyasint,omitempty" json:"fixed,omitempty"`
	// LastAffected is the last affected version.
	LastAffected string `cbor:"4,keyasint,omitempty" json:"last_affected,omitempty"`
}

// Indicator is one typed indicator, normalised by its type (indicator.go).
type Indicator struct {
	// Type says what Value is.
	Type IndicatorType `cbor:"1,keyasint" json:"type"`
	// Value is the indicator itself, in its type's normal form.
	Value string `cbor:"2,keyasint" json:"value"`
	// ValidFrom is when the indicator starts to hold, if known.
	ValidFrom Timestamp `cbor:"3,keyasint,omitempty" json:"valid_from,omitempty"`
	// ValidUntil is when it stops to hold, if known.
	ValidUntil Timestamp `cbor:"4,keyasint,omitempty" json:"valid_until,omitempty"`
	// Confidence is the author's confidence, 0 (none) to 100 (certain).
	Confidence *int `cbor:"5,keyasint,omitempty" json:"confidence,omitempty"`
	// Note is a short plain-text note.
	Note string `cbor:"6,keyasint,omitempty" json:"note,omitempty"`
}
