package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
)

// TestConfigTestdata loads every example in testdata/config: good-*.toml
// must load, bad-*.toml must fail with the text of its "# want:" line,
// on one line that names the file.
func TestConfigTestdata(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.toml")
	if err != nil || len(files) < 10 {
		t.Fatalf("testdata: %v, %d files", err, len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if first, _, _ := strings.Cut(string(b), "\n"); strings.HasPrefix(first, "# want: ") {
				want = strings.TrimPrefix(first, "# want: ")
			}
			good := strings.HasPrefix(filepath.Base(path), "good-")
			if good == (want != "") {
				t.Fatalf("a good-*.toml has no # want: line, a bad-*.toml has one")
			}
			_, err = loadConfig(path)
			if good {
				if err != nil {
					t.Fatalf("loadConfig: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("loadConfig succeeded, want %q", want)
			}
			msg := err.Error()
			if !strings.Contains(msg, want) || !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
				t.Errorf("error %q\nwant one line naming %s and containing %q", msg, path, want)
			}
			if exitCode(err) != exitUsage {
				t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
			}
		})
	}
}

func TestConfigMissing(t *testing.T) {
	_, err := loadConfig(filepath.Join(t.TempDir(), "config.toml"))
	if err == nil || !strings.Contains(err.Error(), "run `kring init") || exitCode(err) != exitUsage {
		t.Fatalf("err = %v (exit %d)", err, exitCode(err))
	}
}

// TestConfigTemplateRoundTrip: the file kring init writes decodes to the
// values it was rendered from, so every default it shows is the real one.
func TestConfigTemplateRoundTrip(t *testing.T) {
	c := defaultFileConfig()
	c.Organisation = api.ProfileInfo{Name: `Quote "and" back\slash`, Sector: "energy", Expertise: []string{"ics"},
		Claims: []api.ClaimInfo{{Requirement: "vital-clients", Statement: "five"}}}
	c.Node.Peers = []string{"/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWFRsrMk5rfCjwGNRx91hEAmrTt8BCXwhN1FZygvP1qm51"}
	b, err := renderConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseConfig(b)
	if err != nil {
		t.Fatalf("parsing the rendered config: %v\n%s", err, b)
	}
	c.Node.Announce = []string{} // rendered as [] and decoded as an empty list
	c.fromInit = true            // every key set: c.unset stays nil
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", got, c)
	}
}

