package api_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestTokenRequired checks that every route but the health check needs
// the bearer token, and that unknown routes and methods get JSON errors.
func TestTokenRequired(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	for _, tc := range []struct{ method, path, tok string }{
		{"GET", "/v1/status", ""},
		{"GET", "/v1/status", "wrong"},
		{"GET", "/v1/status", token + "x"},
		{"GET", "/metrics", ""},
		{"GET", "/v1/advisories/follow", ""},
		{"POST", "/v1/advisories", ""},
		{"DELETE", "/v1/blocks/" + strings.Repeat("ab", 32), "wrong"},
		{"GET", "/no/such/route", ""},
	} {
		if status, eb := raw(t, a, tc.method, tc.path, "", tc.tok); status != http.StatusUnauthorized || eb.Code != api.CodeUnauthorized {
			t.Errorf("%s %s with token %q: %d %q, want 401 unauthorized", tc.method, tc.path, tc.tok, status, eb.Code)
		}
	}
	if status, _ := raw(t, a, "GET", "/healthz", "", ""); status != http.StatusOK {
		t.Errorf("GET /healthz without a token: %d, want 200", status)
	}
	if status, eb := raw(t, a, "GET", "/no/such/route", "", token); status != http.StatusNotFound || eb.Code != api.CodeNotFound {
		t.Errorf("unknown route: %d %q, want 404 not-found", status, eb.Code)
	}
	if status, eb := raw(t, a, "PUT", "/v1/status", "", token); status != http.StatusMethodNotAllowed || eb.Code != api.CodeMethod {
		t.Errorf("PUT /v1/status: %d %q, want 405", status, eb.Code)
	}
	ctx := ctxFor(t, 10*time.Second)
	if _, err := api.NewClient(a.url, "wrong").Status(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("Status with a wrong token: %v, want ErrUnauthorized", err)
	}
	st, err := a.c.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if st.Key != a.n.Key().String() || st.Group != a.n.Group().String() || st.Status != "member" || !st.Sharing ||
		st.Circle != "api test" || st.Charter.Admit != 3 || st.Ops < 1 || st.Version != "v-test" || st.Members != 3 {
		t.Errorf("Status = %+v", st)
	}
	if err := a.c.Health(ctx); err != nil {
		t.Errorf("Health: %v", err)
	}
}

// TestSetToken checks that a token put in force while the server runs
// replaces the old one at once: the old token is refused from the next
// request on, the new one accepted, and an empty one refuses everything
// but the health check.
func TestSetToken(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	const rotated = "fedcba9876543210-rotated-token"
	if !a.srv.SetToken(rotated) {
		t.Error("SetToken with a new token reported no change")
	}
	if a.srv.SetToken(rotated) {
		t.Error("SetToken with the token in force reported a change")
	}
	if status, eb := raw(t, a, "GET", "/v1/status", "", token); status != http.StatusUnauthorized || eb.Code != api.CodeUnauthorized {
		t.Errorf("old token after SetToken: %d %q, want 401 unauthorized", status, eb.Code)
	}
	if status, _ := raw(t, a, "GET", "/v1/status", "", rotated); status != http.StatusOK {
		t.Errorf("new token after SetToken: %d, want 200", status)
	}
	a.srv.SetToken("")
	for _, tok := range []string{"", rotated, token} {
		if status, _ := raw(t, a, "GET", "/v1/status", "", tok); status != http.StatusUnauthorized {
			t.Errorf("token %q with no token in force: %d, want 401", tok, status)
		}
	}
	if status, _ := raw(t, a, "GET", "/healthz", "", ""); status != http.StatusOK {
		t.Errorf("GET /healthz with no token in force: %d, want 200", status)
	}
}

