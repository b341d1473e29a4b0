// Package loopback hands out loopback TCP ports for the daemons that
// Kring's tests and its benchmark harness start as separate processes.
//
// A port taken from a listener on port 0 and closed again may be given by
// the kernel to the next such listener at once, so two calls in a row can
// return one port for two daemons (CI saw one daemon's p2p port equal
// another's API port). FreePort never returns a port twice in a process.
package loopback
