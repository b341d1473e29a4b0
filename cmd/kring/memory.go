package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// memoryFloor is the daemon's soft memory limit (docs/operations.md,
// "Memory"): the Go runtime collects garbage more often as the memory it
// holds nears the limit, instead of letting the heap grow to twice what is
// live. A node catching up a long log from its peers makes garbage fast;
// without a limit it held about 380 MiB at the peak of a catch-up of
// 100,000 advisories, with a limit of 160 MiB about 270 MiB, and with
// this one (and the store compacting itself) about 225 MiB, as fast.
const memoryFloor = 128 << 20

// limitMemory sets the soft memory limit to memoryFloor, unless the
// environment sets GOMEMLIMIT, which then rules.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryFloor)
	}
}

// fitMemoryLimit raises the soft memory limit, unless GOMEMLIMIT sets it,
// to twice the live heap when that is above memoryFloor: a node whose log
// needs more than half the floor once loaded keeps the runtime's own
// headroom rather than collecting without end near a limit its log has
// outgrown. It returns the limit now in force. Call it after a collection
// (debug.FreeOSMemory), when the live heap is what the node keeps.
func fitMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	limit := int64(memoryFloor)
	if s[0].Value.Kind() == metrics.KindUint64 {
		limit = max(limit, 2*int64(s[0].Value.Uint64()))
	}
	debug.SetMemoryLimit(limit)
	return limit
}
