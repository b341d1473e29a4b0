// Package proc reads Linux's /proc for the tests and benchmarks that run
// kring as a process: kring run watches its node in a child process, and
// the child is what they measure or signal.
package proc
