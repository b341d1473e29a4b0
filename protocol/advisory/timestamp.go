package advisory

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Timestamp is a point in time in whole seconds since 1970-01-01T00:00:00Z.
// Zero means "not given". In JSON it is an RFC 3339 string in UTC
// ("2026-12-07T09:00:00Z"); a reader also accepts other offsets, fractions
// of a second (dropped) and a date alone ("2026-12-07", midnight UTC).
type Timestamp int64

// maxTimestamp is 9999-12-31T23:59:59Z, the last time RFC 3339 can write.
const maxTimestamp Timestamp = 253402300799

// Time returns t as a time.Time in UTC.
func (t Timestamp) Time() time.Time { return time.Unix(int64(t), 0).UTC() }

// TimestampOf returns the Timestamp of tm, dropping fractions of a second.
func TimestampOf(tm time.Time) Timestamp { return Timestamp(tm.Unix()) }

// String returns t in RFC 3339, UTC.
func (t Timestamp) String() string { return t.Time().Format(time.RFC3339) }

// MarshalJSON writes t as an RFC 3339 string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t < 0 || t > maxTimestamp {
		return nil, fmt.Errorf("%w: timestamp %d is out of range", ErrInvalid, int64(t))
	}
	return json.Marshal(t.String())
}

// UnmarshalJSON reads an RFC 3339 date-time or a full date. Its error is
// a *json.UnmarshalTypeError, which encoding/json completes with the
// field's path (ParseJSON turns it into a FieldError).
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: timestampType}
	}
	tm, ok := parseTime(s)
	if !ok {
		return &json.UnmarshalTypeError{Value: s, Type: timestampType}
	}
	*t = TimestampOf(tm)
	return nil
}

// timestampType marks a time that does not parse, for jsonError.
var timestampType = reflect.TypeFor[Timestamp]()

// parseTime reads an RFC 3339 date-time or a full date (midnight UTC).
func parseTime(s string) (time.Time, bool) {
	if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return tm, true
	}
	if tm, err := time.Parse(time.DateOnly, s); err == nil {
		return tm, true
	}
	return time.Time{}, false
}

// check reports a timestamp before 1970 or after 9999.
func (t Timestamp) check() *problem {
	if t < 0 || t > maxTimestamp {
		return &problem{err: ErrInvalid, reason: fmt.Sprintf("%d is not between 1970 and 9999", int64(t)), noValue: true}
	}
	return nil
}
