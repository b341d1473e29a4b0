package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/kring-circle/kring/testnet"
)

// heapOwner names who holds heap memory by the package that allocated
// it: the innermost frame of an allocation's stack that is neither a
// pass-through nor outside every owner names the owner.
type heapOwner struct {
	name     string
	packages []string
}

// heapOwners are the owners reported.
var heapOwners = []heapOwner{
	{"store caches (badger)", []string{"github.com/dgraph-io/"}},
	{"trust engine", []string{"github.com/kring-circle/kring/trust."}},
	{"pubsub", []string{"github.com/libp2p/go-libp2p-pubsub"}},
	{"node (indexes, buffers)", []string{"github.com/kring-circle/kring/node"}},
	{"libp2p host", []string{"github.com/libp2p/", "github.com/quic-go/", "github.com/multiformats/"}},
}

// passThrough are the frames that allocate for their caller or run its
// callback: what they allocate belongs to whoever asked (the store reads
// and decodes an op for the engine that keeps it).
var passThrough = []string{
	"github.com/dgraph-io/badger/v4.(*Item).ValueCopy",
	"github.com/dgraph-io/badger/v4.(*Item).KeyCopy",
	"github.com/dgraph-io/badger/v4/y.SafeCopy",
	"github.com/dgraph-io/badger/v4.(*DB).View",
	"github.com/dgraph-io/badger/v4.(*DB).Update",
	"github.com/kring-circle/kring/node/store.",
}

// heapByOwner starts an in-process node over a store holding count small
// advisories, lets it idle, and returns its Go heap in use (after GC) and
// that heap split by owner, in MiB. The split is read from the runtime's
// heap profile, sampled at profileRate while the node starts.
func heapByOwner(ctx context.Context, e *env, count int) (float64, map[string]float64, error) {
	dir, err := e.dir("heapowners")
	if err != nil {
		return 0, nil, err
	}
	c, err := newCircle(circleOpts{dir: dir, founders: []string{"A", "B", "C"}, unpaced: true})
	if err != nil {
		return 0, nil, err
	}
	defer c.close()
	c.rec.pause(true)
	ops, err := chainOf(c.Genesis, testnet.KeyFor("B"), 0, nil, count, smallAdvisory)
	if err != nil {
		return 0, nil, err
	}
	if err := putLog(c.M("A").Dir, c.Genesis, ops); err != nil {
		return 0, nil, err
	}
	ops = nil
	const profileRate = 64 << 10
	defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
	runtime.MemProfileRate = profileRate
	var m0, m1 runtime.MemStats
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m0)
	if err := c.start(ctx, "A"); err != nil {
		return 0, nil, err
	}
	if err := waitUntil(ctx, e.limit, "the node to load the log", func() bool {
		n, err := c.M("A").Node().StoredOps()
		return err == nil && n > count
	}); err != nil {
		return 0, nil, err
	}
	time.Sleep(2 * time.Second)
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m1)
	owners := map[string]float64{}
	for _, r := range inUseRecords() {
		owners[ownerOf(r.Stack())] += scaledInUse(r, profileRate) / (1 << 20)
	}
	return float64(m1.HeapInuse-m0.HeapInuse) / (1 << 20), owners, nil
}

// inUseRecords returns the heap profile's records of memory in use.
func inUseRecords() []runtime.MemProfileRecord {
	var rs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, false)
	for {
		rs = make([]runtime.MemProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MemProfile(rs, false); ok {
			return rs[:n]
		}
	}
}

// scaledInUse estimates the bytes in use that a sampled record stands
// for, as pprof does: each sample of mean size s stood for 1/(1-e^(-s/r)).
func scaledInUse(r runtime.MemProfileRecord, rate int) float64 {
	n := r.InUseObjects()
	if n == 0 {
		return 0
	}
	b := float64(r.InUseBytes())
	mean := b / float64(n)
	return b / (1 - math.Exp(-mean/float64(rate)))
}

// ownerOf names the owner of an allocation with this stack.
func ownerOf(stack []uintptr) string {
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		if !hasPrefix(f.Function, passThrough) {
			for _, o := range heapOwners {
				if hasPrefix(f.Function, o.packages) {
					return o.name
				}
			}
		}
		if !more {
			return "other"
		}
	}
}

// hasPrefix reports whether s starts with one of prefixes.
func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ownersLine lists owners, largest first, for a note.
func ownersLine(owners map[string]float64) string {
	names := make([]string, 0, len(owners))
	for n := range owners {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return owners[names[i]] > owners[names[j]] })
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %.1f MiB", n, owners[n]))
	}
	return strings.Join(parts, ", ")
}
