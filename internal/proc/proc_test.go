package proc

import (
	"os"
	"os/exec"
	"testing"
)

// TestChildOf finds a child this test starts, and none of a process
// without children.
func TestChildOf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if got := ChildOf(os.Getpid()); got != cmd.Process.Pid {
		t.Errorf("ChildOf(this test) = %d, want %d", got, cmd.Process.Pid)
	}
	if got := ChildOf(cmd.Process.Pid); got != 0 {
		t.Errorf("ChildOf(sleep) = %d, want 0", got)
	}
}
