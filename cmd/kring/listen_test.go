package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/p2p/net/reuseport"
	"github.com/multiformats/go-multiaddr"

	"github.com/kring-circle/kring/internal/loopback"
	"github.com/kring-circle/kring/node"
)

// TestSecondDaemonOnOnePortRefused: a second kring run whose node.listen
// port a running daemon holds refuses to start (exit 2) with the error the
// API listener gives for its port, instead of listening beside the first.
func TestSecondDaemonOnOnePortRefused(t *testing.T) {
	_, dirs, gpath := finishedCircle(t)
	port, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf(`listen = ["/ip4/127.0.0.1/tcp/%d"]`, port)
	for _, d := range dirs[:2] {
		kring(t, "--data-dir", d, "genesis", "install", gpath).must(t)
		editConfig(t, d, `listen = ["/ip4/0.0.0.0/tcp/4001","/ip4/0.0.0.0/udp/4001/quic-v1"]`, listen)
	}

	stop := startDaemon(t, dirs[0], "")
	defer stop()
	// Without the check the second daemon runs: the deadline stops it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, errOut strings.Builder
	code := run(ctx, []string{"--data-dir", dirs[1], "--api", "127.0.0.1:0", "run"}, strings.NewReader(""), &out, &errOut)
	r := result{stdout: out.String(), stderr: errOut.String(), code: code}
	r.fails(t, exitUsage, fmt.Sprintf("node.listen /ip4/127.0.0.1/tcp/%d: ", port))
	r.fails(t, exitUsage, "is another kring run using it? change node.listen in ")
}

// TestCheckListenFree: a TCP port held by a listener with SO_REUSEPORT (as
// libp2p's transport listens, whatever LIBP2P_TCP_REUSEPORT says) and a UDP port held by another socket are
// both reported taken; port 0 and free ports are not.
func TestCheckListenFree(t *testing.T) {
	var reuse reuseport.Transport // what libp2p's TCP transport listens with
	ln, err := reuse.Listen(multiaddr.StringCast("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	tcpPort, udpPort := ln.Addr().(*net.TCPAddr).Port, pc.LocalAddr().(*net.UDPAddr).Port
	free, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	for addr, taken := range map[string]bool{
		fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", tcpPort):         true,
		fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", udpPort): true,
		fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", free):            false,
		"/ip4/127.0.0.1/tcp/0":                                false,
		"/ip4/127.0.0.1/udp/0/quic-v1":                        false,
		fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/ws", tcpPort):      true,
	} {
		err := checkListenFree([]string{addr}, "config.toml")
		if (err != nil) != taken {
			t.Errorf("checkListenFree(%s) = %v, want taken=%v", addr, err, taken)
		}
		var ee *exitError
		if err != nil && (!errors.As(err, &ee) || ee.Code != exitUsage) {
			t.Errorf("checkListenFree(%s) = %v, want a usage error", addr, err)
		}
	}
}

// startDaemon runs kring run in dir in-process, its API on apiAddr
// (127.0.0.1:0 when empty), until the returned stop is called, and
// returns once the node has started.
func startDaemon(t *testing.T, dir, apiAddr string) (stop func()) {
	t.Helper()
	sigCtx, signal := context.WithCancel(context.Background())
	oldNotify := notifyContext
	notifyContext = func(parent context.Context, _ ...os.Signal) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			select {
			case <-sigCtx.Done():
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx, cancel
	}
	started := make(chan struct{}, 1)
	testHelpers = []func(context.Context, *node.Node){func(context.Context, *node.Node) {
		select {
		case started <- struct{}{}:
		default:
		}
	}}
	done := make(chan result, 1)
	if apiAddr == "" {
		apiAddr = "127.0.0.1:0"
	}
	go func() { done <- kring(t, "--data-dir", dir, "--api", apiAddr, "run") }()
	select {
	case <-started:
	case r := <-done:
		t.Fatalf("the first daemon did not start: %+v", r)
	case <-time.After(30 * time.Second):
		t.Fatal("the first daemon did not start")
	}
	testHelpers = nil
	notifyContext = oldNotify
	return func() {
		signal()
		select {
		case r := <-done:
			if r.code != exitOK {
				t.Errorf("the first daemon stopped with exit %d: %s", r.code, r.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Error("the first daemon did not stop")
		}
	}
}
