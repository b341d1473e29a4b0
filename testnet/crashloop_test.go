package testnet

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The crash loop's parts: the child process and its kill points, the log
// of acknowledged ops, and the checks of A's store after a kill.

// crashConfig adjusts a node of the crash loop: it publishes without
// waiting for a sync, and the circle's pace of advisories is lifted. A
// node's own pacer starts full at each start, so a child killed and
// restarted publishes far above the default pace, and B would take the
// excess by sync at that pace: minutes at the end of a long loop. Pacing
// has its own tests in node/.
func crashConfig(_ string, c *node.Config) {
	c.SyncBeforePublish = 0
	c.PaceAdvisories = node.Pace{OpsPerSecond: 10_000, Burst: 1 << 20, BytesPerSecond: 1 << 30, BurstBytes: 1 << 30}
}

// crashChildDeadline bounds one life of the child: it must reach its kill
// point within it.
const crashChildDeadline = 30 * time.Second

// killPoint is when the parent kills the child: once it has acknowledged
// acks ops, or stored received ops of others, and delay more has passed;
// when acks and received are 0, delay after its start (often while it
// still opens its store or dials).
type killPoint struct {
	acks, received int
	delay          time.Duration
}

// drawKillPoint draws a kill point: one in three a delay of up to 400 ms
// after the start, else up to 50 acks and up to 5 ms after the last.
func drawKillPoint(r *rand.Rand) killPoint {
	if r.IntN(3) == 0 {
		return killPoint{delay: time.Duration(r.Int64N(int64(400 * time.Millisecond)))}
	}
	return killPoint{acks: 1 + r.IntN(50), delay: time.Duration(r.Int64N(int64(5 * time.Millisecond)))}
}

// firstKillPoint draws the first kill point: up to 5 ms after the child
// stored one of others' ops, so that every run kills a child that
// received.
func firstKillPoint(r *rand.Rand) killPoint {
	return killPoint{received: 1, delay: time.Duration(r.Int64N(int64(5 * time.Millisecond)))}
}

func (k killPoint) String() string {
	switch {
	case k.acks > 0:
		return fmt.Sprintf("%s after ack %d", k.delay.Round(time.Microsecond), k.acks)
	case k.received > 0:
		return fmt.Sprintf("%s after storing %d of others' ops", k.delay.Round(time.Microsecond), k.received)
	}
	return fmt.Sprintf("%s after start", k.delay.Round(time.Millisecond))
}

// reached reports whether the child reached kp's count (never for a kill
// point by delay alone).
func (k killPoint) reached(life childLife) bool {
	return (k.acks > 0 && len(life.acks) >= k.acks) || (k.received > 0 && len(life.stored) >= k.received)
}

// crashAck is one "ack <hash> <seq>" line of the child: Publish returned
// the op.
type crashAck struct {
	hash protocol.Hash
	seq  uint64
}

// childLife is what one life of the child printed: the ops it
// acknowledged and the ops of others it committed.
type childLife struct {
	acks   []crashAck
	stored []protocol.Hash
}

// take parses one line of the child's output; a line neither "ack" nor
// "stored" is not the child's report and returns false.
func (l *childLife) take(line string) (bool, error) {
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "ack":
		h, err := protocol.ParseHash(f[1])
		if err != nil {
			return true, fmt.Errorf("ack line %q: %w", line, err)
		}
		seq, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			return true, fmt.Errorf("ack line %q: %w", line, err)
		}
		l.acks = append(l.acks, crashAck{hash: h, seq: seq})
	case len(f) == 2 && f[0] == "stored":
		h, err := protocol.ParseHash(f[1])
		if err != nil {
			return true, fmt.Errorf("stored line %q: %w", line, err)
		}
		l.stored = append(l.stored, h)
	case len(f) > 0 && (f[0] == "ack" || f[0] == "stored"):
		return true, fmt.Errorf("malformed line %q", line)
	default:
		return false, nil
	}
	return true, nil
}

// ackLog is every op A acknowledged in any life of the child, by seq.
type ackLog map[uint64]protocol.Hash

// add records ack; a seq acknowledged before, with this op or another, is
// an error.
func (l ackLog) add(ack crashAck) error {
	if h, ok := l[ack.seq]; ok {
		if h == ack.hash {
			return fmt.Errorf("op %s (seq %d) acknowledged twice", h.Short(), ack.seq)
		}
		return fmt.Errorf("seq %d signed twice: op %s and op %s were both acknowledged", ack.seq, h.Short(), ack.hash.Short())
	}
	l[ack.seq] = ack.hash
	return nil
}

