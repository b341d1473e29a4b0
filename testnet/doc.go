// Package testnet will run N Kring nodes in one process or as processes on
// loopback, with scripted scenarios and the measurements behind make bench.
//
// It is empty on purpose: it arrives with the node issue (issue 3), and the
// benchmark issue (issue 5) builds its measurements on it.
package testnet