// TestConfigDefaults: a minimal file gets node.DefaultConfig's values.
func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig("testdata/config/good-minimal.toml")
	if err != nil {
		t.Fatal(err)
	}
	nc := c.nodeConfig(dataDir("/d"), nil, nil)
	if nc.SyncInterval != 30*time.Second || nc.ConnHigh != 192 || nc.MaxMemory != 512<<20 ||
		!nc.Store.SyncWrites || !nc.AutoEnact || nc.DataDir != filepath.Join("/d", "store") ||
		len(nc.ListenAddrs) != 2 || c.API.Listen != defaultAPI {
		t.Errorf("defaults not applied: %+v", nc)
	}
	a, err := loadConfig("testdata/config/good-applicant.toml")
	if err != nil {
		t.Fatal(err)
	}
	nc = a.nodeConfig(dataDir("/d"), nil, nil)
	if nc.SyncInterval != time.Minute || nc.Store.SyncWrites || len(nc.Peers) != 1 || len(nc.AnnounceAddrs) != 1 {
		t.Errorf("file values not applied: %+v", nc)
	}
	if p := a.profile(); p.Name != "Newcomer CERT" || len(p.Claims) != 1 || p.Claims[0].Statement != "Serves four water boards." {
		t.Errorf("profile = %+v", p)
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:7717": true, "[::1]:7717": true, "localhost:7717": true, "127.0.0.2:1": true,
		"0.0.0.0:7717": false, "192.0.2.1:7717": false, "[::]:7717": false, "example.org:7717": false,
		"127.0.0.1": false, "127.0.0.1:http": false, "127.0.0.1:70000": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// TestDurationKeys: every duration of the config is checked for a bare
// number and has a floor.
func TestDurationKeys(t *testing.T) {
	if got := durationKeys(); !reflect.DeepEqual(got, []string{"node.sync_interval", "node.publish_wait", "node.enrol_interval", "node.enroll_interval"}) {
		t.Errorf("durationKeys() = %v", got)
	}
	floors := map[string]time.Duration{"sync_interval": time.Second, "enrol_interval": time.Second, "publish_wait": 0}
	for _, k := range durationKeys() {
		_, key, _ := strings.Cut(k, ".")
		for _, v := range []string{"30", "0", "-1", "2.5", "0.5"} {
			_, err := parseConfig([]byte("[organisation]\nname = \"A\"\n[node]\n" + key + " = " + v + "\n"))
			if err == nil || !strings.Contains(err.Error(), k+" = "+v+" is a bare number") {
				t.Errorf("%s = %s: %v", k, v, err)
			}
		}
		if key == "enroll_interval" {
			continue // the old name of enrol_interval, whose floor it has
		}
		c := defaultFileConfig()
		c.Organisation.Name = "A"
		floor, ok := floors[key]
		if !ok {
			t.Fatalf("%s has no floor in this test", k)
		}
		for _, v := range []time.Duration{0, time.Nanosecond, 999 * time.Millisecond, -time.Hour} {
			if v >= floor {
				continue
			}
			c.Node.SyncInterval, c.Node.EnrolInterval, c.Node.PublishWait = duration(time.Second), duration(time.Second), 0
			switch key {
			case "sync_interval":
				c.Node.SyncInterval = duration(v)
			case "enrol_interval":
				c.Node.EnrolInterval = duration(v)
			default:
				c.Node.PublishWait = duration(v)
			}
			if err := c.validate(); err == nil || !strings.Contains(err.Error(), k+" is "+v.String()+": it must be at least "+floor.String()) {
				t.Errorf("%s = %s: %v", k, v, err)
			}
		}
	}
}

// TestConfigOldEnrolName: enroll_interval, the old name of
// enrol_interval, is read for one release with a WARN naming both; a file
// with both names is refused; the old name never counts as unset.
func TestConfigOldEnrolName(t *testing.T) {
	got, err := parseConfig([]byte("[organisation]\nname = \"A\"\n[node]\nenroll_interval = \"5s\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Node.EnrolInterval != duration(5*time.Second) || got.Node.OldEnrolInterval != nil {
		t.Errorf("enroll_interval = \"5s\" read as %v (old field %v)", got.Node.EnrolInterval, got.Node.OldEnrolInterval)
	}
	if slices.Contains(got.unset, "node.enrol_interval") || slices.Contains(got.unset, "node.enroll_interval") {
		t.Errorf("unset keys %v name the renamed key", got.unset)
	}
	var logged strings.Builder
	got.warnUnset(slog.New(slog.NewTextHandler(&logged, nil)), "/d/config.toml")
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "node.enroll_interval is the old name of node.enrol_interval") {
		t.Errorf("logged %q, want a WARN naming both names", logged.String())
	}
	_, err = parseConfig([]byte("[organisation]\nname = \"A\"\n[node]\nenroll_interval = \"5s\"\nenrol_interval = \"6s\"\n"))
	if err == nil || !strings.Contains(err.Error(), "node.enroll_interval and node.enrol_interval are one setting") {
		t.Errorf("both names: %v, want a refusal", err)
	}
	c := defaultFileConfig()
	c.Organisation.Name = "A"
	full, err := renderConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(full), "enroll") {
		t.Errorf("kring init writes the old name:\n%s", full)
	}
}

