package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kring-circle/kring/internal/loopback"
	"github.com/kring-circle/kring/node"
)

// binary is the kring binary built once by TestMain for the end-to-end
// tests; empty under -short.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		// No test may write to the user's own ~/.kring: a command run
		// without --data-dir lands in a directory of its own.
		home, err := os.MkdirTemp("", "kring-test-home-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(home)
		os.Setenv("KRING_DIR", filepath.Join(home, ".kring"))
		if testing.Short() {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "kring-e2e-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "kring")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building kring: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// org is one organisation of the end-to-end circle.
type org struct {
	name, dir string
	p2p, api  int
	peerID    string
	daemon    *exec.Cmd
	log       *lockedBuffer
	done      chan error
}

// lockedBuffer is a daemon's output, safe to read while the daemon writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bin runs the real binary with a timeout.
func bin(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "KRING_DIR=")
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running kring %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago and
// that no earlier call returned (internal/loopback).
func freePort(t *testing.T) int {
	t.Helper()
	p, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs `kring run` for o until ctx ends.
func (o *org) start(t *testing.T, ctx context.Context) {
	t.Helper()
	o.log = &lockedBuffer{}
	o.daemon = exec.CommandContext(ctx, binary, "--data-dir", o.dir, "run")
	o.daemon.Stdout, o.daemon.Stderr = o.log, o.log
	o.daemon.Cancel = func() error { return o.daemon.Process.Signal(syscall.SIGTERM) }
	o.daemon.WaitDelay = 10 * time.Second
	if err := o.daemon.Start(); err != nil {
		t.Fatal(err)
	}
	o.done = make(chan error, 1)
	go func() { o.done <- o.daemon.Wait() }()
}

// stop sends SIGTERM and returns the daemon's exit status.
func (o *org) stop(t *testing.T) int {
	t.Helper()
	_ = o.daemon.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(15 * time.Second):
		_ = o.daemon.Process.Kill()
		t.Fatalf("%s did not stop on SIGTERM; log:\n%s", o.name, o.log)
	}
	return o.daemon.ProcessState.ExitCode()
}

// eventually polls cond every 200 ms until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jsonOut runs a read verb with --output json and decodes it into v.
func jsonOut(t *testing.T, v any, args ...string) bool {
	t.Helper()
	r := bin(t, append(args, "--output", "json")...)
	return r.code == 0 && json.Unmarshal([]byte(r.stdout), v) == nil
}

func setupCircle(t *testing.T, root string) []*org {
	orgs := []*org{{name: "a"}, {name: "b"}, {name: "c"}}
	for _, o := range orgs {
		o.dir, o.p2p, o.api = filepath.Join(root, o.name), freePort(t), freePort(t)
		bin(t, "--data-dir", o.dir, "init", "--org", "Org "+strings.ToUpper(o.name),
			"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", o.p2p), "--api", fmt.Sprintf("127.0.0.1:%d", o.api)).must(t)
		m, err := readCard(o.dir)
		if err != nil {
			t.Fatal(err)
		}
		id, err := node.PeerID(m.Key)
		if err != nil {
			t.Fatal(err)
		}
		o.peerID = id.String()
	}
	for _, o := range orgs {
		var peers []string
		for _, p := range orgs {
			if p != o {
				peers = append(peers, fmt.Sprintf("%q", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", p.p2p, p.peerID)))
			}
		}
		editConfig(t, o.dir, "peers = []", "peers = ["+strings.Join(peers, ", ")+"]")
	}
	ch := writeCharter(t, root, testCharter) // k=2, s=2, r=2
	draftPath := filepath.Join(root, "genesis.draft.json")
	gen := filepath.Join(root, "genesis.kring")
	bin(t, "--data-dir", orgs[0].dir, "genesis", "draft", "--charter", ch, "--founder", orgs[1].dir,
		"--founder", orgs[2].dir, "--out", draftPath).must(t)
	bin(t, "--data-dir", orgs[1].dir, "genesis", "sign", draftPath).must(t)
	bin(t, "--data-dir", orgs[2].dir, "genesis", "sign", draftPath).must(t)
	bin(t, "--data-dir", orgs[2].dir, "genesis", "finalize", draftPath, "--out", gen).must(t)
	bin(t, "--data-dir", orgs[0].dir, "genesis", "install", gen).must(t)
	bin(t, "--data-dir", orgs[1].dir, "genesis", "install", gen).must(t)
	return orgs
}

// editConfig replaces old by new in a data dir's config.toml, and makes
// the node fast for a test: frequent syncs, no synced writes.
func editConfig(t *testing.T, dir, old, new string) {
	t.Helper()
	path := filepath.Join(dir, configFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, r := range [][2]string{{old, new}, {`sync_interval = "30s"`, `sync_interval = "1s"`}, {"sync_writes = true", "sync_writes = false"}} {
		s = strings.Replace(s, r[0], r[1], 1)
	}
	if !strings.Contains(s, new) {
		t.Fatalf("config of %s has no %q", dir, old)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
