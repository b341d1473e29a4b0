package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/kring-circle/kring/internal/proc"
)

// Machine describes the machine a run measured.
type Machine struct {
	// Cores is runtime.NumCPU(); GOMAXPROCS the Go scheduler's setting.
	Cores      int `json:"cores"`
	GOMAXPROCS int `json:"gomaxprocs"`
	// CPU is the processor model, if the OS says.
	CPU string `json:"cpu,omitempty"`
	// Go is the Go version; OS and Arch the platform.
	Go   string `json:"go"`
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// MemoryMiB is the machine's memory, if the OS says.
	MemoryMiB int `json:"memory_mib,omitempty"`
	// LoadAvg is the 1-, 5- and 15-minute load average at the start: a
	// load near or above Cores means other work competed for the CPU.
	LoadAvg string `json:"loadavg,omitempty"`
	// Date is when the run started.
	Date string `json:"date"`
}

// String is the machine on one line.
func (m Machine) String() string {
	s := fmt.Sprintf("%d cores (GOMAXPROCS %d)", m.Cores, m.GOMAXPROCS)
	if m.CPU != "" {
		s += ", " + m.CPU
	}
	if m.MemoryMiB > 0 {
		s += fmt.Sprintf(", %d MiB", m.MemoryMiB)
	}
	s += fmt.Sprintf(", %s %s/%s", m.Go, m.OS, m.Arch)
	if m.LoadAvg != "" {
		s += ", load average at start " + m.LoadAvg
	}
	return s
}

// thisMachine describes the running machine.
func thisMachine(now time.Time) Machine {
	m := Machine{
		Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		Date: now.UTC().Format(time.RFC3339),
	}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		var n int
		if _, err := fmt.Sscanf(kb, "%d", &n); err == nil {
			m.MemoryMiB = n / 1024
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// daemonBytes returns the resident memory of a `kring run` with pid: its
// daemon process's VmRSS plus the watching process's own anonymous
// memory (RssAnon); the watcher's file-backed pages are the same binary's
// pages the daemon maps, resident once. Without a daemon child (an older
// kring), the process's VmRSS.
func daemonBytes(pid int) int64 {
	child := proc.ChildOf(pid)
	if child == 0 {
		return rssBytes(pid)
	}
	var anonKB int64
	if _, err := fmt.Sscanf(procField(fmt.Sprintf("/proc/%d/status", pid), "RssAnon"), "%d", &anonKB); err != nil {
		return 0
	}
	return rssBytes(child) + anonKB<<10
}

// rssBytes returns the resident memory of process pid (0: this one) from
// /proc, or 0 if unknown.
func rssBytes(pid int) int64 {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	v := procField(path, "VmRSS")
	var kb int64
	if _, err := fmt.Sscanf(v, "%d", &kb); err != nil {
		return 0
	}
	return kb << 10
}
