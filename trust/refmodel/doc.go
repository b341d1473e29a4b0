// Package refmodel is a second, deliberately simple implementation of
// Kring's membership rules as docs/membership.md states them. It shares no
// code with package trust: it computes every causal relation by brute
// force, evaluates the settled set by rounds exactly as the text says, and
// re-derives every view from scratch. It is slow on purpose (histories of
// a few dozen ops) and exists as an oracle: trust's tests check the
// engine's State against it, and it checks that every order the text
// leaves free (the order grants are visited in) gives one result.
//
// It assumes its input is a causally closed set of ops that each passed
// protocol.Open; it does not judge admissibility beyond what the rules
// need (thresholds of an op's own view).
package refmodel
