package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The fuzz tests of the API's request decoding. Their seeds live in
// testdata/fuzz/<FuzzName>/: files named seed-* are written by
// TestFuzzSeeds (fuzzseeds_test.go) from the examples of docs/api.md and
// malformed variants of them; files named found-* are small inputs with
// which the fuzzer reached new code, kept so that a run starts from there;
// any other file there is an input that once failed a fuzz target, kept
// as a regression test. Run a fuzzer with, for example:
//
//	go test -run '^$' -fuzz '^FuzzDecodeRequest$' -fuzztime 60s ./node/api

// requestKinds are the JSON bodies of the POST routes, by the route byte
// of FuzzDecodeRequest and FuzzHandler (modulo their number).
var requestKinds = []struct {
	path string
	new  func() any
}{
	{"/v1/advisories", func() any { return new(api.PublishRequest) }},
	{"/v1/endorsements", func() any { return new(api.EndorseRequest) }},
	{"/v1/votes", func() any { return new(api.VoteRequest) }},
	{"/v1/charter/proposals", func() any { return new(api.ProposeRequest) }},
	{"/v1/charter/votes", func() any { return new(api.CharterVoteRequest) }},
	{"/v1/leave", func() any { return new(api.LeaveRequest) }},
	{"/v1/blocks", func() any { return new(api.BlockRequest) }},
}

// fuzzKey signs the ops that check a decoded body against the protocol.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// sign signs body as the first op of a member of some circle: it fails
// where the protocol refuses the body.
func sign(body protocol.Body) error {
	o := &protocol.Op{Kind: body.Kind(), Group: protocol.Hash{1}, Seq: 1, Preds: []protocol.Hash{{2}}}
	return protocol.Sign(o, body, fuzzKey)
}

// FuzzDecodeRequest feeds arbitrary bytes to the strict body decoder of
// the POST routes. A refusal is 400 bad-json or 413 too-large; an
// accepted body is at most api.MaxBody bytes and re-encodes stably
// (decode, encode, decode, encode gives the same JSON). An accepted
// advisory request is either refused with a 400 or makes an advisory
// within the protocol's limits that signs; a proposed charter the protocol
// takes survives GET /v1/charter's rendering.
func FuzzDecodeRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		rk := requestKinds[int(kind)%len(requestKinds)]
		v := rk.new()
		status, code, err := api.DecodeBody(body, v)
		if err != nil {
			if !(status == http.StatusBadRequest && code == api.CodeBadJSON) &&
				!(status == http.StatusRequestEntityTooLarge && code == api.CodeTooLarge) {
				t.Fatalf("%s: refused with %d %s (%v), want 400 bad-json or 413 too-large", rk.path, status, code, err)
			}
			return
		}
		if len(body) > api.MaxBody {
			t.Fatalf("%s: accepted a body of %d bytes, over %d", rk.path, len(body), api.MaxBody)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: encoding the decoded body: %v", rk.path, err)
		}
		again := rk.new()
		if _, _, err := api.DecodeBody(enc, again); err != nil {
			t.Fatalf("%s: decoding the re-encoded body %s: %v", rk.path, enc, err)
		}
		if enc2, _ := json.Marshal(again); !bytes.Equal(enc, enc2) {
			t.Fatalf("%s: the body does not re-encode stably:\n%s\n%s", rk.path, enc, enc2)
		}
		switch req := v.(type) {
		case *api.PublishRequest:
			checkAdvisory(t, req)
		case *api.ProposeRequest:
			checkProposal(t, req)
		}
	})
}

// checkAdvisory checks what POST /v1/advisories makes of a decoded
// request.
func checkAdvisory(t *testing.T, req *api.PublishRequest) {
	adv, err := req.Advisory()
	if err != nil {
		if status, code := api.ErrorStatus(err); status != http.StatusBadRequest || code == api.CodeInternal {
			t.Fatalf("advisory refused with %d %s (%v), want a 400", status, code, err)
		}
		return
	}
	switch {
	case adv.Title == "" || len(adv.Title) > protocol.MaxShortText || !utf8.ValidString(adv.Title):
		t.Fatalf("accepted title %q", adv.Title)
	case len(adv.Summary) > protocol.MaxLongText || !utf8.ValidString(adv.Summary):
		t.Fatalf("accepted a summary of %d bytes", len(adv.Summary))
	case len(adv.Content) > protocol.MaxContent:
		t.Fatalf("accepted content of %d bytes", len(adv.Content))
	case !adv.TLP.Valid():
		t.Fatalf("accepted TLP %q", adv.TLP)
	case len(adv.Content) > 0 && !json.Valid(adv.Content):
		t.Fatalf("accepted content that is not JSON: %q", adv.Content)
	}
	if err := sign(adv); err != nil {
		t.Fatalf("the protocol refuses an accepted advisory: %v", err)
	}
}

// checkProposal checks that a proposed charter the protocol takes is
// shown as it was proposed, its ack interval the one in force.
func checkProposal(t *testing.T, req *api.ProposeRequest) {
	c := req.Charter.Charter()
	if c.Version == 0 {
		c.Version = 1 // what the daemon fills in for a genesis charter
	}
	if sign(&protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionCharter, Charter: &c}}) != nil {
		return
	}
	want := c
	want.AckInterval = c.AckSeconds()
	got := api.CharterDocShown(c).Charter()
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("the charter renders as\n%s\nnot\n%s", b, a)
	}
}

