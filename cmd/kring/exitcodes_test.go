package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node"
)

// TestExitCodes checks the one-line errors and exit statuses of verbs
// that fail before, or instead of, reaching a daemon.
func TestExitCodes(t *testing.T) {
	root := t.TempDir()
	d := filepath.Join(root, "a")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now: the daemon is down
	kring(t, "--data-dir", d, "init", "--org", "A", "--api", fmt.Sprintf("127.0.0.1:%d", port)).must(t)
	none := filepath.Join(root, "none")

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--data-dir", d, "status"}, exitDaemon, "the daemon is not running"},
		{[]string{"--data-dir", d, "advisories", "list"}, exitDaemon, "start it with `kring --data-dir"},
		{[]string{"--data-dir", d, "revoke", "Org B"}, exitDaemon, "not running"},
		{[]string{"--data-dir", none, "status"}, exitUsage, "no config at"},
		{[]string{"--data-dir", d, "run"}, exitIdentity, "no genesis"},
		{[]string{"--data-dir", d, "--config", "testdata/config/bad-remote-api.toml", "run"}, exitUsage, "not a loopback address"},
		{[]string{"--data-dir", d, "leave", "--reason", "x"}, exitUsage, "--yes"},
		{[]string{"--data-dir", d, "endorse", "app.kring"}, exitUsage, "needs --evidence"},
		{[]string{"--data-dir", d, "endorse", filepath.Join(root, "app.kring"), "--evidence", "x"}, exitUsage, "application"},
		{[]string{"--data-dir", d, "publish", "--tlp", "RED"}, exitUsage, "the title is missing"},
		{[]string{"--data-dir", d, "members", "--explain"}, exitUsage, "flag needs an argument"},
		{[]string{"--data-dir", d, "revoke"}, exitUsage, "needs KEY"},
		{[]string{"--data-dir", d, "advisories", "show", "abc"}, exitUsage, "prefix of at least 8"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"status", "--bogus"}, exitUsage, "unknown flag: --bogus"},
		{[]string{"version", "extra"}, exitUsage, "takes no arguments"},
	}
	for _, c := range cases {
		r := kring(t, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 ||
			!strings.HasPrefix(r.stderr, "kring: ") {
			t.Errorf("kring %s: exit %d, stderr %q; want exit %d and one line containing %q",
				strings.Join(c.args, " "), r.code, r.stderr, c.code, c.want)
		}
	}
	// Each usage error carries one hint, naming the verb's own help.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--bogus"}, "see `kring status --help`"},
		{[]string{"members", "--explain"}, "see `kring members --help`"},
		{[]string{"advisories", "list", "--limit", "x"}, "see `kring advisories list --help`"},
		{[]string{"--bogus"}, "see `kring --help`"},
		{[]string{"frobnicate"}, "see `kring --help`"},
	} {
		r := kring(t, c.args...)
		if r.code != exitUsage || strings.Count(r.stderr, "see `") != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("kring %s: exit %d, stderr %q; want exit 2 and one hint %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
	if r := kring(t, "version"); r.code != 0 || r.stdout != "kring dev\n" {
		t.Errorf("version: %+v", r)
	}
	if r := kring(t, "--version"); r.code != 0 || r.stdout != "kring dev\n" {
		t.Errorf("--version: %+v", r)
	}
	if r := kring(t, "completion", "bash"); r.code != 0 || !strings.Contains(r.stdout, "__start_kring") {
		t.Errorf("completion bash: exit %d, %.80q", r.code, r.stdout)
	}
	if r := kring(t, "run", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Exit status:") ||
		!strings.Contains(r.stdout, "Examples:") {
		t.Errorf("run --help: %s", r.stdout)
	}
}

// TestEveryVerbHasExamples: --help of every verb shows examples.
func TestEveryVerbHasExamples(t *testing.T) {
	a := &app{}
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			n++
			if strings.TrimSpace(sub.Example) == "" {
				t.Errorf("%s has no examples", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(a.rootCommand())
	if n < 25 {
		t.Errorf("only %d verbs", n)
	}
}

// TestNodeStoppedExitStatus: a node that stopped because its organisation
// was cut off (node.exit_when_cut_off) makes kring run exit 5, naming why;
// any other stop is a store problem (exit 3).
func TestNodeStoppedExitStatus(t *testing.T) {
	cut := nodeStopped(fmt.Errorf("loop: %w", node.ErrCutOff), "/data/store")
	if got := exitCode(cut); got != exitCutOff || !errors.Is(cut, node.ErrCutOff) || !strings.Contains(cut.Error(), "sharing set") {
		t.Errorf("cut off: exit %d, %q; want %d naming the sharing set", got, cut, exitCutOff)
	}
	other := nodeStopped(errors.New("disk full"), "/data/store")
	if got := exitCode(other); got != exitIdentity || !strings.Contains(other.Error(), "/data/store") {
		t.Errorf("other stop: exit %d, %q; want %d naming the store", got, other, exitIdentity)
	}
}
