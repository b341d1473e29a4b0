// Package trusttest builds circles of named actors for tests and
// benchmarks: each actor has a deterministic key, its own trust.Engine (what
// it has seen), and its own author chain, so tests can write concurrent
// histories ("A and B both act before syncing") and check what every actor
// concludes.
package trusttest