// TestConfigCutShort: a config.toml that kring init wrote and that lost
// its tail loads (the keys left run on their defaults) but kring run logs
// a WARN naming the missing keys; a hand-written minimal file gets an INFO
// only, and a complete file nothing.
func TestConfigCutShort(t *testing.T) {
	c := defaultFileConfig()
	c.Organisation.Name = "A"
	full, err := renderConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	cut := full[:strings.Index(string(full), "[store]")]
	for _, tc := range []struct {
		name  string
		file  []byte
		level string // "" for no line
		keys  []string
	}{
		{"complete", full, "", nil},
		{"cut before [store]", cut, "WARN", []string{"store.sync_writes", "limits.conn_low", "limits.max_memory_mib"}},
		{"hand-written", []byte("[organisation]\nname = \"A\"\n"), "INFO", []string{"node.listen", "store.sync_writes"}},
	} {
		got, err := parseConfig(tc.file)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var logged strings.Builder
		got.warnUnset(slog.New(slog.NewTextHandler(&logged, nil)), "/d/config.toml")
		line := logged.String()
		if tc.level == "" {
			if line != "" {
				t.Errorf("%s: logged %q, want nothing", tc.name, line)
			}
			continue
		}
		if !strings.Contains(line, "level="+tc.level) || strings.Count(line, "\n") != 1 {
			t.Errorf("%s: logged %q, want one %s line", tc.name, line, tc.level)
		}
		for _, k := range tc.keys {
			if !strings.Contains(line, k) {
				t.Errorf("%s: the line does not name %s: %q", tc.name, k, line)
			}
		}
		if tc.level == "WARN" && !strings.Contains(line, "cut short") {
			t.Errorf("%s: the WARN does not say the file may be cut short: %q", tc.name, line)
		}
	}
}

// TestConfigNamesNoForkRisk: the template says, beside sync_writes and
// sync_before_publish, that turning them down can make the node
// equivocate, and kring run warns when they are.
func TestConfigNamesNoForkRisk(t *testing.T) {
	c := defaultFileConfig()
	c.Organisation.Name = "A"
	b, err := renderConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"sync_writes", "sync_before_publish"} {
		text := string(b)
		i := strings.Index(text, "\n"+key+" = ")
		comment := text[strings.LastIndex(text[:i], "\n\n"):i]
		if !strings.Contains(comment, "equivocation") || !strings.Contains(comment, "no-fork guarantee") {
			t.Errorf("the comment on %s does not name the risk:\n%s", key, comment)
		}
	}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	c.warnNoFork(log, "/d/config.toml")
	if logged.Len() != 0 {
		t.Errorf("the defaults drew a warning: %q", logged.String())
	}
	c.Store.SyncWrites, c.Node.SyncBeforePublish = false, 0
	c.warnNoFork(log, "/d/config.toml")
	for _, key := range []string{"store.sync_writes = false", "node.sync_before_publish = 0"} {
		if !strings.Contains(logged.String(), key) {
			t.Errorf("no WARN about %s: %q", key, logged.String())
		}
	}
	if strings.Count(logged.String(), "level=WARN") != 2 {
		t.Errorf("want two WARN lines, got %q", logged.String())
	}
}

// The [limits] pace keys reach the node's configuration in its units.
func TestConfigPaceReachesTheNode(t *testing.T) {
	c, err := loadConfig("testdata/config/good-pace.toml")
	if err != nil {
		t.Fatal(err)
	}
	nc := c.nodeConfig(dataDir(t.TempDir()), nil, nil)
	want := node.Pace{OpsPerSecond: 200, Burst: 20000, BytesPerSecond: 8192 << 10, BurstBytes: 256 << 20}
	if nc.PaceAdvisories != want {
		t.Errorf("PaceAdvisories = %+v, want %+v", nc.PaceAdvisories, want)
	}
	if nc.PaceMembership.OpsPerSecond != 5 || nc.PaceMembership.Burst != 400 {
		t.Errorf("PaceMembership = %+v, want 5 ops/s and a burst of 400", nc.PaceMembership)
	}
	if d := node.DefaultConfig(); nc.PaceMembership.BytesPerSecond != d.PaceMembership.BytesPerSecond {
		t.Errorf("PaceMembership.BytesPerSecond = %d, want the default %d", nc.PaceMembership.BytesPerSecond, d.PaceMembership.BytesPerSecond)
	}
}
