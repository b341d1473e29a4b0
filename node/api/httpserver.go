package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// HTTPLimits bound what one client of the API can hold: how long it may
// take to send a request, how long an answer may take to write, how long
// an idle keep-alive connection stays open, and how many connections are
// open at once. The follow stream clears its own write deadline (the
// read deadline ends with the request's body): it lasts as long as its
// client reads it.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds a handler's answer, from the end of the
	// request's headers; it exceeds the wait of a publishing request
	// for the node to be synced.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that carries no request.
	IdleTimeout time.Duration
	// MaxConns is how many connections the listener of Listener holds at
	// once; more wait in the kernel's accept queue until one closes.
	MaxConns int
}

// DefaultHTTPLimits returns the limits kring run serves the API with.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      MaxPublishWait + publishWait + 15*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxConns:          64,
	}
}

// withDefaults fills the zero fields of l from DefaultHTTPLimits.
func (l HTTPLimits) withDefaults() HTTPLimits {
	d := DefaultHTTPLimits()
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	return l
}

// HTTPServer returns an http.Server for the API with the server's
// HTTPLimits, its errors logged at WARN. Every request's context derives
// from base: cancelling it ends the requests in flight, follow streams
// included, so that Shutdown returns at once. Serve it on Listener(ln).
func (s *Server) HTTPServer(base context.Context) *http.Server {
	l := s.opts.HTTP.withDefaults()
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Listener returns ln holding at most the server's HTTPLimits.MaxConns
// connections at once: Accept waits while that many are open.
func (s *Server) Listener(ln net.Listener) net.Listener {
	max := s.opts.HTTP.withDefaults().MaxConns
	return &limitListener{Listener: ln, sem: make(chan struct{}, max), done: make(chan struct{})}
}

// limitListener is a listener with a cap on open connections.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

// Close closes the listener and wakes an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn frees its slot once, when it is closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
