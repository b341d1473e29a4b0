package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
)

// TestNewAddrInUse: a node whose only listen address another process
// holds does not start, with an error wrapping ErrAddrInUse that keeps
// libp2p's text; any other failure does not wrap it.
func TestNewAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := newCircle(t, "A", "B", "C")
	cfg := testConfig(c, "A")
	cfg.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ln.Addr().(*net.TCPAddr).Port)}
	n, err := New(context.Background(), cfg)
	if err == nil {
		n.Close()
		t.Fatal("a node started on a port another process holds")
	}
	if !errors.Is(err, ErrAddrInUse) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("New on a taken port: %v, want an error wrapping ErrAddrInUse", err)
	}
	if other := listenFailed(errors.New("failed to listen on any addresses: [no transport]")); errors.Is(other, ErrAddrInUse) {
		t.Errorf("listenFailed marked %v as an address in use", other)
	}
}

// TestNewDataDirInUse: a second node on a data dir a first node holds
// does not start, with an error wrapping store.ErrInUse.
func TestNewDataDirInUse(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	dir := t.TempDir()
	onDisk := func(cfg *Config) { cfg.DataDir, cfg.Store.InMemory = dir, false }
	startNode(t, c, "A", onDisk)
	cfg := testConfig(c, "A")
	onDisk(&cfg)
	n, err := New(context.Background(), cfg)
	if err == nil {
		n.Close()
		t.Fatal("a second node started on a data dir in use")
	}
	if !errors.Is(err, store.ErrInUse) || errors.Is(err, ErrAddrInUse) {
		t.Fatalf("New on a data dir in use: %v, want an error wrapping store.ErrInUse", err)
	}
}
