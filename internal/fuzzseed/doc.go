// Package fuzzseed writes and checks the generated seed corpora of Kring's
// fuzz tests: files in the corpus format of `go test -fuzz`, kept under a
// package's testdata/fuzz and compared with what the package's seed
// generator makes now, so that a seed never goes stale unnoticed.
package fuzzseed