// TestDaemonDown checks the client's error when nothing listens, and
// that an address without a scheme means http.
func TestDaemonDown(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	ctx := ctxFor(t, 10*time.Second)
	if _, err := api.NewClient(strings.TrimPrefix(a.url, "http://"), token).Status(ctx); err != nil {
		t.Fatalf("Status at an address without a scheme: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = api.NewClient(addr, token).Status(ctx)
	if !errors.Is(err, api.ErrDaemonDown) || !strings.Contains(err.Error(), "kring run") {
		t.Errorf("Status with nothing listening: %v, want ErrDaemonDown naming `kring run`", err)
	}
}

// TestBadInput sends malformed requests: each gets a 4xx JSON error with a
// named code, and the daemon stays up.
func TestBadInput(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	key := strings.Repeat("ab", 32)
	huge := `{"title":"x","tlp":"GREEN","content":"` + strings.Repeat("a", api.MaxBody) + `"}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"not JSON", "POST", "/v1/advisories", "{title", 400, api.CodeBadJSON},
		{"empty body", "POST", "/v1/advisories", "", 400, api.CodeBadJSON},
		{"unknown field", "POST", "/v1/advisories", `{"title":"x","tlp":"GREEN","severity":"high"}`, 400, api.CodeBadJSON},
		{"two values", "POST", "/v1/advisories", `{"title":"x","tlp":"GREEN"}{}`, 400, api.CodeBadJSON},
		{"wrong type", "POST", "/v1/advisories", `{"title":1,"tlp":"GREEN"}`, 400, api.CodeBadJSON},
		{"bad TLP", "POST", "/v1/advisories", `{"title":"x","tlp":"WHITE"}`, 400, api.CodeBadTLP},
		{"no TLP", "POST", "/v1/advisories", `{"title":"x"}`, 400, api.CodeBadTLP},
		{"no title", "POST", "/v1/advisories", `{"title":"  ","tlp":"RED"}`, 400, api.CodeBadRequest},
		{"long title", "POST", "/v1/advisories", `{"title":"` + strings.Repeat("t", 300) + `","tlp":"RED"}`, 400, api.CodeTooLarge},
		{"oversized body", "POST", "/v1/advisories", huge, 413, api.CodeTooLarge},
		{"bad key", "GET", "/v1/members/xyz", "", 400, api.CodeBadKey},
		{"unknown key", "GET", "/v1/members/" + key, "", 404, api.CodeUnknownMember},
		{"bad advisory ID", "GET", "/v1/advisories/xyz", "", 400, api.CodeBadRequest},
		{"unknown advisory", "GET", "/v1/advisories/" + key, "", 404, api.CodeNoAdvisory},
		{"bad cursor", "GET", "/v1/advisories?after=-1", "", 400, api.CodeBadCursor},
		{"unknown cursor", "GET", "/v1/advisories?after=" + key, "", 404, api.CodeNoAdvisory},
		{"bad limit", "GET", "/v1/advisories?limit=0", "", 400, api.CodeBadRequest},
		{"bad vote motion", "POST", "/v1/votes", `{"motion":"ban","target":"` + key + `"}`, 400, api.CodeBadRequest},
		{"vote on a stranger", "POST", "/v1/votes", `{"motion":"revoke","target":"` + key + `"}`, 404, api.CodeUnknownMember},
		{"vote on oneself", "POST", "/v1/votes", `{"motion":"revoke","target":"` + a.n.Key().String() + `"}`, 400, api.CodeSelf},
		{"block oneself", "POST", "/v1/blocks", `{"key":"` + a.n.Key().String() + `"}`, 400, api.CodeSelf},
		{"block a bad key", "POST", "/v1/blocks", `{"key":"abc"}`, 400, api.CodeBadKey},
		{"unblock what is not blocked", "DELETE", "/v1/blocks/" + key, "", 404, api.CodeNotBlocked},
		{"endorse garbage", "POST", "/v1/endorsements", `{"application":"AAEC","evidence":"` + key + `"}`, 400, api.CodeBadRequest},
		{"endorse with bad evidence", "POST", "/v1/endorsements", `{"application":"AAEC","evidence":"abc"}`, 400, api.CodeBadEvidence},
		{"endorse non-base64", "POST", "/v1/endorsements", `{"application":"!!","evidence":"` + key + `"}`, 400, api.CodeBadJSON},
	} {
		if status, eb := raw(t, a, tc.method, tc.path, tc.body, token); status != tc.status || eb.Code != tc.code {
			t.Errorf("%s: %d %q (%s), want %d %q", tc.name, status, eb.Code, eb.Error, tc.status, tc.code)
		}
	}
	if status, _ := raw(t, a, "GET", "/healthz", "", ""); status != http.StatusOK {
		t.Errorf("after bad input, /healthz: %d", status)
	}
}
