package api_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// short are limits far below the defaults, so that the tests below see
// them act; the guard deadlines of the tests are many times longer.
var short = api.HTTPLimits{
	ReadHeaderTimeout: 150 * time.Millisecond,
	ReadTimeout:       150 * time.Millisecond,
	WriteTimeout:      150 * time.Millisecond,
	IdleTimeout:       150 * time.Millisecond,
	MaxConns:          2,
}

// serveLimited serves d's node a second time, as kring run does
// (HTTPServer on Listener), with limits; it returns the address.
func serveLimited(t *testing.T, d *daemon, limits api.HTTPLimits) string {
	t.Helper()
	srv := api.NewServer(d.n, api.ServerOptions{Token: token, Version: "v-test", HTTP: limits})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, cancel := context.WithCancel(context.Background())
	hs := srv.HTTPServer(base)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(srv.Listener(ln)) }()
	t.Cleanup(func() {
		cancel()
		_ = hs.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// answered reports whether the server answers or closes conn before the
// guard deadline: what it sent first, or "" for a close without a word.
func answered(t *testing.T, conn net.Conn, guard time.Duration) (line string, ok bool) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(guard))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "", false
	}
	return line, true
}

// dialShort serves member A's API with the short limits and returns a
// raw connection to it, closed at cleanup.
func dialShort(t *testing.T) net.Conn {
	t.Helper()
	c := newCircle(t, "A", "B", "C")
	conn, err := net.Dial("tcp", serveLimited(t, start(t, c, "A"), short))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestSlowRequestCut: a client that sends headers and then stalls in its
// body is answered or cut off once the read timeout passes, instead of
// holding its connection (and a slot of the cap) for ever.
func TestSlowRequestCut(t *testing.T) {
	conn := dialShort(t)
	fmt.Fprintf(conn, "POST /v1/advisories HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":", token)
	if line, ok := answered(t, conn, 5*time.Second); !ok {
		t.Fatal("a request whose body never ends holds its connection past the read timeout")
	} else if line != "" && !strings.HasPrefix(line, "HTTP/1.1 4") {
		t.Errorf("a stalled body was answered %q, want a 4xx or a close", line)
	}
}

// TestIdleConnectionClosed: a keep-alive connection that carries no
// second request is closed by the server.
func TestIdleConnectionClosed(t *testing.T) {
	conn := dialShort(t)
	fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	_, _ = r.ReadString('}')  // the body
	_, _ = r.ReadString('\n') // its newline
	if _, err := r.ReadByte(); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server kept an idle connection open past its idle timeout")
	}
}

// TestConnectionCap: with MaxConns connections open, the next one is not
// served until one of them closes.
func TestConnectionCap(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	limits := short
	limits.ReadHeaderTimeout, limits.ReadTimeout, limits.IdleTimeout = time.Minute, time.Minute, time.Minute
	addr := serveLimited(t, start(t, c, "A"), limits)
	var held []net.Conn
	for range limits.MaxConns {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		held = append(held, conn)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprint(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if line, ok := answered(t, extra, 300*time.Millisecond); ok {
		t.Fatalf("a connection over the cap of %d was served: %q", limits.MaxConns, line)
	}
	held[0].Close()
	if line, ok := answered(t, extra, 5*time.Second); !ok || !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Fatalf("once a slot was free the waiting connection got %q (answered %v), want 200", line, ok)
	}
}

// TestFollowOutlivesTimeouts: a follow stream is not cut by the read and
// write timeouts that bound every other request: an advisory published
// long after them still arrives on it.
func TestFollowOutlivesTimeouts(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := start(t, c, "A")
	cl := api.NewClient("http://"+serveLimited(t, a, short), token)
	ctx := ctxFor(t, 20*time.Second)
	got := make(chan string, 4)
	done := make(chan error, 1)
	go func() {
		done <- cl.Follow(ctx, "", func(ai api.AdvisoryInfo) error { got <- ai.Title; return nil })
	}()
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "first", TLP: "CLEAR"}); err != nil {
		t.Fatal(err)
	}
	if title := <-got; title != "first" {
		t.Fatalf("the stream began with %q", title)
	}
	time.Sleep(4 * short.ReadTimeout) // past every timeout of the server
	if _, err := a.c.Publish(ctx, api.PublishRequest{Title: "second", TLP: "CLEAR"}); err != nil {
		t.Fatal(err)
	}
	select {
	case title := <-got:
		if title != "second" {
			t.Fatalf("the stream went on with %q, want second", title)
		}
	case err := <-done:
		t.Fatalf("the follow stream ended after the server's timeouts: %v", err)
	case <-ctx.Done():
		t.Fatal("the second advisory never came")
	}
}
