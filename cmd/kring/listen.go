package main

import (
	"errors"
	"net"
	"strings"

	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/kring-circle/kring/node"
)

// Two daemons on one node.listen port.
//
// libp2p's host starts if any one listen address binds, so a port that is
// taken would be only a log line. The node's TCP transport listens without
// SO_REUSEPORT (node/host.go), so a second daemon cannot bind beside the
// first; kring run refuses to start with a clear error, in two steps:
//
//   - checkListenFree binds every listen address with a fixed port, TCP or
//     UDP, without SO_REUSEPORT, and closes it again before the node starts:
//     a port held by another process, even one that listens with
//     SO_REUSEPORT, refuses that bind.
//   - checkListening, once the node is up, checks that it listens on every
//     such address: a daemon that took a port between the probe and the
//     node's own bind is caught there.

// fixedPortAddr is a listen multiaddr with an explicit port, as the
// network and address net.Listen takes.
type fixedPortAddr struct {
	multiaddr string
	network   string // "tcp4", "tcp6", "udp4" or "udp6"
	addr      string
}

// fixedPortAddrs returns the listen addresses that name an IP and a port
// other than 0; others (port 0, DNS names) cannot collide.
func fixedPortAddrs(listen []string) []fixedPortAddr {
	var out []fixedPortAddr
	for _, s := range listen {
		m, err := multiaddr.NewMultiaddr(s)
		if err != nil || len(m) < 2 {
			continue // node.Config.Validate names it
		}
		network, addr, err := manet.DialArgs(m[:2])
		if err != nil || strings.HasSuffix(addr, ":0") {
			continue
		}
		out = append(out, fixedPortAddr{multiaddr: s, network: network, addr: addr})
	}
	return out
}

// checkListenFree binds each fixed-port listen address once, without
// SO_REUSEPORT, and returns the usage error startError gives when one is
// taken.
func checkListenFree(listen []string, configPath string) error {
	for _, a := range fixedPortAddrs(listen) {
		var err error
		if strings.HasPrefix(a.network, "udp") {
			var pc net.PacketConn
			if pc, err = net.ListenPacket(a.network, a.addr); err == nil {
				err = pc.Close()
			}
		} else {
			var ln net.Listener
			if ln, err = net.Listen(a.network, a.addr); err == nil {
				err = ln.Close()
			}
		}
		if err != nil {
			return listenTaken(a.multiaddr, err, configPath)
		}
	}
	return nil
}

// checkListening returns the same usage error if n does not listen on
// each fixed-port listen address.
func checkListening(n *node.Node, listen []string, configPath string) error {
	have := map[string]bool{}
	for _, m := range n.ListenAddrs() {
		have[m.String()] = true
	}
	for _, a := range fixedPortAddrs(listen) {
		m, err := multiaddr.NewMultiaddr(a.multiaddr)
		if err != nil || have[m.String()] {
			continue
		}
		return listenTaken(a.multiaddr, errors.New("address already in use (the node could not listen on it)"), configPath)
	}
	return nil
}

// listenTaken is the error for a node.listen address another process holds.
func listenTaken(addr string, err error, configPath string) error {
	return usageErrorf("node.listen %s: %v: is another kring run using it? change node.listen in %s", addr, err, configPath)
}
