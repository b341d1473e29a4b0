package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kring-circle/kring/node"
)

// MaxBody bounds a request body: the largest op is 1 MiB, and JSON and
// base64 take room around it.
const MaxBody = 2 << 20

// publishWait bounds how long a publishing request waits for the node to
// be ready (synced with enough members) before it answers 409 not-synced.
const publishWait = 15 * time.Second

// MaxPublishWait bounds the wait a publish asks for (POST /v1/advisories
// ?wait=): the server's write timeout leaves publishWait (to sign and
// send) and 15 s beyond it to answer.
const MaxPublishWait = 45 * time.Second

// ServerOptions configures a Server.
type ServerOptions struct {
	// Token is the bearer token every route but GET /healthz requires.
	// An empty Token refuses every such request.
	Token string
	// Version is the daemon's version, shown by /v1/status and in the
	// kring_info metric.
	Version string
	// Logger receives a line per request that failed; nil discards.
	Logger *slog.Logger
	// Registry is where the server registers its metrics, served at
	// /metrics; nil makes a registry of the server's own.
	Registry *prometheus.Registry
	// StoreDelay, if set, is registered with the metrics: the histogram
	// of publish-to-store delays that node.Config.OnStored feeds.
	StoreDelay *StoreDelay
	// HTTP bounds the server that HTTPServer returns and the listener
	// that Listener wraps; zero fields take DefaultHTTPLimits' values.
	HTTP HTTPLimits
}

// Server is a member daemon's local HTTP API over one node. It is safe for
// concurrent use; it holds no state of its own beyond its metrics.
type Server struct {
	n    *node.Node
	opts ServerOptions
	log  *slog.Logger
	// token is the hash of the bearer token in force, nil when there is
	// none (every request but the health check is refused); SetToken
	// swaps it while the server runs.
	token   atomic.Pointer[[sha256.Size]byte]
	started time.Time
	reg     *prometheus.Registry
	mux     *http.ServeMux
	handler http.Handler
}

// NewServer returns the API of node n. The caller serves Handler on a
// loopback listener and keeps the node running while it does.
func NewServer(n *node.Node, opts ServerOptions) *Server {
	s := &Server{n: n, opts: opts, log: opts.Logger, started: time.Now(), reg: opts.Registry}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.SetToken(opts.Token)
	s.registerMetrics()
	s.routes()
	s.handler = s.recoverer(s.authenticate(s.muxOrError()))
	return s
}

// SetToken puts tok in force as the bearer token from the next request
// on, in place of ServerOptions.Token or the last SetToken: a token
// rotated while the daemon runs needs no restart, and the old one stops
// working at once. An empty tok refuses every request but the health
// check. It reports whether the token in force changed.
func (s *Server) SetToken(tok string) (changed bool) {
	var next *[sha256.Size]byte
	if tok != "" {
		sum := sha256.Sum256([]byte(tok))
		next = &sum
	}
	prev := s.token.Swap(next)
	return (prev == nil) != (next == nil) || prev != nil && *prev != *next
}

// Handler returns the API's routes, /metrics included, behind the token
// check and a panic guard.
func (s *Server) Handler() http.Handler { return s.handler }

// route is one pattern of the API and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// table lists the API's routes; docs/api.openapi.yaml must list the same.
func (s *Server) table() []route {
	h := func(pattern string, f http.HandlerFunc) route { return route{pattern, f} }
	return []route{
		h("GET /healthz", s.healthz),
		h("GET /v1/status", s.status),
		h("GET /v1/peers", s.peers),
		h("GET /v1/members", s.members),
		h("GET /v1/members/{key}", s.member),
		h("GET /v1/advisories", s.advisories),
		h("GET /v1/advisories/follow", s.follow),
		h("GET /v1/advisories/{id}", s.advisory),
		h("POST /v1/advisories", s.publish),
		h("POST /v1/endorsements", s.endorse),
		h("POST /v1/votes", s.vote),
		h("GET /v1/motions", s.motions),
		h("GET /v1/disavowals/preview", s.disavowPreview),
		h("GET /v1/charter", s.charter),
		h("POST /v1/charter/proposals", s.proposeCharter),
		h("POST /v1/charter/votes", s.voteCharter),
		h("POST /v1/leave", s.leave),
		h("POST /v1/acknowledgements", s.acknowledge),
		h("GET /v1/blocks", s.blocks),
		h("POST /v1/blocks", s.block),
		h("DELETE /v1/blocks/{key}", s.unblock),
		h("GET /v1/backup", s.backup),
		{"GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{s.log}})},
	}
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	for _, r := range s.table() {
		s.mux.Handle(r.pattern, r.handler)
	}
}

// muxOrError routes a request, answering an unknown route or method with
// a JSON error rather than the mux's plain text.
func (s *Server) muxOrError() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := s.mux.Handler(r)
		if pattern != "" {
			s.mux.ServeHTTP(w, r)
			return
		}
		rec := &statusOnly{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusNotFound:
			writeError(w, fail(http.StatusNotFound, CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeError(w, fail(http.StatusMethodNotAllowed, CodeMethod, "%s is not allowed on %s", r.Method, r.URL.Path))
		default:
			s.mux.ServeHTTP(w, r) // a redirect to the clean path
		}
	})
}

// authenticate requires the bearer token on every route but the health
// check. The token is compared in constant time (of its hash).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		want := s.token.Load()
		if !ok || want == nil || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kring"`)
			writeError(w, fail(http.StatusUnauthorized, CodeUnauthorized,
				"missing or wrong API token (send Authorization: Bearer <the api.token file of the data dir>)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a 500, as a last line: no
// input may crash the daemon.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("api handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, fail(http.StatusInternalServerError, CodeInternal, internalMsg))
		}()
		next.ServeHTTP(w, r)
	})
}

// answer writes v, or err as a JSON error, logging failures the server
// is to blame for.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		ae := classify(err)
		s.logFailure(r, ae, err)
		writeJSON(w, ae.status, ErrorBody{Error: ae.msg, Code: ae.code})
		return
	}
	writeJSON(w, status, v)
}

// logFailure logs a failure the server is to blame for, with the detail
// a 500's answer leaves out: an ERROR for a 500, a WARN for the others.
func (s *Server) logFailure(r *http.Request, ae *apiError, err error) {
	switch {
	case ae.status == http.StatusInternalServerError:
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "status", ae.status, "err", err)
	case ae.status > 500:
		s.log.Warn("api request failed", "method", r.Method, "path", r.URL.Path, "status", ae.status, "err", err)
	}
}

// decode reads the request body strictly into v: at most MaxBody bytes,
// one JSON value, no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return fail(http.StatusBadRequest, CodeBadJSON, "the body holds more than one JSON value")
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the body is over %d bytes", MaxBody)
	}
	if errors.Is(err, io.EOF) {
		return fail(http.StatusBadRequest, CodeBadJSON, "the body is empty; send a JSON object")
	}
	return fail(http.StatusBadRequest, CodeBadJSON, "bad JSON body: %v", err)
}

// statusOnly records the status and headers a handler writes, and drops
// its body.
type statusOnly struct {
	header http.Header
	status int
}

func (r *statusOnly) Header() http.Header { return r.header }
func (r *statusOnly) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}
func (r *statusOnly) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// slogPrinter adapts a slog.Logger to promhttp's error log.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.l.Warn("metrics", "err", fmt.Sprint(v...)) }
