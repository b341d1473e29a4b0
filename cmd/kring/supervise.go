package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kring-circle/kring/internal/cli"
)

// A crash of kring run.
//
// A Go program that panics or hits a fatal runtime error (SIGBUS inside
// badger's memory-mapped files on a full disk, say) prints a goroutine
// dump on stderr and exits with status 2, which is kring's status for a
// usage or configuration error: one that contrib/kring.service does not
// restart. No handler of the crashing process runs, so no log line in
// the configured format comes first. kring run therefore runs the daemon
// in a child process of the same binary and watches it: when the child
// crashes (its runtime writes the dump to a pipe kring run reads, beside
// stderr) or is killed by a signal, kring run logs one ERROR line in the
// configured log format as the dump starts, and exits with exitCrash,
// which systemd restarts. Any other exit status of the child is kring
// run's own, and the child has printed its reason already.
//
// Only the kring binary supervises (main sets supervise); the tests that
// run kring in-process run the daemon in-process.

// exitCrash is kring run's exit status when the daemon crashed: 70,
// EX_SOFTWARE of sysexits.h.
const exitCrash = 70

// supervisedEnv marks the child process; its value is the file
// descriptor of the crash pipe.
const supervisedEnv = "KRING_RUN_SUPERVISED"

// supervise is set by main: kring run runs its daemon in a watched child.
var supervise = false

// crashFD is the child's file descriptor of the crash pipe (the first of
// exec.Cmd.ExtraFiles); readyFD that of the ready pipe (the second).
const (
	crashFD = 3
	readyFD = 4
)

// inSupervisedChild reports whether this process is the daemon a kring
// run watches, sends its crash dumps to the pipe the watcher reads, and
// tells the watcher that it is ready for signals by closing the ready
// pipe. Call it only once the process takes SIGINT, SIGTERM and SIGHUP
// itself: until then the watcher holds the signals it would pass on, as
// the default action of each would kill a process still starting.
func inSupervisedChild() bool {
	if os.Getenv(supervisedEnv) != fmt.Sprint(crashFD) {
		return false
	}
	if err := debug.SetCrashOutput(os.NewFile(crashFD, "crash pipe"), debug.CrashOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "kring: the crash pipe: %v\n", err)
	}
	_ = os.NewFile(readyFD, "ready pipe").Close()
	return true
}

// runSupervised runs `kring ARGS` as a child process with the same
// streams and waits for it, passing on SIGINT, SIGTERM and the SIGHUPs
// of hup, and SIGTERM when ctx ends (a SIGINT or SIGTERM that came before
// the watch began). Signals that come before the child is ready for them
// (inSupervisedChild) are held until it is. It returns nil on the child's
// clean exit, a cli.Told with the child's exit status (the child told
// why), or, on a crash, an error with exitCrash after logging it on log.
func (a *app) runSupervised(ctx context.Context, hup <-chan os.Signal, args []string, log *slog.Logger) error {
	exe, err := os.Executable()
	if err != nil {
		return failuref("kring run: finding its own binary: %v", err)
	}
	crashR, crashW, err := os.Pipe()
	if err != nil {
		return failuref("kring run: the crash pipe: %v", err)
	}
	defer crashR.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		crashW.Close()
		return failuref("kring run: the ready pipe: %v", err)
	}
	defer readyR.Close()
	closeChildEnds := func() {
		crashW.Close()
		readyW.Close()
	}
	c := exec.Command(exe, args...)
	c.Env = append(os.Environ(), supervisedEnv+"="+fmt.Sprint(crashFD))
	c.Stdin, c.Stdout = a.stdin, a.stdout
	c.ExtraFiles = []*os.File{crashW, readyW}
	stderr, err := c.StderrPipe()
	if err != nil {
		closeChildEnds()
		return failuref("kring run: %v", err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	dieWithWatcher(c)
	// The kernel kills the child when the thread that started it ends;
	// start it from a locked thread, which the runtime keeps once it is
	// unlocked (it ends only a thread that a goroutine exits holding).
	runtime.LockOSThread()
	err = c.Start()
	runtime.UnlockOSThread()
	closeChildEnds()
	if err != nil {
		return failuref("kring run: starting the daemon process: %v", err)
	}

	w := &crashWatch{log: log, out: a.stderr}
	var copying sync.WaitGroup
	copying.Go(func() { w.copyStderr(stderr) })
	copying.Go(func() { w.readDump(crashR) })
	waited := make(chan error, 1)
	go func() {
		copying.Wait() // Wait closes the stderr pipe: read it to the end first
		waited <- c.Wait()
	}()
	// The child closes the ready pipe once it takes the signals itself
	// (or ends, which closes it too).
	ready := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, readyR)
		close(ready)
	}()
	var held []os.Signal
	pass := func(s os.Signal) {
		if ready != nil {
			held = append(held, s)
			return
		}
		_ = c.Process.Signal(s)
	}
	for {
		select {
		case s := <-sigs:
			w.noteStop()
			pass(s)
		case s := <-hup:
			pass(s)
		case <-ctx.Done():
			w.noteStop()
			pass(syscall.SIGTERM)
			ctx = context.Background()
		case <-ready:
			ready = nil
			for _, s := range held {
				_ = c.Process.Signal(s)
			}
			held = nil
		case err := <-waited:
			// A SIGTERM sent to the whole service (systemd's
			// KillMode=control-group) may kill a child still starting
			// before this loop took the watcher's own copy: give that
			// copy a moment to arrive.
			if stoppedBy(c.ProcessState) && !w.stopNoted() {
				select {
				case <-sigs:
					w.noteStop()
				case <-ctx.Done():
					w.noteStop()
				case <-time.After(stopSignalGrace):
				}
			}
			return w.verdict(c.ProcessState, err)
		}
	}
}

