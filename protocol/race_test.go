//go:build race

package protocol

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = true
