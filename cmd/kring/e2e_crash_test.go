package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kring-circle/kring/internal/proc"
	"github.com/kring-circle/kring/node/api"
)

// startJSON starts `kring run --log-format json` for o until the test ends
// and returns once its API answers.
func (o *org) startJSON(t *testing.T) {
	t.Helper()
	o.launchJSON(t)
	o.waitAPI(t)
}

// waitAPI returns once o's API answers.
func (o *org) waitAPI(t *testing.T) {
	t.Helper()
	eventually(t, 20*time.Second, o.name+"'s API", func() bool {
		hc, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return api.NewClient("http://127.0.0.1:"+strconv.Itoa(o.api), "").Health(hc) == nil
	})
}

// launchJSON starts `kring run --log-format json` for o until the test
// ends and returns at once.
func (o *org) launchJSON(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	o.log = &lockedBuffer{}
	o.daemon = exec.CommandContext(ctx, binary, "--data-dir", o.dir, "run", "--log-format", "json")
	o.daemon.Stdout, o.daemon.Stderr = o.log, o.log
	if err := o.daemon.Start(); err != nil {
		t.Fatal(err)
	}
	o.done = make(chan error, 1)
	go func() { o.done <- o.daemon.Wait() }()
	t.Cleanup(func() { _ = o.daemon.Process.Kill() })
}

// wait returns o's exit status once it has stopped.
func (o *org) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-o.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not stop; log:\n%s", o.name, o.log)
	}
	return o.daemon.ProcessState.ExitCode()
}

// watchedDaemon starts the first organisation of a test circle with the
// real binary, and returns it and the pid of the node process its kring
// run watches.
func watchedDaemon(t *testing.T) (*org, int) {
	t.Helper()
	a := setupCircle(t, t.TempDir())[0]
	a.startJSON(t)
	child := proc.ChildOf(a.daemon.Process.Pid)
	if child == 0 {
		t.Fatalf("kring run has no daemon process; log:\n%s", a.log)
	}
	return a, child
}

// TestDaemonCrashHasItsOwnExitStatus: a daemon that crashes (here its
// runtime dumps its goroutines on SIGABRT, as it does on a fault such as
// SIGBUS from a full disk) makes kring run exit 70, which systemd
// restarts, not 2 (a configuration error it does not); one ERROR line in
// the configured JSON format comes before the dump.
func TestDaemonCrashHasItsOwnExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	a, child := watchedDaemon(t)
	if err := syscall.Kill(child, syscall.SIGABRT); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != exitCrash {
		t.Fatalf("exit status %d after a crash, want %d; log:\n%s", code, exitCrash, a.log)
	}
	out := a.log.String()
	crashLine, dump := strings.Index(out, "kring run crashed"), strings.Index(out, "\nSIGABRT: abort")
	if crashLine < 0 || dump < 0 || crashLine > dump {
		t.Fatalf("want the crash logged before the dump; log:\n%s", out)
	}
	line := out[strings.LastIndex(out[:crashLine], "\n")+1:]
	line, _, _ = strings.Cut(line, "\n")
	var rec struct{ Level, Msg, Crash string }
	if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Level != "ERROR" || !strings.HasPrefix(rec.Crash, "SIGABRT") {
		t.Errorf("crash line %q: %+v, %v; want a JSON ERROR record naming the crash", line, rec, err)
	}
	if !strings.Contains(out, "kring: the daemon crashed (SIGABRT: abort") {
		t.Errorf("kring run did not end with the crash on one line; log:\n%s", out)
	}
}

// TestKilledWatcherTakesItsDaemon: kring run killed with SIGKILL leaves
// no daemon process behind to hold the store: a new kring run starts.
func TestKilledWatcherTakesItsDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	a, child := watchedDaemon(t)
	if err := a.daemon.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.wait(t)
	eventually(t, 10*time.Second, "the daemon process to end", func() bool {
		_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(child)))
		return err != nil
	})
	a.startJSON(t)
	if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != exitOK {
		t.Errorf("the second kring run: exit %d; log:\n%s", code, a.log)
	}
}

