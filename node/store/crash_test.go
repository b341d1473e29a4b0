package store_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

const crashDirEnv = "KRING_STORE_CRASH_DIR"

// TestCrashRecovery runs a child process that stores ops, acknowledges
// them on stdout and kills itself with SIGKILL without closing the store;
// everything acknowledged must then be in the store. (A power loss would
// need a virtual machine; SyncWrites covers it.)
func TestCrashRecovery(t *testing.T) {
	c := chains(t, 5, "A", "B")
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(t, dir, c.Ops)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.Output()
	if err == nil || cmd.ProcessState.Success() {
		t.Fatalf("the child exited normally: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "acknowledged\n") {
		t.Fatalf("the child acknowledged nothing: %v\n%s", err, out)
	}
	s := open(t, dir, store.DefaultOptions())
	if got := ranged(t, s); !slices.Equal(got, hashes(c.Ops)) {
		t.Fatalf("after the crash the store holds %d of %d acknowledged ops", len(got), len(c.Ops))
	}
	if n, err := s.NextSeq(); err != nil || n != 7 {
		t.Fatalf("NextSeq after the crash = %d, %v; want 7", n, err)
	}
	if s.PendingLen() != 1 {
		t.Fatalf("PendingLen after the crash = %d, want 1", s.PendingLen())
	}
}

// crashChild stores ops in dir, says so, and dies.
func crashChild(t *testing.T, dir string, ops []*protocol.Op) {
	s, err := store.Open(dir, store.DefaultOptions())
	if err != nil {
		t.Fatalf("child: Open: %v", err)
	}
	put(t, s, ops...)
	if err := s.SetNextSeq(7); err != nil {
		t.Fatalf("child: SetNextSeq: %v", err)
	}
	if _, err := s.PutPending(ops[1]); err != nil {
		t.Fatalf("child: PutPending: %v", err)
	}
	fmt.Println("acknowledged")
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("child: kill: %v", err)
	}
	select {}
}