// crashChild is one life of the child process, TestCrashChild.
type crashChild struct {
	cmd     *exec.Cmd
	lines   chan string // the child's stdout, closed at its end
	started time.Time
}

// startCrashChild starts A's node in a child process on dir, dialling
// peers.
func startCrashChild(ctx context.Context, dir, genesisFile string, peers []string) (*crashChild, error) {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.v", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), "KRING_CRASH_DIR="+dir, "KRING_CRASH_GENESIS="+genesisFile, "KRING_CRASH_PEERS="+strings.Join(peers, ","))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the child: %w", err)
	}
	c := &crashChild{cmd: cmd, lines: make(chan string, 64), started: time.Now()}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c, nil
}

// killAt kills the child with SIGKILL at kp and waits for its end. It
// returns what the child printed, up to the kill included, and an error if
// the child ended by itself, missed kp, or printed a malformed report.
func (c *crashChild) killAt(kp killPoint) (childLife, error) {
	var life childLife
	var other []string
	var bad error
	take := func(line string) {
		ok, err := life.take(line)
		if err != nil && bad == nil {
			bad = err
		}
		if !ok {
			other = append(other[max(0, len(other)-19):], line)
		}
	}
	var kill <-chan time.Time
	if kp.acks == 0 && kp.received == 0 {
		kill = time.After(time.Until(c.started.Add(kp.delay)))
	}
	deadline := time.After(crashChildDeadline)
	var err error
wait:
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				err = fmt.Errorf("the child ended by itself after %d acks", len(life.acks))
				break wait
			}
			take(line)
			if kill == nil && kp.reached(life) {
				kill = time.After(kp.delay)
			}
		case <-kill:
			break wait
		case <-deadline:
			err = fmt.Errorf("the child acknowledged %d ops and stored %d of others' in %s and never reached its kill point",
				len(life.acks), len(life.stored), crashChildDeadline)
			break wait
		}
	}
	if kerr := c.cmd.Process.Kill(); kerr != nil && err == nil {
		err = fmt.Errorf("killing the child: %w", kerr)
	}
	for line := range c.lines {
		take(line)
	}
	_ = c.cmd.Wait() // an error: the child was killed
	if err == nil && c.cmd.ProcessState.ExitCode() != -1 {
		err = fmt.Errorf("the child exited with status %d before the kill", c.cmd.ProcessState.ExitCode())
	}
	if err == nil {
		err = bad
	}
	if err != nil {
		return life, fmt.Errorf("%w; its last output:\n%s", err, strings.Join(other, "\n"))
	}
	return life, nil
}

