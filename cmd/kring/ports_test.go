package main

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestShiftPorts: fixed TCP and UDP ports move, port 0 and other parts
// stay; the probe's hosts are loopback.
func TestShiftPorts(t *testing.T) {
	in := []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1", "/ip6/::/tcp/0", "/dns4/kring.example.org/tcp/4001"}
	want := []string{"/ip4/0.0.0.0/tcp/4003", "/ip4/0.0.0.0/udp/4003/quic-v1", "/ip6/::/tcp/0", "/dns4/kring.example.org/tcp/4003"}
	if got := shiftPorts(in, 2); !slices.Equal(got, want) {
		t.Errorf("shiftPorts = %q, want %q", got, want)
	}
	probe := []string{"/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1", "/ip6/::1/tcp/0", "/dns4/kring.example.org/tcp/4001"}
	if got := onLoopback(in); !slices.Equal(got, probe) {
		t.Errorf("onLoopback = %q, want %q", got, probe)
	}
}

// TestInitPicksFreePorts: a second circle's kring init on a host where the
// default ports are taken gets free ports of its own, and says which.
func TestInitPicksFreePorts(t *testing.T) {
	// Hold the default ports on loopback, as a node of another circle
	// listening on 0.0.0.0 would; a port someone else holds is as taken.
	for _, hold := range []struct{ network, addr string }{{"tcp", "127.0.0.1:4001"}, {"tcp", "127.0.0.1:7717"}} {
		if ln, err := net.Listen(hold.network, hold.addr); err == nil {
			defer ln.Close()
		}
	}
	if pc, err := net.ListenPacket("udp", "127.0.0.1:4001"); err == nil {
		defer pc.Close()
	}
	d := filepath.Join(t.TempDir(), "second")
	r := kring(t, "--data-dir", d, "init", "--org", "Second Circle CERT").must(t)
	for _, want := range []string{"node.listen: /ip4/0.0.0.0/tcp/4001 is in use on this host", "api.listen: 127.0.0.1:7717 is in use on this host"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("init did not say %q:\n%s", want, r.stdout)
		}
	}
	b, err := os.ReadFile(filepath.Join(d, configFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.Listen == "127.0.0.1:7717" || slices.Contains(cfg.Node.Listen, "/ip4/0.0.0.0/tcp/4001") {
		t.Errorf("init kept a taken port: api.listen %s, node.listen %q", cfg.API.Listen, cfg.Node.Listen)
	}
	if err := checkListenFree(onLoopback(cfg.Node.Listen), ""); err != nil {
		t.Errorf("the picked node.listen is not free: %v", err)
	}
	// Given ports are the operator's choice: init keeps them.
	d2 := filepath.Join(t.TempDir(), "third")
	kring(t, "--data-dir", d2, "--api", "127.0.0.1:7717", "init", "--org", "Third", "--listen", "/ip4/127.0.0.1/tcp/4001").must(t)
	b, _ = os.ReadFile(filepath.Join(d2, configFile))
	if !strings.Contains(string(b), `"127.0.0.1:7717"`) || !strings.Contains(string(b), "/ip4/127.0.0.1/tcp/4001") {
		t.Errorf("init changed the ports it was given:\n%s", b)
	}
}
