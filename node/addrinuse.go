package node

import (
	"errors"
	"strings"
	"syscall"
)

// ErrAddrInUse: New could not listen because another process (another
// kring run, say) holds a listen address. The error wraps it and keeps
// libp2p's text, which names the addresses.
var ErrAddrInUse = errors.New("node: listen address in use")

// addrInUse is libp2p's listen error, also wrapping ErrAddrInUse.
type addrInUse struct{ error }

func (e addrInUse) Unwrap() []error { return []error{ErrAddrInUse, e.error} }

// listenFailed marks err, from building the libp2p host, as ErrAddrInUse
// if a listen address was taken. libp2p's swarm formats the errors of
// its listeners with %s, so errors.Is cannot find syscall.EADDRINUSE in
// err: its text must do (TestNewAddrInUse notices if that changes).
func listenFailed(err error) error {
	if errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), syscall.EADDRINUSE.Error()) {
		return addrInUse{err}
	}
	return err
}
