package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
	watch(t, &daemon{dir: d, log: slog.New(slog.DiscardHandler)}, srv, seen)
	authorized := func(tok string) bool { return authorizes(srv, tok) }
	if !authorized(first) {
		t.Fatal("the token read at the start is not in force")
	}
	eventually(t, 10*tokenWatchInterval, "the token rotated while starting to be in force", func() bool {
		return authorized(second) && !authorized(first)
	})
}

// watch runs dm's token watcher on srv, from seen, until the test ends.
func watch(t *testing.T, dm *daemon, srv *api.Server, seen os.FileInfo) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		dm.watchToken(ctx, srv, seen)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// authorizes reports whether srv takes tok as its bearer token.
func authorizes(srv *api.Server, tok string) bool {
	r := httptest.NewRequest(http.MethodGet, "/v1/no-such-route", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	return w.Code != http.StatusUnauthorized
}

// TestTokenTakenOnceMadePrivate: a token written by hand into a file that
// others can read is refused; once the operator runs chmod 600 on it, as
// the error says, the watcher puts it in force (a chmod changes neither
// the file's size nor its modification time).
func TestTokenTakenOnceMadePrivate(t *testing.T) {
	d := dataDir(t.TempDir())
	first, second := mustToken(t), mustToken(t)
	path := d.path(tokenFile)
	if err := os.WriteFile(path, []byte(first+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seen := statToken(d)
	srv := api.NewServer(nil, api.ServerOptions{Token: first})
	var logged lockedBuffer
	watch(t, &daemon{dir: d, log: slog.New(slog.NewTextHandler(&logged, nil))}, srv, seen)
	// A token written by hand as a new file that others can read.
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(second+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*tokenWatchInterval, "the token open to others to be refused", func() bool {
		return strings.Contains(logged.String(), "API token not reloaded")
	})
	if authorizes(srv, second) || !authorizes(srv, first) {
		t.Fatal("a token in a file others can read was put in force")
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*tokenWatchInterval, "the token to be in force once private", func() bool {
		return authorizes(srv, second) && !authorizes(srv, first)
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
