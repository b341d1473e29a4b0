package main

import (
	"os/exec"
	"syscall"
)

// dieWithWatcher makes the daemon process die with kring run: a kring run
// killed with SIGKILL leaves no daemon behind that holds the store.
func dieWithWatcher(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
