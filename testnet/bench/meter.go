package bench

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ssMeter counts the TCP payload bytes of every loopback connection that
// has one end on the given ports, from the kernel's own per-socket
// counters (iproute2's ss, bytes_received): no proxy, so no extra file
// descriptors, which a circle of 100 in one process cannot spare.
// Both ends of a connection are in this process, so summing what every
// socket received counts each byte once, both directions together.
// Counters vanish with their sockets; the circles measured keep their
// connections.
type ssMeter struct {
	filter string
}

var bytesReceived = regexp.MustCompile(`bytes_received:(\d+)`)

// newSSMeter returns a meter of the connections to and from ports.
func newSSMeter(ports []int) *ssMeter {
	terms := make([]string, 0, 2*len(ports))
	for _, p := range ports {
		terms = append(terms, fmt.Sprintf("sport = :%d", p), fmt.Sprintf("dport = :%d", p))
	}
	return &ssMeter{filter: "( " + strings.Join(terms, " or ") + " )"}
}

// bytes returns the bytes received so far by the metered sockets, or -1
// if ss failed.
func (m *ssMeter) bytes() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ss", "-tinH", "state", "established", m.filter).Output()
	if err != nil {
		return -1
	}
	var n int64
	for _, match := range bytesReceived.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseInt(string(match[1]), 10, 64)
		n += v
	}
	return n
}

// ssWorks reports whether ss can meter connections here.
func ssWorks() bool {
	return newSSMeter([]int{1}).bytes() >= 0
}

// portOf returns the port of a "host:port" address, or 0.
func portOf(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	p, _ := strconv.Atoi(addr[i+1:])
	return p
}
