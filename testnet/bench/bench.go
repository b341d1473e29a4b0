package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options configure a benchmark run.
type Options struct {
	// Out is the directory the report, results and charts go to; it is
	// created if missing.
	Out string
	// Quick runs the reduced set (N = 10, 10,000 ops, few runs) in under
	// two minutes.
	Quick bool
	// Progress receives progress lines and the summary table; nil
	// discards them.
	Progress io.Writer
}

// ErrNoOut reports Options without an output directory.
var ErrNoOut = errors.New("bench: no output directory")

// plan is what a run measures: sizes, counts and time limits.
type plan struct {
	quick bool
	// delay is the emulated one-way latency of every link.
	delay time.Duration
	// propN are the circle sizes of the propagation scenario; propRuns
	// the advisories measured at each.
	propN    []int
	propRuns int
	// ingestOps is the length of the ingested op stream.
	ingestOps int
	// revokeN are the circle sizes of the revocation scenario;
	// revokeRuns the revocations (and suspensions) at each.
	revokeN    []int
	revokeRuns int
	// attackN is the honest circle size of the attack scenario;
	// attackRuns the advisories timed in each of its phases.
	attackN, attackRuns int
	// admitN is the circle size of the admission scenario; admitRuns
	// the newcomers admitted.
	admitN    int
	admitRuns int
	// catchupOps are the numbers of ops a node misses while offline.
	catchupOps []int
	// footN is the circle whose heap is measured; storeAdvisories the
	// advisories whose store size is measured.
	footN           int
	storeAdvisories int
	// logAdvisories are the small advisories the daemons of the log
	// footprint hold; logSettle how long they idle before they are read.
	logAdvisories int
	logSettle     time.Duration
	// scaleN are the circle sizes of the scale scenario; scaleAdv the
	// advisories counted at each.
	scaleN   []int
	scaleAdv int
	// scaleRepeats is how many circles the scale scenario measures at each
	// N below 50 (at least one).
	scaleRepeats int
	// limit bounds each scenario.
	limit time.Duration
	// noDaemon skips the real daemon's footprint (it builds the binary).
	noDaemon bool
	// idleN is the circle size of the idle CPU scenario; idleWindows
	// its measured windows of idleWindow each.
	idleN       int
	idleWindows int
	idleWindow  time.Duration
	// idle is how long idle CPU and idle traffic are sampled;
	// applicantWait how long an applicant runs before its k-th
	// endorsement.
	idle, applicantWait time.Duration
}

func planFor(quick bool) plan {
	if quick {
		return plan{quick: true, delay: 20 * time.Millisecond,
			propN: []int{10}, propRuns: 20, ingestOps: 10_000,
			revokeN: []int{10}, revokeRuns: 2, admitN: 10, admitRuns: 3, attackN: 10, attackRuns: 20,
			catchupOps: []int{10_000}, footN: 10, storeAdvisories: 1000, logAdvisories: 10_000, logSettle: 10 * time.Second,
			scaleN: []int{10, 25}, scaleAdv: 10, scaleRepeats: 1, limit: 45 * time.Second,
			idleN: 10, idleWindows: 3, idleWindow: 2 * time.Second,
			idle: 2 * time.Second, applicantWait: 3 * time.Second}
	}
	return plan{delay: 20 * time.Millisecond,
		propN: []int{10, 25, 50}, propRuns: 100, ingestOps: 100_000,
		revokeN: []int{10, 50}, revokeRuns: 5, admitN: 25, admitRuns: 6, attackN: 25, attackRuns: 60,
		catchupOps: []int{10_000, 100_000}, footN: 25, storeAdvisories: 5000, logAdvisories: 100_000, logSettle: 30 * time.Second,
		scaleN: []int{10, 25, 50, 100}, scaleAdv: 30, scaleRepeats: 3, limit: 8 * time.Minute,
		idleN: 50, idleWindows: 5, idleWindow: 4 * time.Second,
		idle: 2 * time.Second, applicantWait: 3 * time.Second}
}

// env is what scenarios share.
type env struct {
	plan
	tmp      string
	out      string
	progress io.Writer
	streams  map[string]*stream
}

// logf prints a progress line.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.progress, "  "+format+"\n", args...)
}

// dir returns a fresh scratch directory for one use.
func (e *env) dir(name string) (string, error) {
	d, err := os.MkdirTemp(e.tmp, name+"-")
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return d, nil
}

// scenarioFunc measures one scenario into s.
type scenarioFunc func(ctx context.Context, e *env, s *Scenario) error

