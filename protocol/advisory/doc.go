// Package advisory is Kring's structured advisory: one self-contained
// document with a title, summary, Markdown description, TLP 2.0 label and
// language; a severity (CVSS v3.1 and v4.0 vectors, scored on the way in,
// and the author's own rating); vulnerabilities (CVE and CWE ids); typed
// indicators (addresses, domains, URLs, hashes, detection rules, ...);
// affected products (version ranges, CPE 2.3 and package URLs,
// remediation); ATT&CK techniques, sector tags, references, a validity end
// and an optional opaque JSON document (Content) for what the model does not
// hold, such as a CSAF or STIX document.
//
// A Document has one normal form and one encoding. Normalize brings a
// document that a person or a tool wrote into normal form (lower-case
// hashes and domains, canonical IP addresses and CIDRs, upper-case CVE ids,
// scores computed from vectors, ...) and validates it; Validate checks that
// a document is valid and already normal, so that one advisory has one
// encoding and one hash. Encode gives the canonical CBOR (RFC 8949 Core
// Deterministic Encoding) of a valid document; Decode accepts only such
// bytes (no unknown fields, duplicate keys, indefinite lengths or tags;
// every limit of limits.go) and returns a valid document. ParseJSON and
// ParseYAML read the documented file format (docs/advisories.md) strictly
// and normalise what they read.
//
// Every problem is reported as a *FieldError that names the field's path
// and the reason, such as
//
//	indicators[3].value: "1.2.3" is not an IPv4 address
//
// and wraps one of the package's sentinel errors (ErrInvalid, ErrTooLarge,
// ErrNotNormal, ErrMalformed, ErrNonCanonical, ErrUnknownField). Validate
// and Normalize report every problem they find, up to MaxProblems, as a
// Problems value.
//
// The package is pure, like package protocol: no network, disk or clock.
// Its values are plain data with no shared state: a Document is safe to
// read from several goroutines, and Normalize changes only the document it
// is called on.
//
// docs/advisories.md describes every field, its limit and its normalisation.
package advisory
