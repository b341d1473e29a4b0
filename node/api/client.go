package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Errors of the Client.
var (
	// ErrDaemonDown: nothing answers at the API address.
	ErrDaemonDown = errors.New("api: the kring daemon is not running (start it with `kring run`)")
	// ErrUnauthorized: the daemon refused the token (401).
	ErrUnauthorized = errors.New("api: the daemon refused the API token (it must be the api.token file of the daemon's data dir)")
)

// APIError is an error the daemon answered with, other than 401.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code names the error (see the Code constants and docs/api.md); a
	// refusal by the log (422) carries the trust reason.
	Code string
	// Message is the daemon's sentence for people.
	Message string
}

// Error returns the daemon's message and code.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Client calls a daemon's local API. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// NewClient returns a client of the API at baseURL (e.g.
// "http://127.0.0.1:7717"; "127.0.0.1:7717" means the same) that sends
// token. It never goes through an HTTP proxy, and sets no overall
// timeout: bound each call with its context.
func NewClient(baseURL, token string) *Client {
	if !strings.Contains(baseURL, "://") {
		baseURL = "http://" + baseURL
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Transport: tr}}
}

// do sends a request with body in (JSON, if not nil) and decodes a 2xx
// answer into out (if not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("api: %s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

// send sends a request and returns a 2xx response; any other status is
// turned into an error.
func (c *Client) send(ctx context.Context, method, path string, in any, accept string) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("api: encoding the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", accept)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w: nothing listens at %s", ErrDaemonDown, c.base)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("api: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, responseError(resp)
}

// responseError turns a non-2xx answer into ErrUnauthorized or an
// *APIError.
func responseError(resp *http.Response) error {
	if resp.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var eb ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Code == "" {
		msg := strings.TrimSpace(string(b))
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &APIError{Status: resp.StatusCode, Code: "http-" + strconv.Itoa(resp.StatusCode), Message: msg}
	}
	return &APIError{Status: resp.StatusCode, Code: eb.Code, Message: eb.Error}
}

// Health checks that the daemon runs and its node has not stopped; it
// needs no token.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var out Status
	return out, c.do(ctx, http.MethodGet, "/v1/status", nil, &out)
}

// Peers returns the connected peers.
func (c *Client) Peers(ctx context.Context) ([]Peer, error) {
	var out []Peer
	return out, c.do(ctx, http.MethodGet, "/v1/peers", nil, &out)
}

// Members returns every key the log knows, sorted by key.
func (c *Client) Members(ctx context.Context) ([]MemberInfo, error) {
	var out []MemberInfo
	return out, c.do(ctx, http.MethodGet, "/v1/members", nil, &out)
}

// Member returns what the log says of key (64 hex digits), with the ops
// that made its standing.
func (c *Client) Member(ctx context.Context, key string) (MemberDetail, error) {
	var out MemberDetail
	return out, c.do(ctx, http.MethodGet, "/v1/members/"+url.PathEscape(key), nil, &out)
}

// Motions returns the decisions in progress, the oldest first.
func (c *Client) Motions(ctx context.Context) ([]MotionInfo, error) {
	var out []MotionInfo
	return out, c.do(ctx, http.MethodGet, "/v1/motions", nil, &out)
}

// Advisories returns a page of live advisories in stored order, oldest
// or newest first as opts.Order says.
func (c *Client) Advisories(ctx context.Context, opts ListOptions) ([]AdvisoryInfo, error) {
	q := url.Values{}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.After != "" {
		q.Set("after", opts.After)
	}
	if opts.Before != "" {
		q.Set("before", opts.Before)
	}
	if opts.Order != "" {
		q.Set("order", opts.Order)
	}
	path := "/v1/advisories"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []AdvisoryInfo
	return out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// Advisory returns the live advisory with ID id.
func (c *Client) Advisory(ctx context.Context, id string) (AdvisoryInfo, error) {
	var out AdvisoryInfo
	return out, c.do(ctx, http.MethodGet, "/v1/advisories/"+url.PathEscape(id), nil, &out)
}

// Publish publishes an advisory and returns its op.
func (c *Client) Publish(ctx context.Context, req PublishRequest) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/advisories", req, &out)
}

// PublishWithin publishes an advisory like Publish, letting the daemon
// wait up to wait (at most MaxPublishWait) for the node to be ready.
func (c *Client) PublishWithin(ctx context.Context, req PublishRequest, wait time.Duration) (OpInfo, error) {
	var out OpInfo
	q := url.Values{"wait": {wait.String()}}
	return out, c.do(ctx, http.MethodPost, "/v1/advisories?"+q.Encode(), req, &out)
}

// Endorse publishes an endorsement of an application and returns the vote.
func (c *Client) Endorse(ctx context.Context, req EndorseRequest) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/endorsements", req, &out)
}

// Vote publishes a vote to suspend, unsuspend or revoke a member.
func (c *Client) Vote(ctx context.Context, req VoteRequest) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/votes", req, &out)
}

// Charter returns the charter in force, its thresholds today and the open
// motions to change it.
func (c *Client) Charter(ctx context.Context) (CharterView, error) {
	var out CharterView
	return out, c.do(ctx, http.MethodGet, "/v1/charter", nil, &out)
}

// ProposeCharter publishes a vote for a new charter and returns the vote;
// its MotionID is the motion's ID.
func (c *Client) ProposeCharter(ctx context.Context, doc CharterDoc) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/charter/proposals", ProposeRequest{Charter: doc}, &out)
}

// VoteCharter publishes a vote for the open charter motion with ID motion
// (64 hex digits).
func (c *Client) VoteCharter(ctx context.Context, motion string) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/charter/votes", CharterVoteRequest{Motion: motion}, &out)
}

// Leave publishes this organisation's departure from the circle, for good.
func (c *Client) Leave(ctx context.Context, reason string) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/leave", LeaveRequest{Reason: reason}, &out)
}

// Acknowledge has the node sign an acknowledgement now.
func (c *Client) Acknowledge(ctx context.Context) (OpInfo, error) {
	var out OpInfo
	return out, c.do(ctx, http.MethodPost, "/v1/acknowledgements", nil, &out)
}

// Block blocks key on this node alone.
func (c *Client) Block(ctx context.Context, key, reason string) error {
	return c.do(ctx, http.MethodPost, "/v1/blocks", BlockRequest{Key: key, Reason: reason}, nil)
}

// Unblock lifts this node's block of key.
func (c *Client) Unblock(ctx context.Context, key string) error {
	return c.do(ctx, http.MethodDelete, "/v1/blocks/"+url.PathEscape(key), nil, nil)
}

// Blocks returns this node's local blocks, sorted by key.
func (c *Client) Blocks(ctx context.Context) ([]BlockInfo, error) {
	var out []BlockInfo
	return out, c.do(ctx, http.MethodGet, "/v1/blocks", nil, &out)
}

// Backup copies the node's store, as GET /v1/backup streams it, to w. An
// error after the first bytes means w holds a cut copy: discard it.
func (c *Client) Backup(ctx context.Context, w io.Writer) error {
	resp, err := c.send(ctx, http.MethodGet, "/v1/backup", nil, "application/octet-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("api: GET /v1/backup: the stream broke off: %w", err)
	}
	return nil
}
