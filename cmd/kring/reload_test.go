package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRestartSettings: a changed log level is reloaded, not reported; a
// change elsewhere names its section.
func TestRestartSettings(t *testing.T) {
	d := initOrgs(t, t.TempDir(), "a")[0]
	path := filepath.Join(d, configFile)
	before, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s := strings.Replace(string(b), `level = "info"`, `level = "debug"`, 1)
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	now, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := restartSettings(before, now); len(got) != 0 {
		t.Errorf("a changed log level: restartSettings = %q, want none", got)
	}
	s = strings.Replace(s, `enrol_interval = "10s"`, `enrol_interval = "5s"`, 1)
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	if now, err = loadConfig(path); err != nil {
		t.Fatal(err)
	}
	if got := restartSettings(before, now); !slices.Equal(got, []string{"node"}) {
		t.Errorf("a changed enrol_interval: restartSettings = %q, want [node]", got)
	}
}
