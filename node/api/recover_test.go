package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
