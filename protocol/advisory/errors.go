package advisory

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error of this package wraps one of them; callers
// test with errors.Is.
var (
	// ErrInvalid: a value is malformed (not an IPv4 address, not a CVE id,
	// a missing title, a repeated indicator, ...).
	ErrInvalid = errors.New("advisory: invalid value")
	// ErrTooLarge: a text, a list or the whole document is over its limit.
	ErrTooLarge = errors.New("advisory: over a limit")
	// ErrNotNormal: a value is valid but not in normal form (Validate and
	// Decode only: Normalize brings it there).
	ErrNotNormal = errors.New("advisory: not in normal form")
	// ErrMalformed: the bytes are not a document of the expected shape
	// (not CBOR, not JSON, a string where a number belongs, ...).
	ErrMalformed = errors.New("advisory: malformed encoding")
	// ErrNonCanonical: the CBOR decodes but is not the Core Deterministic
	// Encoding of what it decodes to.
	ErrNonCanonical = errors.New("advisory: non-canonical encoding")
	// ErrUnknownField: the encoding carries a field this version does not know.
	ErrUnknownField = errors.New("advisory: unknown field")
)

// FieldError is one problem with one field: its path in the document (as
// in the JSON form, e.g. "indicators[3].value"), the value when it helps,
// and the reason. It wraps one of the sentinel errors.
type FieldError struct {
	// Path names the field, e.g. "products[0].versions[1].fixed".
	Path string
	// Value is the offending value, shown quoted (and shortened) when
	// HasValue is set.
	Value string
	// HasValue says whether Value is part of the message.
	HasValue bool
	// Reason says what is wrong, e.g. "is not an IPv4 address".
	Reason string
	// Err is the sentinel error the problem is an instance of.
	Err error
}

// Error returns `path: "value" reason`, or `path: reason` without a value.
func (e *FieldError) Error() string {
	if !e.HasValue {
		return e.Path + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %q %s", e.Path, shorten(e.Value), e.Reason)
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

// shorten keeps a long value readable in a message.
func shorten(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// Problems is every problem one Validate or Normalize found, in document
// order: at most MaxProblems of them, and the count of the rest.
type Problems struct {
	// List holds the first problems found.
	List []*FieldError
	// More counts the problems found beyond List.
	More int
}

// Error lists the problems, one a line.
func (p *Problems) Error() string {
	var b strings.Builder
	for i, e := range p.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if p.More > 0 {
		fmt.Fprintf(&b, "\n(and %d more problems)", p.More)
	}
	return b.String()
}

// Unwrap returns the problems, so that errors.Is and errors.As see each.
func (p *Problems) Unwrap() []error {
	errs := make([]error, len(p.List))
	for i, e := range p.List {
		errs[i] = e
	}
	return errs
}

// problem is a reason without a path, returned by the value normalisers;
// the walker adds the path and the value.
type problem struct {
	err    error
	reason string
	// noValue leaves the value out of the message (limits, long texts).
	noValue bool
}

func (p *problem) Error() string { return p.reason }

// invalid returns an ErrInvalid problem with a formatted reason.
func invalid(format string, args ...any) *problem {
	return &problem{err: ErrInvalid, reason: fmt.Sprintf(format, args...)}
}

// tooLarge returns an ErrTooLarge problem; the value is not repeated.
func tooLarge(n, limit int, unit string) *problem {
	return &problem{err: ErrTooLarge, reason: fmt.Sprintf("is %d %s, at most %d", n, unit, limit), noValue: true}
}
