//go:build !linux

package main

import "os/exec"

// dieWithWatcher does nothing where the kernel cannot tie a child's life
// to its parent's: there a kring run killed with SIGKILL leaves its
// daemon process running until it is stopped too.
func dieWithWatcher(*exec.Cmd) {}