// checkKilledStore opens A's store in dir after a kill and fails the test
// unless it opens at once and loads (or is empty), holds every acknowledged op at
// its seq and every op of others' the child reported committed, holds
// exactly one op at every seq of A's chain, and has reserved a seq beyond
// its chain. It returns A's chain, the op at each seq (chain[0] at seq 1),
// and closes the store before it returns.
func checkKilledStore(t *testing.T, dir string, a protocol.Key, acked ackLog, received map[protocol.Hash]bool) (chain []protocol.Hash) {
	t.Helper()
	files := listDir(dir) // as the kill left them: a failed Open may change them
	st, err := store.Open(dir, node.DefaultLocalConfig().Store)
	if err != nil {
		// A failure, but the checks go on if a second Open succeeds, as a
		// daemon restarted once more would.
		t.Errorf("A's store does not open after SIGKILL: %v\nits files as the kill left them:\n%s", err, files)
		if st, err = store.Open(dir, node.DefaultLocalConfig().Store); err != nil {
			t.Fatalf("nor on a second try: %v", err)
		}
		t.Logf("a second Open succeeds")
	}
	defer func() {
		if err := st.Close(); err != nil {
			t.Errorf("closing A's store: %v", err)
		}
	}()
	// A kill before the node stored the genesis leaves an empty store,
	// which the next start fills.
	if n := must[int](t)(st.Len()); n > 0 {
		if _, err := trust.Load(st); err != nil {
			t.Fatalf("A's store of %d ops does not load after SIGKILL: %v", n, err)
		}
	}
	if _, err := st.Pending(); err != nil {
		t.Fatalf("A's pending buffer does not read after SIGKILL: %v", err)
	}
	for seq, h := range acked {
		op, err := st.Get(h)
		if err != nil {
			t.Fatalf("acknowledged op %s (seq %d) is gone after SIGKILL: %v", h.Short(), seq, err)
		}
		if op.Author != a || op.Seq != seq {
			t.Fatalf("acknowledged op %s is stored as %s's seq %d, acknowledged as A's seq %d", h.Short(), op.Author.Short(), op.Seq, seq)
		}
	}
	for h := range received {
		if ok, err := st.Has(h); err != nil || !ok {
			t.Fatalf("op %s, which the child reported committed, is gone after SIGKILL (err %v)", h.Short(), err)
		}
	}
	tip := must[map[protocol.Key]trust.Tip](t)(st.Tips())[a]
	chain = make([]protocol.Hash, tip.Seq)
	for s := uint64(1); s <= tip.Seq; s++ {
		hs := must[[]protocol.Hash](t)(st.BySeq(a, s))
		if len(hs) != 1 {
			t.Fatalf("A's store holds %d of A's ops at seq %d (chain tip %d); want one", len(hs), s, tip.Seq)
		}
		chain[s-1] = hs[0]
	}
	if next := must[uint64](t)(st.NextSeq()); tip.Seq > 1 && next <= tip.Seq {
		t.Fatalf("A's store has reserved seqs below %d only, but its chain reaches seq %d", next, tip.Seq)
	}
	return chain
}

// checkPeerChain checks that a peer's node holds no op of a's that a's
// own chain lacks or contradicts: a never let out an op before storing it,
// nor signed a seq twice (a twin anywhere in the chain suspends a).
func checkPeerChain(nd *node.Node, a protocol.Key, chain []protocol.Hash) error {
	tips, err := nd.Tips()
	if err != nil {
		return err
	}
	tip := tips[a]
	if tip.Seq > uint64(len(chain)) {
		return fmt.Errorf("B holds A's ops up to seq %d, A's own store only up to seq %d", tip.Seq, len(chain))
	}
	if len(tip.Hashes) > 1 || nd.State().Key(a).ForkSuspended != 0 {
		return fmt.Errorf("B holds a fork of A's chain (%d ops at its tip, seq %d)", len(tip.Hashes), tip.Seq)
	}
	for s := uint64(1); s <= tip.Seq; s++ {
		// B holds an op of A's at every seq up to its tip (causal
		// closure): if not A's own, a contradicting one.
		if has, err := nd.Has(chain[s-1]); err != nil || !has {
			return fmt.Errorf("B holds another op at A's seq %d than A's store, which holds op %s there (err %v)", s, chain[s-1].Short(), err)
		}
	}
	return nil
}

// keepAdvising makes m publish an advisory every period until the returned
// stop is called; stop returns how many m published, and the first error.
func keepAdvising(ctx context.Context, m *Member, period time.Duration) (stop func() (int, error)) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var n int
	var err error
	go func() {
		defer close(done)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if _, e := m.Advise(ctx, fmt.Sprintf("%s sighting %d", m.Name, n)); e != nil {
				if ctx.Err() == nil {
					err = e
				}
				return
			}
			n++
		}
	}()
	return func() (int, error) {
		cancel()
		<-done
		return n, err
	}
}

// envInt returns the count in the environment variable name, or def when
// it is unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count", name, v)
	}
	return n
}

// listDir lists the files of dir with their sizes, for a failure message.
func listDir(dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range ents {
		if fi, err := e.Info(); err == nil {
			fmt.Fprintf(&b, "%s\t%d bytes\n", e.Name(), fi.Size())
		}
	}
	return b.String()
}

// crashLogger returns a debug logger to stderr with the attributes args
// when KRING_TESTNET_LOG is set, else nil (no logs).
func crashLogger(args ...any) *slog.Logger {
	if os.Getenv("KRING_TESTNET_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With(args...)
}

// crashSeed returns the seed in KRING_CRASH_SEED, or a fresh one.
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	v := os.Getenv("KRING_CRASH_SEED")
	if v == "" {
		return uint64(time.Now().UnixNano())
	}
	s, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("KRING_CRASH_SEED=%q: want an unsigned integer", v)
	}
	return s
}
