package main

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
)

// Several circles on one host.
//
// Each data dir is one node of one circle, with its own node.listen and
// api.listen ports. kring init without --listen takes node.listen's
// default port (4001) when it is free on this host, else the next port
// that is; without --api it does the same for api.listen (7717). It says
// which ports it took. A node of another circle that is stopped while
// kring init runs holds no port, so init cannot see it: kring run then
// refuses to start on a taken port and names the setting to change.

// portTries is how many ports above a default kring init tries.
const portTries = 100

// fixedPort matches the port of a TCP or UDP multiaddr component.
var fixedPort = regexp.MustCompile(`/(tcp|udp)/([0-9]+)`)

// shiftPorts returns the multiaddrs with every fixed port moved up by
// step; port 0 stays 0.
func shiftPorts(addrs []string, step int) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = fixedPort.ReplaceAllStringFunc(a, func(c string) string {
			m := fixedPort.FindStringSubmatch(c)
			p, err := strconv.Atoi(m[2])
			if err != nil || p == 0 || p+step > 65535 {
				return c
			}
			return fmt.Sprintf("/%s/%d", m[1], p+step)
		})
	}
	return out
}

// onLoopback returns the multiaddrs with the wildcard hosts 0.0.0.0 and
// :: replaced by loopback. kring init probes a port there: a process
// holding the port on the wildcard address (as a node does) refuses a
// bind on loopback too, and the probe listens on no outside interface.
func onLoopback(addrs []string) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = wildcardHost.ReplaceAllStringFunc(a, func(c string) string {
			if c == "/ip6/::/" {
				return "/ip6/::1/"
			}
			return "/ip4/127.0.0.1/"
		})
	}
	return out
}

// wildcardHost matches the wildcard host of a multiaddr.
var wildcardHost = regexp.MustCompile(`^/ip4/0\.0\.0\.0/|^/ip6/::/`)

// freeListen returns listen as it is when its fixed ports are free on
// this host, else with its ports moved up to the first step at which all
// are; ok is false when none within portTries is.
func freeListen(listen []string) (free []string, ok bool) {
	for step := range portTries {
		cand := shiftPorts(listen, step)
		if checkListenFree(onLoopback(cand), "") == nil {
			return cand, true
		}
	}
	return listen, false
}

// freeAPI returns the loopback API address addr when its port is free,
// else the first free port above it; ok is false when none within
// portTries is.
func freeAPI(addr string) (free string, ok bool) {
	host, port, err := net.SplitHostPort(addr)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil || p == 0 {
		return addr, true
	}
	for step := range min(portTries, 65536-p) {
		cand := net.JoinHostPort(host, strconv.Itoa(p+step))
		if ln, err := net.Listen("tcp", cand); err == nil {
			_ = ln.Close()
			return cand, true
		}
	}
	return addr, false
}

// pickPorts moves the config's default ports to free ones where this host
// already uses them, for the settings the caller did not give, and
// returns a line for each it moved or could not.
func pickPorts(cfg *fileConfig, listenGiven, apiGiven bool) []string {
	var notes []string
	if !listenGiven {
		free, ok := freeListen(cfg.Node.Listen)
		switch {
		case !ok:
			notes = append(notes, fmt.Sprintf("node.listen %v: the port is in use on this host, and so are the %d above it: set a free one in config.toml before kring run", cfg.Node.Listen, portTries-1))
		case free[0] != cfg.Node.Listen[0]:
			notes = append(notes, fmt.Sprintf("node.listen: %s is in use on this host (another circle's node?), so this node listens on %s", cfg.Node.Listen[0], free[0]))
			cfg.Node.Listen = free
		}
	}
	if !apiGiven {
		free, ok := freeAPI(cfg.API.Listen)
		switch {
		case !ok:
			notes = append(notes, fmt.Sprintf("api.listen %s: the port is in use on this host, and so are the %d above it: set a free one in config.toml before kring run", cfg.API.Listen, portTries-1))
		case free != cfg.API.Listen:
			notes = append(notes, fmt.Sprintf("api.listen: %s is in use on this host (another circle's node?), so this node's API listens on %s", cfg.API.Listen, free))
			cfg.API.Listen = free
		}
	}
	return notes
}
