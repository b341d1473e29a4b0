package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxEventBytes bounds one line of a follow stream: an advisory's JSON
// with the largest content fits well within it.
const maxEventBytes = 16 << 20

// ErrStreamEnded is returned by Follow when the daemon ended the stream
// without an error event, e.g. because it is shutting down.
var ErrStreamEnded = errors.New("api: the daemon ended the advisory stream")

// ErrStreamCut is returned, wrapped, by Follow when the stream broke off
// mid-way, e.g. because the daemon was killed ("unexpected EOF").
var ErrStreamCut = errors.New("api: the advisory stream broke off")

// FollowOptions says where a follow starts and whom it tells.
type FollowOptions struct {
	// After is a cursor: an advisory's ID or Position; only advisories
	// stored after it are streamed. Empty starts at the beginning.
	After string
	// Opened, if not nil, is called once the daemon has accepted the
	// stream, before any advisory.
	Opened func()
}

// Follow streams advisories: every live advisory stored after the cursor
// after (an advisory's ID or position; empty for all), then each new one
// as the daemon stores it, calling fn for each in stored order. It returns
// fn's first error, the error the daemon ended the stream with (an
// *APIError), ErrStreamEnded, an error wrapping ErrStreamCut, or ctx's
// error once ctx is done. To resume after an error, call Follow again
// with the Position of the last advisory fn saw.
func (c *Client) Follow(ctx context.Context, after string, fn func(AdvisoryInfo) error) error {
	return c.FollowWith(ctx, FollowOptions{After: after}, fn)
}

// FollowWith is Follow with options.
func (c *Client) FollowWith(ctx context.Context, opts FollowOptions, fn func(AdvisoryInfo) error) error {
	path := "/v1/advisories/follow"
	if opts.After != "" {
		path += "?after=" + url.QueryEscape(opts.After)
	}
	resp, err := c.send(ctx, http.MethodGet, path, nil, "text/event-stream")
	if err != nil {
		return err
	}
	if opts.Opened != nil {
		opts.Opened()
	}
	defer resp.Body.Close()
	err = readEvents(resp.Body, func(event string, data []byte) error {
		switch event {
		case "advisory":
			var ai AdvisoryInfo
			if err := json.Unmarshal(data, &ai); err != nil {
				return fmt.Errorf("api: a bad advisory event: %w", err)
			}
			return fn(ai)
		case "error":
			var se streamError
			if err := json.Unmarshal(data, &se); err != nil || se.Code == "" {
				return fmt.Errorf("api: the daemon ended the stream with an unreadable error: %q", data)
			}
			return &APIError{Status: se.Status, Code: se.Code, Message: se.Error}
		}
		return nil // an event type this client does not know
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// readEvents parses a Server-Sent Events stream, calling fn with each
// event's type and data until fn fails or the stream ends (ErrStreamEnded).
func readEvents(r io.Reader, fn func(event string, data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventBytes)
	event, data := "", []byte(nil)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if data != nil {
				if event == "" {
					event = "message"
				}
				if err := fn(event, data); err != nil {
					return err
				}
			}
			event, data = "", nil
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			event = value
		case "data":
			if data != nil {
				data = append(data, '\n')
			}
			data = append(data, value...)
			if data == nil {
				data = []byte{}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStreamCut, err)
	}
	return ErrStreamEnded
}
