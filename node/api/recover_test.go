package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRecoverer checks the last line of defence: a panicking handler
// answers a JSON 500 and the server goes on.
func TestRecoverer(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	h := s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/status", nil))
	var eb ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || rec.Code != 500 || eb.Code != CodeInternal {
		t.Errorf("a panicking handler answered %d %q (%v), want 500 internal", rec.Code, rec.Body, err)
	}
}

// TestParseTLP checks the labels the API takes and refuses.
func TestParseTLP(t *testing.T) {
	for in, want := range map[string]string{"RED": "RED", "amber+strict": "AMBER+STRICT", " TLP:Clear ": "CLEAR", "tlp:green": "GREEN"} {
		if got, err := ParseTLP(in); err != nil || string(got) != want {
			t.Errorf("ParseTLP(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "WHITE", "AMBER STRICT", "TLP:", "RED!"} {
		if _, err := ParseTLP(in); err == nil {
			t.Errorf("ParseTLP(%q) took it", in)
		}
	}
}

// TestInternalErrorDetailLogged: a 500 answers a generic message, never
// the error's text (a path, a store error), and the daemon's log gets
// that text with the route and status.
func TestInternalErrorDetailLogged(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logged, nil))}
	detail := "badger: /var/lib/kring/store/000001.vlog: input/output error"
	rec := httptest.NewRecorder()
	s.answer(rec, httptest.NewRequest("GET", "/v1/members", nil), http.StatusOK, nil, errors.New(detail))
	var eb ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || rec.Code != 500 || eb.Code != CodeInternal {
		t.Fatalf("answered %d %q (%v), want 500 internal", rec.Code, rec.Body, err)
	}
	if strings.Contains(rec.Body.String(), "vlog") || eb.Error != "internal error; the daemon's log says more" {
		t.Errorf("a 500 answered %q: the detail belongs in the log only", eb.Error)
	}
	var rec2 struct {
		Level, Msg, Path, Err string
		Status                int
	}
	if err := json.Unmarshal(logged.Bytes(), &rec2); err != nil {
		t.Fatalf("log %q: %v", logged.String(), err)
	}
	if rec2.Level != "ERROR" || rec2.Err != detail || rec2.Path != "/v1/members" || rec2.Status != 500 {
		t.Errorf("logged %+v, want an ERROR with the detail, path and status", rec2)
	}
}
