package advisory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kring-circle/kring/protocol"
)

// Normalize brings d into normal form in place and validates it: it
// returns nil when d is now a valid document, else a *Problems naming
// every field that is malformed or over its limit (d is then partly
// normalised). Normalize is idempotent: on a normal document it changes
// nothing. docs/advisories.md lists the rules.
func (d *Document) Normalize() error { return d.walk(true) }

// Validate checks that d is valid and in normal form, without changing it:
// a value that Normalize would rewrite is reported with ErrNotNormal. It
// returns nil or a *Problems.
func (d *Document) Validate() error { return d.walk(false) }

// walker visits every field of a document, normalising it (fix) or
// checking that it is normal, and collects the problems.
type walker struct {
	fix   bool
	probs Problems
}

func (d *Document) walk(fix bool) error {
	w := &walker{fix: fix}
	w.document(d)
	if len(w.probs.List) == 0 {
		return nil
	}
	return &w.probs
}

// report records a problem at path.
func (w *walker) report(e *FieldError) {
	if len(w.probs.List) >= MaxProblems {
		w.probs.More++
		return
	}
	w.probs.List = append(w.probs.List, e)
}

// str normalises the string *p at path with norm.
func (w *walker) str(path string, p *string, norm func(string) (string, *problem)) {
	n, prob := norm(*p)
	if prob != nil {
		w.report(prob.at(path, *p))
		return
	}
	w.set(path, p, n)
}

// set stores the normal value n of *p, or reports that *p is not normal.
func (w *walker) set(path string, p *string, n string) {
	switch {
	case w.fix:
		*p = n
	case n != *p:
		w.report(&FieldError{Path: path, Value: *p, HasValue: true, Reason: fmt.Sprintf("is not in normal form (%q)", shorten(n)), Err: ErrNotNormal})
	}
}

// count reports a list over its limit and says whether to visit its items.
func (w *walker) count(path string, n, limit int) bool {
	if n > limit {
		w.report(&FieldError{Path: path, Reason: fmt.Sprintf("has %d items, at most %d", n, limit), Err: ErrTooLarge})
		return false
	}
	return true
}

// list normalises a list of strings, refusing repeats of a normal value.
func (w *walker) list(path string, l []string, limit int, norm func(string) (string, *problem)) {
	if !w.count(path, len(l), limit) {
		return
	}
	seen := make(map[string]int, len(l))
	for i := range l {
		p := path + "[" + strconv.Itoa(i) + "]"
		n, prob := norm(l[i])
		if prob != nil {
			w.report(prob.at(p, l[i]))
			continue
		}
		if j, dup := seen[n]; dup {
			w.report(&FieldError{Path: p, Value: l[i], HasValue: true, Reason: fmt.Sprintf("repeats %s[%d]", path, j), Err: ErrInvalid})
			continue
		}
		seen[n] = i
		w.set(p, &l[i], n)
	}
}

// text returns a normaliser of multi-line text.
func text(limit int, required bool) func(string) (string, *problem) {
	return func(s string) (string, *problem) { return normText(s, limit, required) }
}

// oneLine returns a normaliser of one-line text.
func oneLine(limit int, required bool) func(string) (string, *problem) {
	return func(s string) (string, *problem) { return normOneLine(s, limit, required) }
}