// TestDaemonExitStatusPassesThrough: kring run's watcher passes on its
// daemon's exit status and says nothing more than the daemon did; SIGTERM
// reaches the daemon and stops it cleanly.
func TestDaemonExitStatusPassesThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	orgs := setupCircle(t, t.TempDir())
	if err := os.Remove(filepath.Join(orgs[1].dir, identityFile)); err != nil {
		t.Fatal(err)
	}
	r := bin(t, "--data-dir", orgs[1].dir, "run")
	if r.code != exitIdentity || strings.Count(r.stderr, "kring: ") != 1 || !strings.Contains(r.stderr, "restore identity.key") {
		t.Errorf("run without its key: exit %d, stderr %q; want exit 3 and one line", r.code, r.stderr)
	}
	a := orgs[0]
	a.startJSON(t)
	if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != exitOK || !strings.Contains(a.log.String(), `"msg":"stopped"`) {
		t.Errorf("SIGTERM: exit %d; log:\n%s", code, a.log)
	}
}

// TestHangupReloads: SIGHUP does not stop kring run: it puts the token
// file in force, sets the log level from config.toml, and names the
// sections that changed and wait for a restart.
func TestHangupReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	a := setupCircle(t, t.TempDir())[0]
	a.startJSON(t)
	editConfig(t, a.dir, `level = "info"`, `level = "debug"`)
	editConfig(t, a.dir, `enrol_interval = "10s"`, `enrol_interval = "5s"`) // takes a restart
	if err := a.daemon.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the reload to be logged", func() bool {
		out := a.log.String()
		return strings.Contains(out, `"msg":"SIGHUP: log level set from config.toml","level":"debug"`) && strings.Contains(out, `"msg":"API token unchanged: the token in force stays","why":"SIGHUP"`) &&
			strings.Contains(out, `"sections":"node"`)
	})
	eventually(t, 10*time.Second, "a DEBUG line", func() bool { return strings.Contains(a.log.String(), `"level":"DEBUG"`) })
	if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != exitOK {
		t.Errorf("exit %d after SIGHUP and SIGTERM; log:\n%s", code, a.log)
	}
}

// startingChild launches kring run for o and returns its daemon process's
// pid as soon as the process exists: the daemon is still starting and
// does not take its signals itself yet.
func (o *org) startingChild(t *testing.T) int {
	t.Helper()
	o.launchJSON(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if child := proc.ChildOf(o.daemon.Process.Pid); child != 0 {
			return child
		}
		if time.Now().After(deadline) {
			t.Fatalf("kring run started no daemon process; log:\n%s", o.log)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSignalsWhileStarting: signals that reach kring run while its daemon
// process is still starting neither kill the daemon nor count as a
// crash. A SIGHUP (systemctl reload right after start) is held until the
// daemon takes it and reloads; a SIGTERM to both processes (systemd's
// KillMode=control-group stopping the service) is a clean stop, exit 0
// with no crash line.
func TestSignalsWhileStarting(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	a := setupCircle(t, t.TempDir())[0]
	for range 3 {
		a.startingChild(t)
		if err := a.daemon.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "the reload to be logged", func() bool {
			select {
			case <-a.done:
				t.Fatalf("SIGHUP while starting stopped kring run: exit %d; log:\n%s", a.daemon.ProcessState.ExitCode(), a.log)
			default:
			}
			return strings.Contains(a.log.String(), `"why":"SIGHUP"`)
		})
		a.waitAPI(t)
		if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := a.wait(t); code != exitOK || strings.Contains(a.log.String(), "crashed") {
			t.Fatalf("SIGHUP while starting, then SIGTERM: exit %d; log:\n%s", code, a.log)
		}

		child := a.startingChild(t)
		_ = syscall.Kill(child, syscall.SIGTERM)
		if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := a.wait(t); code != exitOK || strings.Contains(a.log.String(), "crashed") {
			t.Fatalf("SIGTERM to both processes while starting: exit %d; log:\n%s", code, a.log)
		}

		// systemd signals one process after the other: the watcher's
		// SIGTERM may come after its daemon process has ended on its own.
		child = a.startingChild(t)
		_ = syscall.Kill(child, syscall.SIGTERM)
		for ended := false; !ended; {
			b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(child), "stat"))
			ended = err != nil || strings.Contains(string(b), ") Z ")
		}
		if err := a.daemon.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := a.wait(t); code != exitOK || strings.Contains(a.log.String(), "crashed") {
			t.Fatalf("SIGTERM to the daemon process, then to kring run, while starting: exit %d; log:\n%s", code, a.log)
		}
	}
}