// Run measures every scenario (or, if the environment variable
// KRING_BENCH_ONLY lists scenario numbers, e.g. "1,3", those) and writes
// the report to opts.Out; KRING_BENCH_PROP_N and KRING_BENCH_PROP_RUNS
// choose the propagation scenario's circle sizes and runs. A
// scenario that fails is reported as not measured, with the reason; Run
// returns an error only when it cannot write the report or ctx ends.
func Run(ctx context.Context, opts Options) error {
	p := planFor(opts.Quick)
	if err := p.propFromEnv(); err != nil {
		return err
	}
	return run(ctx, opts, p)
}

func run(ctx context.Context, opts Options, p plan) error {
	if opts.Out == "" {
		return ErrNoOut
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	tmp, err := os.MkdirTemp("", "kring-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	raiseFileLimit(1 << 16)
	start := time.Now()
	e := &env{plan: p, tmp: tmp, out: opts.Out, progress: opts.Progress, streams: map[string]*stream{}}
	r := &Report{Machine: thisMachine(start), Quick: opts.Quick, Started: start}
	fmt.Fprintf(opts.Progress, "kring bench (%s) on %s\n", map[bool]string{true: "quick", false: "full"}[opts.Quick], r.Machine)
	only := os.Getenv("KRING_BENCH_ONLY")
	for _, sc := range scenarios {
		if only != "" && !slices.Contains(strings.Split(only, ","), strconv.Itoa(sc.id)) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		s := &Scenario{ID: sc.id, Name: sc.name, Goal: sc.goal}
		fmt.Fprintf(opts.Progress, "[%d/%d] %s\n", sc.id, len(scenarios), sc.name)
		t0 := time.Now()
		sctx, cancel := context.WithTimeout(ctx, time.Duration(sc.slow)*e.limit)
		err := runScenario(sctx, e, s, sc.run)
		cancel()
		s.Elapsed = time.Since(t0).Round(100 * time.Millisecond).String()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("bench: %w", ctx.Err())
			}
			s.notMeasured(oneLine(err))
		}
		fmt.Fprintf(opts.Progress, "  -> %s: %s (%s)\n", s.Outcome, s.Finding, s.Elapsed)
		r.Scenarios = append(r.Scenarios, s)
	}
	r.Elapsed = time.Since(start).Round(time.Second).String()
	if err := e.charts(r); err != nil {
		fmt.Fprintf(opts.Progress, "charts: %v\n", err)
	}
	if err := r.write(opts.Out); err != nil {
		return err
	}
	fmt.Fprintf(opts.Progress, "\n")
	r.summaryTable(opts.Progress)
	fmt.Fprintf(opts.Progress, "\nreport: %s\n", filepath.Join(opts.Out, "report.md"))
	return nil
}

// runScenario runs one scenario, turning a panic into an error so that
// one broken scenario does not lose the others' figures.
func runScenario(ctx context.Context, e *env, s *Scenario, f scenarioFunc) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bench: panic: %v", p)
		}
	}()
	return f(ctx, e, s)
}

// scenarios are run in this order (the priority).
var scenarios = []struct {
	id   int
	name string
	goal string
	run  scenarioFunc
	// slow multiplies the plan's time limit.
	slow int
}{
	{1, "propagation", "Kring visible p99 ≤ 1.3 × raw gossipsub p99 at every N", propagation, 1},
	{2, "ingest throughput", "ingest by sync ≥ 100 % and by gossip ≥ 60 % of the all-core one-by-one Ed25519 verification ceiling", ingest, 1},
	{3, "revocation", "last node cuts a revoked member off ≤ 1 s p99 at N = 50; 0 ops accepted after", revocation, 1},
	{4, "admission", "admission ≤ 2 s p99", admission, 1},
	{5, "catch-up", "catch-up of the largest log (100,000 ops; 10,000 in --quick) ≥ 25,000 ops/s", catchup, 1},
	{6, "footprint", "idle daemon ≤ 64 MiB resident; holding 100,000 advisories ≤ 128 MiB; catch-up of 100,000 ops ≤ 256 MiB peak", footprint, 2},
	{7, "scale", "messages per node per advisory grow ≤ 1.5 × from N = 10 to N = 100 (floodsub: ~10 ×)", scale, 2},
	{8, "attack", "honest propagation p99 ≤ 1.5 × the quiet circle's while one member floods; honest heap growth < 64 MiB", attack, 1},
	{9, "idle CPU", "an idle circle of 50 uses ≤ 2 × the CPU of bare gossipsub with the same heartbeat", idleCPUScenario, 2},
}

// waitUntil polls cond every few milliseconds for at most limit.
func waitUntil(ctx context.Context, limit time.Duration, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

// oneLine shortens an error for a table cell.
func oneLine(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
