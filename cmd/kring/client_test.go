package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

func TestCheckAPIAddr(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:7717": true, "[::1]:7717": true, "localhost:7717": true,
		"http://127.0.0.1:7717": true, "HTTP://localhost:7717/": true, "http://[::1]": true,
		"https://kring.example.org": true, "https://192.0.2.1:8443/kring": true,
		"192.0.2.1:7717": false, "example.org:7717": false, "0.0.0.0:7717": false,
		"http://192.0.2.1:7717": false, "http://kring.example.org": false, "http://127.0.0.1.example.org:7717": false,
		"ftp://127.0.0.1:7717": false, "127.0.0.1": false, "https://": false,
	} {
		err := checkAPIAddr(addr)
		if (err == nil) != ok || err != nil && exitCode(err) != exitUsage {
			t.Errorf("checkAPIAddr(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// fakeDaemon serves a stand-in of the API that lists n advisories and
// takes endorsements, recording the queries and evidence it got.
type fakeDaemon struct {
	url      string
	mu       sync.Mutex
	qs       []url.Values
	evidence []string // the evidence hashes of endorsements
}

func newFakeDaemon(t *testing.T, n int) *fakeDaemon {
	f := &fakeDaemon{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/endorsements" {
			var req api.EndorseRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			f.mu.Lock()
			f.evidence = append(f.evidence, req.Evidence)
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(api.OpInfo{ID: strings.Repeat("cd", 32), Kind: "vote"})
			return
		}
		if r.URL.Path != "/v1/advisories" {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		f.qs = append(f.qs, r.URL.Query())
		f.mu.Unlock()
		out := make([]api.AdvisoryInfo, 0, n)
		for i := range n {
			out = append(out, api.AdvisoryInfo{ID: strings.Repeat("ab", 32), Position: uint64(500 - 2*i),
				TLP: "GREEN", Title: "t", Published: time.Unix(0, 0)})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeDaemon) lastQuery() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.qs) == 0 {
		return nil
	}
	return f.qs[len(f.qs)-1]
}

// TestClientRefusals: a client verb sends the token to loopback or
// https:// only, and only from a private token file.
func TestClientRefusals(t *testing.T) {
	d := filepath.Join(t.TempDir(), "a")
	kring(t, "--data-dir", d, "init", "--org", "A").must(t)
	f := newFakeDaemon(t, 1)
	kring(t, "--data-dir", d, "--api", f.url, "advisories", "list").must(t)

	for _, api := range []string{"192.0.2.1:7717", "http://kring.example.org:7717", "kring.example.org:7717"} {
		kring(t, "--data-dir", d, "--api", api, "status").fails(t, exitUsage, "is not a loopback address")
	}
	kring(t, "--data-dir", d, "--api", "ftp://127.0.0.1:1", "status").fails(t, exitUsage, "not ftp://")

	tok := filepath.Join(d, tokenFile)
	if err := os.Chmod(tok, 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", d, "--api", f.url, "advisories", "list").fails(t, exitIdentity, "chmod 600 "+tok)
	kring(t, "--data-dir", d, "run").fails(t, exitIdentity, "chmod 600 "+tok)
	if err := os.Chmod(tok, 0o640); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", d, "status").fails(t, exitIdentity, "readable by others")
	if err := os.Chmod(tok, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(tok); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", d, "status").fails(t, exitIdentity, "no API token at")
}

// TestAdvisoriesListPages: the list shows the newest page and says on
// stderr how to see more when the page is full.
func TestAdvisoriesListPages(t *testing.T) {
	d := filepath.Join(t.TempDir(), "a")
	kring(t, "--data-dir", d, "init", "--org", "A").must(t)
	full := newFakeDaemon(t, api.DefaultLimit)
	cases := []struct {
		f     *fakeDaemon
		args  []string
		query url.Values
		hint  string // "" for none
	}{
		{full, nil, url.Values{"order": {"newest"}}, "older ones: kring advisories list --before 302"},
		{full, []string{"--before", "700"}, url.Values{"order": {"newest"}, "before": {"700"}}, "--before 302"},
		{full, []string{"--after", "12"}, url.Values{"order": {"oldest"}, "after": {"12"}}, "later ones: kring advisories list --after 302"},
		{full, []string{"--after", "12", "--before", "700"}, url.Values{"order": {"newest"}, "after": {"12"}, "before": {"700"}},
			"--before 302 --after 12"},
		{newFakeDaemon(t, 3), []string{"--limit", "3"}, url.Values{"order": {"newest"}, "limit": {"3"}}, "--before 496 --limit 3"},
		{newFakeDaemon(t, 3), nil, url.Values{"order": {"newest"}}, ""},
		{newFakeDaemon(t, 3), []string{"--limit", "5"}, url.Values{"order": {"newest"}, "limit": {"5"}}, ""},
	}
	for _, c := range cases {
		for _, out := range []string{"text", "json"} {
			args := append([]string{"--data-dir", d, "--api", c.f.url, "-o", out, "advisories", "list"}, c.args...)
			r := kring(t, args...).must(t)
			if q := c.f.lastQuery(); q.Encode() != c.query.Encode() {
				t.Errorf("kring %v asked ?%s, want ?%s", c.args, q.Encode(), c.query.Encode())
			}
			if c.hint == "" && r.stderr != "" || c.hint != "" && (!strings.Contains(r.stderr, c.hint) || strings.Count(r.stderr, "\n") != 1) {
				t.Errorf("kring %v -o %s: stderr %q, want one line with %q (none if empty)", c.args, out, r.stderr, c.hint)
			}
			if out == "json" && !json.Valid([]byte(r.stdout)) {
				t.Errorf("kring %v -o json: stdout is not JSON: %q", c.args, r.stdout)
			}
		}
	}
	kring(t, "--data-dir", d, "--api", full.url, "advisories", "list", "--limit", "-1").fails(t, exitUsage, "--limit -1")
}

// TestWeakTokenRefused: a token file that is not empty but weak (short,
// or a repeated word) stops both the daemon and the CLI, naming the file
// and how to write a good one; kring init's own token passes.
func TestWeakTokenRefused(t *testing.T) {
	d := filepath.Join(t.TempDir(), "a")
	kring(t, "--data-dir", d, "init", "--org", "A").must(t)
	f := newFakeDaemon(t, 1)
	kring(t, "--data-dir", d, "--api", f.url, "advisories", "list").must(t)
	tok := filepath.Join(d, tokenFile)
	for _, weak := range []string{"secret\n", strings.Repeat("password", 4) + "\n"} {
		if err := os.WriteFile(tok, []byte(weak), 0o600); err != nil {
			t.Fatal(err)
		}
		kring(t, "--data-dir", d, "run").fails(t, exitIdentity, "API token "+tok+": api: weak API token")
		kring(t, "--data-dir", d, "--api", f.url, "advisories", "list").fails(t, exitIdentity, "write a new one with `kring token rotate`")
	}
}