// crashWatch passes a supervised daemon's stderr on and watches for its
// crash.
type crashWatch struct {
	log *slog.Logger
	out io.Writer

	mu     sync.Mutex
	logged bool         // the crash line is logged
	dump   bytes.Buffer // what the runtime wrote to the crash pipe
	// stopping is set once the watcher was asked to stop (SIGINT or
	// SIGTERM): a child killed by one of those then was stopped while
	// starting, before it took them itself, and did not crash.
	stopping bool
}

// noteStop notes that the watcher was asked to stop.
func (w *crashWatch) noteStop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopping = true
}

// stopNoted reports whether the watcher was asked to stop.
func (w *crashWatch) stopNoted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopping
}

// stopSignalGrace is how long the watcher waits for its own SIGINT or
// SIGTERM once its child ended on one.
const stopSignalGrace = 200 * time.Millisecond

// stoppedBy reports whether ps is a process killed by SIGINT or SIGTERM.
func stoppedBy(ps *os.ProcessState) bool {
	if ps == nil {
		return false
	}
	st, ok := ps.Sys().(syscall.WaitStatus)
	return ok && st.Signaled() && (st.Signal() == syscall.SIGTERM || st.Signal() == syscall.SIGINT)
}

// crashStarts are the first words of the lines with which the Go runtime
// starts a crash dump: nothing else the daemon writes starts so (its log
// lines start with "time=" or "{").
var crashStarts = []string{"panic: ", "fatal error: ", "unexpected fault address", "unexpected signal",
	"SIGBUS: ", "SIGSEGV: ", "SIGABRT: ", "SIGQUIT: ", "SIGILL: ", "SIGTRAP: ", "SIGFPE: ", "runtime: "}

// copyStderr copies the child's stderr, line by line, logging the crash
// line before the first line of a dump.
func (w *crashWatch) copyStderr(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			for _, p := range crashStarts {
				if strings.HasPrefix(line, p) {
					w.logCrash(strings.TrimSpace(line))
					break
				}
			}
			_, _ = io.WriteString(w.out, line)
		}
		if err != nil {
			return
		}
	}
}

// readDump reads the crash pipe to its end (the child's exit).
func (w *crashWatch) readDump(r io.Reader) {
	var b bytes.Buffer
	_, _ = io.Copy(&b, r)
	w.mu.Lock()
	w.dump = b
	w.mu.Unlock()
}

// logCrash logs, once, that the daemon crashed, with what.
func (w *crashWatch) logCrash(what string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.logged {
		return
	}
	w.logged = true
	w.log.Error("kring run crashed: the goroutine dump follows on stderr; the service manager restarts it (exit status 70)",
		"crash", what)
}

// verdict turns the child's end into kring run's: nil, the child's own
// exit status, or a crash.
func (w *crashWatch) verdict(ps *os.ProcessState, waitErr error) error {
	w.mu.Lock()
	dump := strings.TrimSpace(w.dump.String())
	stopping := w.stopping
	w.mu.Unlock()
	var ee *exec.ExitError
	if ps == nil || waitErr != nil && !errors.As(waitErr, &ee) {
		return failuref("kring run: waiting for the daemon process: %v", waitErr)
	}
	if dump != "" {
		first, _, _ := strings.Cut(dump, "\n")
		w.logCrash(first)
		return cli.Exitf(exitCrash, "the daemon crashed (%s): see the dump above", first)
	}
	if st, ok := ps.Sys().(syscall.WaitStatus); ok && st.Signaled() {
		if stopping && stoppedBy(ps) {
			w.log.Info("stopped while starting", "reason", "the daemon process ended on "+st.Signal().String()+" before it took the signal itself")
			return nil
		}
		w.logCrash("killed by signal " + st.Signal().String())
		return cli.Exitf(exitCrash, "the daemon process was killed by signal %s", st.Signal())
	}
	if code := ps.ExitCode(); code != exitOK {
		return &cli.Told{Code: code}
	}
	return nil
}
