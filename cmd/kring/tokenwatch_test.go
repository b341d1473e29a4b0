package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/kring-circle/kring/node/api"
)

// TestTokenRotatedWhileStarting: a token rotated after kring run read
// api.token but before its watcher first looked (the node can take a
// while to start) is put in force at the watcher's first look; the token
// read at the start is refused from then on.
func TestTokenRotatedWhileStarting(t *testing.T) {
	d := dataDir(t.TempDir())
	first, second := mustToken(t), mustToken(t)
	if err := os.WriteFile(d.path(tokenFile), []byte(first+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seen := statToken(d) // kring run looks, then reads the token
	served, err := loadToken(d)
	if err != nil {
		t.Fatal(err)
	}
	// kring token rotate while the node starts.
	if err := writeFileAtomic(filepath.Join(string(d), tokenFile), []byte(second+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(nil, api.ServerOptions{Token: served})
	dm := &daemon{dir: d, log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		dm.watchToken(ctx, srv, seen)
	}()
	defer func() {
		cancel()
		<-done
	}()
	authorized := func(tok string) bool {
		r := httptest.NewRequest(http.MethodGet, "/v1/no-such-route", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		return w.Code != http.StatusUnauthorized
	}
	if !authorized(first) {
		t.Fatal("the token read at the start is not in force")
	}
	eventually(t, 10*tokenWatchInterval, "the token rotated while starting to be in force", func() bool {
		return authorized(second) && !authorized(first)
	})
}

// mustToken returns a fresh API token.
func mustToken(t *testing.T) string {
	t.Helper()
	tok, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
