package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/testnet"
)

func TestSummarize(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(100 - i) // 100 … 1, unsorted
	}
	s := summarize(xs)
	if s.Runs != 100 || s.Median != 50 || s.P95 != 95 || s.P99 != 99 || s.Min != 1 || s.Max != 100 {
		t.Errorf("summarize(1…100) = %+v", s)
	}
	if one := summarize([]float64{7}); one.Median != 7 || one.P99 != 7 {
		t.Errorf("summarize([7]) = %+v", one)
	}
	if empty := summarize(nil); empty.Runs != 0 {
		t.Errorf("summarize(nil) = %+v", empty)
	}
}

// The rebuilt signed bytes of a stream op verify, and a flipped byte does
// not: the ceiling measures real verifications.
func TestSignedMessage(t *testing.T) {
	net, err := testnet.New(testnet.Options{Dir: t.TempDir(), Founders: streamFounders})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{streams: map[string]*stream{}}
	st, err := e.streamOf(net.Genesis, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range st.ops {
		msg, err := signedMessage(op)
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(op.Author[:], msg, op.Sig) {
			t.Fatalf("op %s: rebuilt signed bytes do not verify", op)
		}
		msg[len(msg)-1] ^= 1
		if ed25519.Verify(op.Author[:], msg, op.Sig) {
			t.Fatalf("op %s: altered bytes verify", op)
		}
	}
	if _, err := verifyCeiling(st); err != nil {
		t.Fatal(err)
	}
}

// A proxy delays each direction by its delay and counts the bytes.
func TestProxyDelaysAndCounts(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		c, err := echo.Accept()
		if err == nil {
			_, _ = io.Copy(c, c)
			c.Close()
		}
	}()
	const delay = 40 * time.Millisecond
	p, err := newProxy(delay, func() (string, error) { return echo.Addr().String(), nil })
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := []byte("ping through the proxy")
	t0 := time.Now()
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(t0); rtt < 2*delay {
		t.Errorf("round trip %v through a %v proxy, want at least %v", rtt, delay, 2*delay)
	}
	if !bytes.Equal(got, msg) {
		t.Errorf("echo %q, want %q", got, msg)
	}
	// The proxy counts a chunk once its write returns, a moment after the
	// client may have read it.
	want := int64(2 * len(msg))
	if err := waitUntil(context.Background(), time.Second, "the count", func() bool { return p.Bytes() >= want }); err != nil || p.Bytes() != want {
		t.Errorf("proxy counted %d bytes, want %d", p.Bytes(), want)
	}
}

// The whole machinery on tiny circles: every scenario but the daemon's is
// measured, and the report, results and charts are written.
func TestSmokeTinyRun(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test of the benchmark machinery: starts dozens of nodes")
	}
	tiny := plan{quick: true, delay: 5 * time.Millisecond,
		propN: []int{3}, propRuns: 3, ingestOps: 300,
		revokeN: []int{3}, revokeRuns: 1, admitN: 4, admitRuns: 1, attackN: 3, attackRuns: 3,
		catchupOps: []int{300}, footN: 3, storeAdvisories: 30,
		scaleN: []int{3, 4}, scaleAdv: 2, limit: 90 * time.Second, noDaemon: true,
		idleN: 3, idleWindows: 2, idleWindow: 200 * time.Millisecond,
		idle: 300 * time.Millisecond, applicantWait: time.Second}
	out := t.TempDir()
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if err := run(ctx, Options{Out: out, Progress: &progress}, tiny); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("progress:\n%s", progress.String())
		}
	}()
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != len(scenarios) {
		t.Fatalf("%d scenarios in the results, want %d", len(r.Scenarios), len(scenarios))
	}
	for _, s := range r.Scenarios {
		if s.Outcome == NotMeasured && s.Name != "footprint" {
			t.Errorf("scenario %d (%s) not measured: %s", s.ID, s.Name, s.Finding)
		}
		if len(s.Rows) == 0 {
			t.Errorf("scenario %d (%s) has no rows", s.ID, s.Name)
		}
		for _, x := range s.Rows {
			// An RSS difference inside a busy process can be noise below 0.
			if x.Runs == 0 || x.Median <= 0 && !strings.Contains(x.System, "RSS") {
				t.Errorf("scenario %d (%s): empty row %+v", s.ID, s.Name, x)
			}
		}
		for _, c := range s.Charts {
			if fi, err := os.Stat(filepath.Join(out, c)); err != nil || fi.Size() == 0 {
				t.Errorf("chart %s missing or empty: %v", c, err)
			}
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| 1 | propagation |") || !strings.Contains(progress.String(), "| 7 | scale |") {
		t.Errorf("summary table missing from the report or the progress output:\n%s", progress.String())
	}
}