// FuzzParseTLP checks that ParseTLP accepts exactly the five TLP 2.0
// labels (case, space and a "TLP:" prefix aside), refuses anything else
// with 400 bad-tlp, and that a label it returns parses to itself.
func FuzzParseTLP(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		tlp, err := api.ParseTLP(s)
		if err != nil {
			if status, code := api.ErrorStatus(err); status != http.StatusBadRequest || code != api.CodeBadTLP {
				t.Fatalf("ParseTLP(%q) refused with %d %s", s, status, code)
			}
			return
		}
		if !tlp.Valid() {
			t.Fatalf("ParseTLP(%q) = %q, not a TLP 2.0 label", s, tlp)
		}
		for _, again := range []string{string(tlp), "tlp:" + strings.ToLower(string(tlp))} {
			if got, err := api.ParseTLP(again); err != nil || got != tlp {
				t.Fatalf("ParseTLP(%q) = %q, %v; want %q", again, got, err, tlp)
			}
		}
	})
}

// handlerRoutes are the routes FuzzHandler requests, by its route byte
// (modulo their number): the POST routes of requestKinds take the body,
// these take the argument as their query or their last path segment.
var handlerRoutes = []struct{ method, path string }{
	{"GET", "/v1/advisories?"},
	{"GET", "/v1/advisories/follow?"},
	{"GET", "/v1/advisories/"},
	{"GET", "/v1/members/"},
	{"DELETE", "/v1/blocks/"},
}

// fuzzDaemon is the API that FuzzHandler requests: a node of a stranger
// to a circle of three, so that no request can publish (the daemon answers
// 409 not-sharing once a request is decoded and checked).
var fuzzDaemon = sync.OnceValues(func() (*fuzzAPI, error) {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("fuzz"), "A", "B", "C")
	if err != nil {
		return nil, err
	}
	cfg := node.DefaultLocalConfig()
	cfg.Key = trusttest.KeyFor("Z")
	cfg.Genesis = c.Genesis.Bytes()
	cfg.Store = store.DefaultLocalOptions()
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.SyncBeforePublish = 0
	n, err := node.New(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	fa := &fuzzAPI{}
	log := slog.New(fa)
	fa.h = api.NewServer(n, api.ServerOptions{Token: token, Logger: log}).Handler()
	return fa, nil
})

// fuzzAPI is the handler of fuzzDaemon, and a log handler that keeps the
// daemon's ERROR lines: a 500 or a recovered panic.
type fuzzAPI struct {
	h      http.Handler
	mu     sync.Mutex
	errors []string
}

func (fa *fuzzAPI) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (fa *fuzzAPI) Handle(_ context.Context, r slog.Record) error {
	fa.mu.Lock()
	defer fa.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	fa.errors = append(fa.errors, msg)
	return nil
}
func (fa *fuzzAPI) WithAttrs([]slog.Attr) slog.Handler { return fa }
func (fa *fuzzAPI) WithGroup(string) slog.Handler      { return fa }

// takeErrors returns and forgets the ERROR lines logged so far.
func (fa *fuzzAPI) takeErrors() []string {
	fa.mu.Lock()
	defer fa.mu.Unlock()
	e := fa.errors
	fa.errors = nil
	return e
}

// FuzzHandler sends requests with arbitrary queries, path segments and
// bodies through the whole API handler of a running node. No request may
// panic or answer 500; every refusal is a JSON error with a code, and
// every 400 names what was wrong with one of the documented codes.
func FuzzHandler(f *testing.F) {
	fa, err := fuzzDaemon()
	if err != nil {
		f.Fatalf("starting the node: %v", err)
	}
	f.Fuzz(func(t *testing.T, route byte, arg string, body []byte) {
		i := int(route) % (len(handlerRoutes) + len(requestKinds))
		method, target := http.MethodPost, ""
		if i < len(handlerRoutes) {
			hr := handlerRoutes[i]
			method, body = hr.method, nil
			if strings.HasSuffix(hr.path, "?") {
				target = hr.path + arg
			} else {
				target = hr.path + url.PathEscape(arg)
			}
		} else {
			target = requestKinds[i-len(handlerRoutes)].path
		}
		ctx := context.Background()
		if strings.HasPrefix(target, "/v1/advisories/follow") {
			// The stream ends at once: only its cursor is under test.
			c, cancel := context.WithCancel(ctx)
			cancel()
			ctx = c
		}
		req, err := http.NewRequestWithContext(ctx, method, "http://127.0.0.1:7717"+target, bytes.NewReader(body))
		if err != nil {
			return // no client can send it
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if method == http.MethodGet && strings.HasPrefix(target, "/v1/advisories/follow") {
			req.Header.Set("Last-Event-ID", arg)
		}
		rec := httptest.NewRecorder()
		fa.h.ServeHTTP(rec, req)
		if errs := fa.takeErrors(); len(errs) > 0 {
			t.Fatalf("%s %s: the daemon logged %q", method, target, errs)
		}
		status := rec.Code
		if status >= 500 {
			t.Fatalf("%s %s: %d %s", method, target, status, rec.Body)
		}
		if status < 400 {
			return
		}
		var eb api.ErrorBody
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&eb); err != nil || eb.Code == "" || eb.Error == "" {
			t.Fatalf("%s %s: %d with a body that is no JSON error (%v)", method, target, status, err)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: error Content-Type %q", method, target, ct)
		}
		if status == http.StatusBadRequest && !badRequestCodes[eb.Code] {
			t.Fatalf("%s %s: 400 with code %q", method, target, eb.Code)
		}
	})
}

// badRequestCodes are the codes docs/api.md gives a 400.
var badRequestCodes = map[string]bool{
	api.CodeBadRequest: true, api.CodeBadJSON: true, api.CodeBadKey: true, api.CodeBadTLP: true,
	api.CodeTooLarge: true, api.CodeBadCursor: true, api.CodeBadSignature: true, api.CodeWrongGroup: true,
	api.CodeBadEvidence: true, api.CodeSelf: true,
}