// optional wraps norm so that an empty (or blank) value stays empty.
func optional(norm func(string) (string, *problem)) func(string) (string, *problem) {
	return func(s string) (string, *problem) {
		if isBlank(s) {
			return "", nil
		}
		return norm(s)
	}
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (w *walker) document(d *Document) {
	switch {
	case d.Version == 0 && w.fix:
		d.Version = Version
	case d.Version != Version:
		w.report(&FieldError{Path: "version", Reason: fmt.Sprintf("is %d, this version reads only %d", d.Version, Version), Err: ErrInvalid})
	}
	w.str("title", &d.Title, oneLine(MaxTitle, true))
	w.str("summary", &d.Summary, text(MaxSummary, false))
	w.str("description", &d.Description, text(MaxDescription, false))
	tlp := string(d.TLP)
	w.str("tlp", &tlp, normTLP)
	d.TLP = protocol.TLP(tlp)
	w.str("language", &d.Language, optional(normLanguage))
	if d.Severity != nil {
		w.severity(d)
	}
	w.vulnerabilities(d.Vulnerabilities)
	w.indicators(d.Indicators)
	w.products(d.Products)
	w.list("techniques", d.Techniques, MaxTechniques, normTechnique)
	w.list("sectors", d.Sectors, MaxSectors, normSector)
	w.list("references", d.References, MaxReferences, normReference)
	if p := d.ValidUntil.check(); p != nil {
		w.report(p.at("valid_until", ""))
	}
	w.content(d)
	if w.fix {
		d.emptyToNil()
	}
}

// emptyToNil drops empty lists, which encode as absent fields anyway, so
// that a normal document equals its decoded copy.
func (d *Document) emptyToNil() {
	nilIfEmpty(&d.Vulnerabilities)
	nilIfEmpty(&d.Indicators)
	nilIfEmpty(&d.Products)
	nilIfEmpty(&d.Techniques)
	nilIfEmpty(&d.Sectors)
	nilIfEmpty(&d.References)
	for i := range d.Vulnerabilities {
		nilIfEmpty(&d.Vulnerabilities[i].CWEs)
	}
	for i := range d.Products {
		p := &d.Products[i]
		nilIfEmpty(&p.Versions)
		nilIfEmpty(&p.CPEs)
		nilIfEmpty(&p.PURLs)
	}
	nilIfEmpty(&d.Content)
}

func nilIfEmpty[S ~[]E, E any](s *S) {
	if len(*s) == 0 {
		*s = nil
	}
}

func (w *walker) severity(d *Document) {
	s := d.Severity
	w.cvss("severity.cvss_v3_1", "3.1", s.CVSS31)
	w.cvss("severity.cvss_v4_0", "4.0", s.CVSS40)
	r := string(s.Rating)
	w.str("severity.rating", &r, optional(normRating))
	s.Rating = Rating(r)
	switch {
	case *s != (Severity{}):
	case w.fix: // an empty severity is no severity
		d.Severity = nil
	default:
		w.report(&FieldError{Path: "severity", Reason: "is empty: give a vector or a rating, or leave it out", Err: ErrNotNormal})
	}
}

// cvss scores a vector; a given score or rating must match the vector's.
func (w *walker) cvss(path, version string, c *CVSS) {
	if c == nil {
		return
	}
	vec, score, rating, prob := scoreCVSS(version, c.Vector)
	if prob != nil {
		w.report(prob.at(path+".vector", c.Vector))
		return
	}
	w.set(path+".vector", &c.Vector, vec)
	switch {
	case c.Score == score:
	case w.fix && c.Score == 0:
		c.Score = score
	default:
		w.report(&FieldError{Path: path + ".score", Reason: fmt.Sprintf("is %v, but the vector scores %v", c.Score, score), Err: ErrInvalid})
	}
	r := Rating(normRatingLoose(string(c.Rating)))
	switch {
	case c.Rating == rating:
	case w.fix && (c.Rating == "" || r == rating):
		c.Rating = rating
	case r == rating:
		w.report(&FieldError{Path: path + ".rating", Value: string(c.Rating), HasValue: true, Reason: fmt.Sprintf("is not in normal form (%q)", rating), Err: ErrNotNormal})
	default:
		w.report(&FieldError{Path: path + ".rating", Value: string(c.Rating), HasValue: true, Reason: fmt.Sprintf("is not the vector's rating %s", rating), Err: ErrInvalid})
	}
}

// normRatingLoose returns the normal form of a rating, or s as it is.
func normRatingLoose(s string) string {
	if n, p := normRating(s); p == nil {
		return n
	}
	return s
}

func (w *walker) vulnerabilities(vs []Vulnerability) {
	if !w.count("vulnerabilities", len(vs), MaxVulnerabilities) {
		return
	}
	seen := make(map[string]int, len(vs))
	for i := range vs {
		v := &vs[i]
		p := "vulnerabilities[" + strconv.Itoa(i) + "]"
		w.str(p+".cve", &v.CVE, optional(normCVE))
		if j, dup := seen[v.CVE]; dup && v.CVE != "" {
			w.report(&FieldError{Path: p + ".cve", Value: v.CVE, HasValue: true, Reason: fmt.Sprintf("repeats vulnerabilities[%d]", j), Err: ErrInvalid})
		} else {
			seen[v.CVE] = i
		}
		w.list(p+".cwes", v.CWEs, MaxCWEs, normCWE)
		w.str(p+".note", &v.Note, text(MaxNote, false))
		if v.CVE == "" && len(v.CWEs) == 0 {
			w.report(&FieldError{Path: p, Reason: "has neither a CVE id nor a CWE id", Err: ErrInvalid})
		}
	}
}

func (w *walker) indicators(is []Indicator) {
	if !w.count("indicators", len(is), MaxIndicators) {
		return
	}
	type key struct {
		t IndicatorType
		v string
	}
	seen := make(map[key]int, len(is))
	for i := range is {
		in := &is[i]
		p := "indicators[" + strconv.Itoa(i) + "]"
		t := string(in.Type)
		if n, prob := normType(t); prob != nil {
			w.report(prob.at(p+".type", t))
		} else {
			w.set(p+".type", &t, n)
			in.Type = IndicatorType(t)
			w.str(p+".value", &in.Value, func(s string) (string, *problem) { return normValue(IndicatorType(n), s) })
			k := key{IndicatorType(n), in.Value}
			if j, dup := seen[k]; dup {
				w.report(&FieldError{Path: p + ".value", Value: in.Value, HasValue: true, Reason: fmt.Sprintf("repeats indicators[%d]", j), Err: ErrInvalid})
			} else {
				seen[k] = i
			}
		}
		if prob := in.ValidFrom.check(); prob != nil {
			w.report(prob.at(p+".valid_from", ""))
		}
		if prob := in.ValidUntil.check(); prob != nil {
			w.report(prob.at(p+".valid_until", ""))
		}
		if in.ValidFrom != 0 && in.ValidUntil != 0 && in.ValidUntil < in.ValidFrom {
			w.report(&FieldError{Path: p + ".valid_until", Reason: fmt.Sprintf("(%s) is before valid_from (%s)", in.ValidUntil, in.ValidFrom), Err: ErrInvalid})
		}
		if c := in.Confidence; c != nil && (*c < 0 || *c > 100) {
			w.report(&FieldError{Path: p + ".confidence", Reason: fmt.Sprintf("is %d, not 0 to 100", *c), Err: ErrInvalid})
		}
		w.str(p+".note", &in.Note, text(MaxNote, false))
	}
}

func (w *walker) products(ps []Product) {
	if !w.count("products", len(ps), MaxProducts) {
		return
	}
	for i := range ps {
		pr := &ps[i]
		p := "products[" + strconv.Itoa(i) + "]"
		w.str(p+".vendor", &pr.Vendor, oneLine(MaxName, false))
		w.str(p+".product", &pr.Product, oneLine(MaxName, false))
		if w.count(p+".versions", len(pr.Versions), MaxVersions) {
			for j := range pr.Versions {
				w.versionRange(p+".versions["+strconv.Itoa(j)+"]", &pr.Versions[j])
			}
		}
		w.list(p+".cpes", pr.CPEs, MaxIdentifiers, normCPE)
		w.list(p+".purls", pr.PURLs, MaxIdentifiers, normPURL)
		w.str(p+".remediation", &pr.Remediation, text(MaxRemediation, false))
		if pr.Product == "" && len(pr.CPEs) == 0 && len(pr.PURLs) == 0 {
			w.report(&FieldError{Path: p, Reason: "has no product name, CPE name or package URL", Err: ErrInvalid})
		}
	}
}

func (w *walker) versionRange(p string, v *VersionRange) {
	w.str(p+".version", &v.Version, normVersion)
	w.str(p+".introduced", &v.Introduced, normVersion)
	w.str(p+".fixed", &v.Fixed, normVersion)
	w.str(p+".last_affected", &v.LastAffected, normVersion)
	switch {
	case *v == VersionRange{}:
		w.report(&FieldError{Path: p, Reason: "is empty: give version, or introduced with fixed or last_affected", Err: ErrInvalid})
	case v.Version != "" && (v.Introduced != "" || v.Fixed != "" || v.LastAffected != ""):
		w.report(&FieldError{Path: p, Reason: "gives version with a range: give one or the other", Err: ErrInvalid})
	case v.Fixed != "" && v.LastAffected != "":
		w.report(&FieldError{Path: p, Reason: "gives both fixed and last_affected: give one", Err: ErrInvalid})
	}
}

// content keeps the opaque document as compact JSON, HTML-escaped as
// encoding/json writes it, so that it survives a trip through JSON.
func (w *walker) content(d *Document) {
	c := d.Content
	if len(c) == 0 {
		return
	}
	if len(c) > MaxContent {
		w.report(&FieldError{Path: "content", Reason: fmt.Sprintf("is %d bytes, at most %d", len(c), MaxContent), Err: ErrTooLarge})
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, c); err != nil {
		w.report(&FieldError{Path: "content", Reason: "is not a JSON document", Err: ErrInvalid})
		return
	}
	var out bytes.Buffer
	json.HTMLEscape(&out, compact.Bytes())
	n := out.Bytes()
	if bytes.Equal(n, []byte("null")) {
		n = nil
	}
	switch {
	case w.fix:
		d.Content = n
	case !bytes.Equal(n, c):
		w.report(&FieldError{Path: "content", Reason: "is not compact JSON", Err: ErrNotNormal})
	}
}
