package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// token is every test daemon's API token.
const token = "0123456789abcdef-test-token"

// daemon is a real node of a test circle with its API served over
// httptest.
type daemon struct {
	n   *node.Node
	srv *api.Server
	url string
	c   *api.Client
}

// newCircle founds a test circle under the default charter (k=3, s=2,
// r=3).
func newCircle(t *testing.T, founders ...string) *trusttest.Circle {
	t.Helper()
	c, err := trusttest.NewCircle(protocol.DefaultCharter("api test"), founders...)
	if err != nil {
		t.Fatalf("NewCircle: %v", err)
	}
	return c
}

// start runs the node of the member called name, dialling peers, and its
// API; both stop at cleanup.
func start(t *testing.T, c *trusttest.Circle, name string, peers ...*daemon) *daemon {
	t.Helper()
	cfg := node.DefaultLocalConfig()
	cfg.Key = trusttest.KeyFor(name)
	cfg.Genesis = c.Genesis.Bytes()
	cfg.Store = store.DefaultLocalOptions()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.SyncBeforePublish = 0
	cfg.AutoEnact = true // as kring run does
	for _, p := range peers {
		cfg.Peers = append(cfg.Peers, p.n.P2PAddrs()...)
	}
	delay := api.NewStoreDelay(protocol.KeyOf(cfg.Key))
	cfg.OnStored = delay.Observe
	if os.Getenv("KRING_TEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	}
	n, err := node.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("node.New(%s): %v", name, err)
	}
	as := api.NewServer(n, api.ServerOptions{Token: token, Version: "v-test", StoreDelay: delay})
	srv := httptest.NewServer(as.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := n.Close(); err != nil {
			t.Errorf("Close(%s): %v", name, err)
		}
	})
	return &daemon{n: n, srv: as, url: srv.URL, c: api.NewClient(srv.URL, token)}
}

// trio starts the nodes of founders A, B and C, connected.
func trio(t *testing.T) (*trusttest.Circle, *daemon, *daemon, *daemon) {
	t.Helper()
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	b := start(t, c, "B", a)
	cc := start(t, c, "C", a, b)
	return c, a, b, cc
}

// ctxFor returns a context that ends with the test, or after d.
func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually fails the test unless cond holds within 30 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// raw sends a request with the given bearer token (none when empty) and
// returns the status and the decoded error body, if any.
func raw(t *testing.T, d *daemon, method, path, body, tok string) (int, api.ErrorBody) {
	t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb api.ErrorBody
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &eb); err != nil || eb.Code == "" || eb.Error == "" {
			t.Errorf("%s %s: status %d with a body that is no JSON error: %q", method, path, resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: error Content-Type %q", method, path, ct)
		}
	}
	return resp.StatusCode, eb
}
