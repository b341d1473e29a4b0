package bench

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// proxy emulates the links into one node in user space (the kernel may
// lack netem): the node announces the proxy's address instead of its
// own, so every connection dialled to the node crosses the proxy, which
// forwards each chunk of bytes delay after it read it, in order, in both
// directions, and counts the bytes. Each connection crosses exactly one
// proxy (the dialled node's), so a link's one-way latency is delay.
type proxy struct {
	ln     net.Listener
	delay  time.Duration
	target func() (string, error)
	bytes  atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// newProxy listens on a loopback port and forwards to the address target
// returns at each accept (the node may restart on another port).
func newProxy(delay time.Duration, target func() (string, error)) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: proxy: %w", err)
	}
	p := &proxy{ln: ln, delay: delay, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// multiaddr is the proxy's address in the form a node announces.
func (p *proxy) multiaddr() string {
	a := p.ln.Addr().(*net.TCPAddr)
	return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", a.Port)
}

// Bytes returns the bytes forwarded so far, both directions.
func (p *proxy) Bytes() int64 { return p.bytes.Load() }

// Close stops the proxy and closes its connections.
func (p *proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

func (p *proxy) handle(c net.Conn) {
	addr, err := p.target()
	var t net.Conn
	if err == nil {
		t, err = net.DialTimeout("tcp", addr, 5*time.Second)
	}
	if err != nil || !p.track(c, t) {
		c.Close()
		if t != nil {
			t.Close()
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(t, c) }()
	go func() { defer wg.Done(); p.pipe(c, t) }()
	wg.Wait()
	p.untrack(c, t)
}

// chunk is bytes read from one side, due at the other side at due.
type chunk struct {
	b   []byte
	due time.Time
}

// pipe copies src to dst, each chunk delay after it was read. When
// either side fails, both close, which ends the other direction too.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	if p.delay <= 0 {
		_, _ = io.Copy(countWriter{dst, &p.bytes}, src)
		return
	}
	ch := make(chan chunk, 1024)
	go func() {
		defer close(ch)
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{b: append([]byte(nil), buf[:n]...), due: time.Now().Add(p.delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range ch {
		if failed {
			continue // drain, so the reader ends
		}
		if w := time.Until(c.due); w > 0 {
			time.Sleep(w)
		}
		n, err := dst.Write(c.b)
		p.bytes.Add(int64(n))
		if err != nil {
			failed = true
			src.Close()
		}
	}
}

// countWriter counts what it writes.
type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}
