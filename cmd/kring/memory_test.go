package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// keepMemoryLimit restores the process's memory limit when t ends.
func keepMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
}

// TestDaemonMemoryLimit checks the daemon's soft memory limit: the floor
// unless GOMEMLIMIT is set, twice the live heap once that is above half
// the floor, and whatever GOMEMLIMIT set when it is.
func TestDaemonMemoryLimit(t *testing.T) {
	keepMemoryLimit(t)
	t.Setenv("GOMEMLIMIT", "")
	debug.SetMemoryLimit(1 << 40)
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != memoryFloor {
		t.Fatalf("limit %d after limitMemory, want the floor %d", got, memoryFloor)
	}

	live := make([]byte, memoryFloor/2+32<<20)
	for i := range live {
		live[i] = byte(i)
	}
	runtime.GC()
	got := fitMemoryLimit()
	if want := int64(2 * len(live)); got < want || debug.SetMemoryLimit(-1) != got {
		t.Fatalf("fitMemoryLimit = %d (in force %d) with %d bytes live, want at least %d", got, debug.SetMemoryLimit(-1), len(live), want)
	}
	runtime.KeepAlive(live)

	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(12345 << 20)
	limitMemory()
	if got := fitMemoryLimit(); got != 12345<<20 {
		t.Fatalf("limit %d with GOMEMLIMIT set, want it left at %d", got, 12345<<20)
	}
}
