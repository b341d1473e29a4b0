package bench

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkIngestGossip runs scenario 2's gossip half (ingestGossip: a
// member's bare host publishes a stream of 4,096 pre-signed advisories to
// a fresh node E with a durable store) once per iteration, each on a new
// circle, without the rest of the scenario: a CPU profile of it holds
// only the feeder, pubsub on both ends and E. cpu-µs/op is this
// process's CPU time per op (feeder and E together); ops/s is the
// scenario's own figure.
func BenchmarkIngestGossip(b *testing.B) {
	const ops = 4096
	e := &env{streams: map[string]*stream{}, tmp: b.TempDir()}
	ctx := context.Background()
	var cpu, wall time.Duration
	for range b.N {
		b.StopTimer()
		c, err := newCircle(circleOpts{dir: b.TempDir(), founders: streamFounders, unpaced: true})
		if err != nil {
			b.Fatal(err)
		}
		c.rec.pause(true)
		c.vis.pause(true)
		st, err := e.streamOf(c.Genesis, ops)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		t0, c0 := time.Now(), cpuTime()
		b.StartTimer()
		if _, _, err := ingestGossip(ctx, c, st); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		wall += time.Since(t0)
		cpu += cpuTime() - c0
		c.close()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*ops), "cpu-µs/op")
	b.ReportMetric(float64(b.N*ops)/wall.Seconds(), "ops/s")
}
