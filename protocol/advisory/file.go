package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is a file format ParseFile reads.
type Format int

// The file formats.
const (
	JSON Format = iota + 1
	YAML
)

// FormatOf returns the format of a file by its name's extension: .json is
// JSON, .yaml and .yml are YAML.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return JSON, nil
	case ".yaml", ".yml":
		return YAML, nil
	}
	return 0, fmt.Errorf("%w: %s: name the file .json, .yaml or .yml", ErrMalformed, name)
}

// ParseFile reads a document from a file's bytes in format f, then
// normalises and validates it. See ParseJSON and ParseYAML.
func ParseFile(b []byte, f Format) (*Document, error) {
	switch f {
	case JSON:
		return ParseJSON(b)
	case YAML:
		return ParseYAML(b)
	}
	return nil, fmt.Errorf("%w: unknown file format %d", ErrMalformed, int(f))
}

// ParseJSON reads a document from one JSON object with the field names of
// docs/advisories.md, strictly (unknown fields and anything after the
// object are refused, ErrUnknownField and ErrMalformed), then normalises
// and validates it. The advisory files of earlier versions (title,
// summary, tlp, content) are documents too.
func ParseJSON(b []byte) (*Document, error) {
	if len(b) > MaxFile {
		return nil, fmt.Errorf("%w: the file is %d bytes, at most %d", ErrTooLarge, len(b), MaxFile)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	d := new(Document)
	if err := dec.Decode(d); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: there is more after the advisory's JSON object: give one object", ErrMalformed)
	}
	if err := d.Normalize(); err != nil {
		return nil, err
	}
	return d, nil
}

// jsonError names the field of a JSON decoding error where it can.
func jsonError(err error) error {
	var (
		typ    *json.UnmarshalTypeError
		syntax *json.SyntaxError
	)
	switch {
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrInvalid):
		return err
	case errors.As(err, &typ) && typ.Type == timestampType:
		return &FieldError{Path: typ.Field, Value: typ.Value, HasValue: true, Reason: `is not an RFC 3339 time such as "2026-12-07T09:00:00Z" or a date such as "2026-12-07"`, Err: ErrMalformed}
	case errors.As(err, &typ):
		return &FieldError{Path: typ.Field, Reason: fmt.Sprintf("is a JSON %s, not %s", typ.Value, jsonKind(typ.Type)), Err: ErrMalformed}
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: not JSON at byte %d: %v", ErrMalformed, syntax.Offset, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%w: %s (docs/advisories.md lists the fields)", ErrUnknownField, strings.TrimPrefix(err.Error(), "json: "))
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// jsonKind names a Go type as the JSON a field wants.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return "an object"
}

// ParseYAML reads a document from one YAML document with the field names
// of docs/advisories.md: the YAML is read as data (no custom tags,
// non-string keys refused), converted to JSON, and read as ParseJSON does.
// Write times as quoted strings or as YAML timestamps.
func ParseYAML(b []byte) (*Document, error) {
	if len(b) > MaxFile {
		return nil, fmt.Errorf("%w: the file is %d bytes, at most %d", ErrTooLarge, len(b), MaxFile)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not a YAML document: %s", ErrMalformed, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if err == io.EOF {
			break
		}
		if err != nil || len(extra.Content) > 0 && !(extra.Content[0].Tag == "!!null" && extra.Content[0].Value == "") {
			return nil, fmt.Errorf("%w: there is a second YAML document: give one", ErrMalformed)
		}
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: the YAML does not map to JSON (%v): use string keys only", ErrMalformed, err)
	}
	return ParseJSON(j)
}
