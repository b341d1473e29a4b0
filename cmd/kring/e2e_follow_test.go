package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestFollowOutlivesTheDaemon runs `kring advisories follow -o json` on
// B while B's daemon is stopped (SIGTERM), killed (SIGKILL) and started
// again, with advisories published on A while B is down and after it is
// back: follow prints each advisory once, in stored order, says on stderr
// that it lost the daemon and reconnected, and exits 0 on SIGTERM. With
// --once it ends with the first lost stream, exit status 1.
func TestFollowOutlivesTheDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	orgs := runningCircle(t, ctx)
	a, b := orgs[0], orgs[1]

	f := startBin(t, ctx, "--data-dir", b.dir, "advisories", "follow", "-o", "json")
	var titles []string
	publish := func(title string) {
		t.Helper()
		bin(t, "--data-dir", a.dir, "publish", "--title", title, "--tlp", "green").must(t)
		titles = append(titles, title)
	}
	printed := func(n int) {
		t.Helper()
		eventually(t, 40*time.Second, fmt.Sprintf("follow to print %d advisories", n), func() bool {
			return strings.Count(f.stdout.String(), "\n") >= n
		})
	}

	publish("before any stop")
	printed(1)
	// A refusal is final: no retries on a cursor the daemon rejects.
	bin(t, "--data-dir", b.dir, "advisories", "follow", "--after", "nonsense").fails(t, exitUsage, "bad-cursor")

	// A clean stop ends the stream; an advisory published meanwhile
	// comes once B is back.
	if code := b.stop(t); code != exitOK {
		t.Fatalf("b exited %d on SIGTERM", code)
	}
	publish("while b was stopped")
	time.Sleep(1500 * time.Millisecond) // follow finds no daemon at least once
	b.start(t, ctx)
	printed(2)

	// A kill breaks the stream off mid-way (unexpected EOF).
	_ = b.daemon.Process.Signal(syscall.SIGKILL)
	<-b.done
	publish("while b was killed")
	b.start(t, ctx)
	printed(3)
	publish("after b came back")
	printed(4)

	if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := f.wait(t); err != nil {
		t.Errorf("follow on SIGTERM: %v, want exit 0\nstderr: %s", err, f.stderr)
	}
	var got []string
	last := uint64(0)
	for i, line := range strings.Split(strings.TrimSpace(f.stdout.String()), "\n") {
		var ai api.AdvisoryInfo
		if err := json.Unmarshal([]byte(line), &ai); err != nil {
			t.Fatalf("follow printed a line that is no advisory: %q (%v)", line, err)
		}
		if i > 0 && ai.Position <= last {
			t.Errorf("follow printed position %d after %d", ai.Position, last)
		}
		last = ai.Position
		got = append(got, ai.Title)
	}
	if strings.Join(got, "|") != strings.Join(titles, "|") {
		t.Errorf("follow printed %q, want each of %q once, in order", got, titles)
	}
	se := f.stderr.String()
	t.Logf("follow's stderr:\n%s", se)
	for _, want := range []string{"ended the stream", "lost the daemon", "unexpected EOF", "is not running", "trying again in", "reconnected to the daemon", "resuming after position"} {
		if !strings.Contains(se, want) {
			t.Errorf("follow's stderr does not say %q:\n%s", want, se)
		}
	}

	// --once keeps the old way: the first lost stream ends it.
	once := startBin(t, ctx, "--data-dir", b.dir, "advisories", "follow", "--once", "-o", "json")
	eventually(t, 20*time.Second, "follow --once to print the advisories", func() bool {
		return strings.Count(once.stdout.String(), "\n") == len(titles)
	})
	b.stop(t)
	err := once.wait(t)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure || !strings.Contains(once.stderr.String(), "ended the advisory stream") {
		t.Errorf("follow --once after the daemon stopped: %v, stderr %q; want exit %d saying the stream ended", err, once.stderr, exitFailure)
	}
}

// running is the real binary running in the background.
type running struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	done           chan error
}

// startBin runs the binary with args in the background until ctx ends;
// it is killed at cleanup if still running.
func startBin(t *testing.T, ctx context.Context, args ...string) *running {
	t.Helper()
	r := &running{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	r.cmd = exec.CommandContext(ctx, binary, args...)
	r.cmd.Stdout, r.cmd.Stderr = r.stdout, r.stderr
	r.cmd.Env = append(os.Environ(), "KRING_DIR=")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
		}
	})
	return r
}

// wait returns the process's exit error, failing the test if it runs on
// for 15 s.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(15 * time.Second):
		_ = r.cmd.Process.Kill()
		t.Fatalf("%v did not end; stderr: %s", r.cmd.Args, r.stderr)
	}
	return nil
}
