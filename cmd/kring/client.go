package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
)

// callTimeout bounds one API call of a CLI verb; publishing waits up to
// 15 s on the daemon for the node to be ready.
const callTimeout = 30 * time.Second

// conn is a CLI verb's connection to the daemon.
type conn struct {
	c    *api.Client
	addr string
	dir  dataDir
	// timeout is how long the verb lets the daemon take, when it is not
	// callTimeout (publish --wait).
	timeout time.Duration
}

// client connects to the daemon of the data dir: api.listen from its
// config (or --api) and its api.token.
func (a *app) client() (*conn, error) {
	d := a.dir()
	addr := a.apiFlag
	if addr == "" {
		cfg, err := a.config()
		if err != nil {
			return nil, err
		}
		addr = cfg.API.Listen
	}
	if err := checkAPIAddr(addr); err != nil {
		return nil, err
	}
	token, err := loadToken(d)
	if err != nil {
		return nil, err
	}
	return &conn{c: api.NewClient(addr, token), addr: addr, dir: d}, nil
}

// checkAPIAddr refuses an API address that a client verb would send the
// token to in the clear over the network: it takes host:port or an
// http:// URL on loopback, or an https:// URL anywhere (a TLS proxy in
// front of the daemon).
func checkAPIAddr(addr string) error {
	hostport := addr
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" {
			return usageErrorf("--api %q is not host:port or a URL: write it like %q", addr, defaultAPI)
		}
		switch u.Scheme {
		case "https":
			return nil
		case "http":
		default:
			return usageErrorf("--api %q: kring speaks http:// on loopback or https://, not %s://", addr, u.Scheme)
		}
		hostport = u.Host
		if u.Port() == "" {
			hostport = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return usageErrorf("--api %q is not host:port: write it like %q", addr, defaultAPI)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usageErrorf("--api %q is not a loopback address: the API token would cross the network in the clear; use 127.0.0.1:PORT on the daemon's machine, or an https:// URL of a TLS proxy in front of it", addr)
	}
	return nil
}

// ctx returns a context for one call.
func callCtx(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, callTimeout)
}

// explain turns an API client error into one line with what to do and an
// exit status. what says what the verb tried, e.g. "publishing".
func (cn *conn) explain(what string, err error) error {
	if err == nil {
		return nil
	}
	var ae *api.APIError
	switch {
	case errors.Is(err, api.ErrDaemonDown):
		return &exitError{Code: exitDaemon, Err: errorf("%s: the daemon is not running at %s: start it with `kring --data-dir %s run`", what, cn.addr, cn.dir)}
	case errors.Is(err, api.ErrUnauthorized):
		return identityErrorf("%s: the daemon at %s refused the token in %s: use the data dir of that daemon (--data-dir), or restart kring run after changing api.token", what, cn.addr, cn.dir.path(tokenFile))
	case errors.Is(err, context.DeadlineExceeded):
		timeout := callTimeout
		if cn.timeout > 0 {
			timeout = cn.timeout
		}
		return failuref("%s: the daemon at %s did not answer within %s: check its log", what, cn.addr, timeout)
	case errors.As(err, &ae):
		return cn.explainAPI(what, ae)
	}
	return failuref("%s: %v", what, err)
}

func (cn *conn) explainAPI(what string, ae *api.APIError) error {
	switch {
	case ae.Code == api.CodeNotSharing:
		return failuref("%s: refused: this organisation is not in the circle's sharing set%s: `kring status` and `kring members` say why", what, detail(ae.Message, node.ErrNotSharing))
	case ae.Code == api.CodeEndorsed || ae.Code == api.CodeVoted:
		return failuref("%s: refused: %s", what, ae.Message)
	case ae.Code == api.CodeNotSynced:
		return failuref("%s: not yet in sync with the circle%s: check `kring peers` and try again", what, detail(ae.Message, node.ErrNotSynced))
	case ae.Code == api.CodeNoMember || ae.Code == api.CodeOwnBehind:
		return failuref("%s: refused: %s", what, nodeMessage(ae.Message))
	case ae.Code == api.CodePlaintextRed:
		return usageErrorf("%s: refused: a TLP:RED advisory would reach every member and every future member in plaintext "+
			"(Kring cannot yet encrypt it to named recipients): publish it as AMBER+STRICT or send it out of band, "+
			"or add --plaintext-red to accept that every member and future member can read it", what)
	case ae.Code == api.CodeAuthorBlocked:
		return failuref("%s: %s", what, ae.Message)
	case ae.Code == api.CodeKeepRequired || ae.Code == api.CodeNotForked:
		return usageErrorf("%s: %s", what, ae.Message)
	case ae.Code == api.CodeUnknownMember || ae.Code == api.CodeNoAdvisory:
		return usageErrorf("%s: %s: `kring members` and `kring advisories list` show what the log holds", what, ae.Message)
	case ae.Status == http.StatusUnprocessableEntity:
		return failuref("%s: the circle's log refuses it (%s): %s", what, ae.Code, ae.Message)
	case ae.Status == http.StatusBadRequest:
		return usageErrorf("%s: %s (%s)", what, ae.Message, ae.Code)
	case ae.Status == http.StatusServiceUnavailable:
		return failuref("%s: %s: the daemon's node has stopped; see its log and restart kring run", what, ae.Message)
	}
	return failuref("%s: the daemon answered %d: %s (%s)", what, ae.Status, ae.Message, ae.Code)
}

// nodeMessage is a node error's message as the API answered it, without
// the package prefix and without the daemon's note that its wait ran out.
func nodeMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "node: ")
	return strings.TrimSuffix(msg, " ("+context.DeadlineExceeded.Error()+")")
}

// detail is what an API error's message adds to the node's sentinel
// error it wraps, as " (...)", or "" when it adds nothing: a refusal
// says its clause once.
func detail(msg string, sentinel error) string {
	for _, prefix := range []string{sentinel.Error(), strings.TrimPrefix(sentinel.Error(), "node: ")} {
		if rest, ok := strings.CutPrefix(msg, prefix); ok {
			msg = rest
			break
		}
	}
	msg = strings.TrimSuffix(msg, " ("+context.DeadlineExceeded.Error()+")") // the daemon's wait ran out: no news
	if msg = strings.TrimSpace(strings.TrimPrefix(msg, ":")); msg == "" {
		return ""
	}
	return " (" + msg + ")"
}

// show runs a read verb: it asks the daemon with fetch and prints the
// answer as the API's JSON (--output json) or with table. what names the
// request in errors.
func show[T any](a *app, cmd *cobra.Command, what string, fetch func(*api.Client, context.Context) (T, error), table func(T) error) error {
	cn, err := a.client()
	if err != nil {
		return err
	}
	ctx, cancel := callCtx(cmd.Context())
	defer cancel()
	v, err := fetch(cn.c, ctx)
	if err != nil {
		return cn.explain(what, err)
	}
	if a.output == "json" {
		return a.printJSON(v)
	}
	return table(v)
}
