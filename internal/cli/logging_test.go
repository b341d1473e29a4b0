package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestLogLevels: the store's internals log at trace, below debug: a
// daemon at debug leaves them out, one at trace shows them as TRACE.
func TestLogLevels(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		l, err := NewLogger(&buf, format, "debug")
		if err != nil {
			t.Fatal(err)
		}
		l.Log(context.Background(), LevelTrace, "badger: 2 entries written")
		l.Debug("sync range")
		if out := buf.String(); strings.Contains(out, "entries written") || !strings.Contains(out, "sync range") {
			t.Errorf("%s at debug:\n%s", format, out)
		}
		buf.Reset()
		if l, err = NewLogger(&buf, format, "TRACE"); err != nil {
			t.Fatal(err)
		}
		l.Log(context.Background(), LevelTrace, "badger: 2 entries written")
		if out := buf.String(); !strings.Contains(out, "entries written") || !strings.Contains(out, "TRACE") {
			t.Errorf("%s at trace:\n%s", format, out)
		}
	}
	if _, err := ParseLevel("verbose"); err == nil || !strings.Contains(err.Error(), "use trace, debug") {
		t.Errorf("ParseLevel(verbose) = %v", err)
	}
}
