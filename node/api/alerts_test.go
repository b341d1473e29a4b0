package api_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kring-circle/kring/node/api"
)

// alertRules is the shape of a Prometheus rules file, as much of it as
// Prometheus checks: unknown fields are refused.
type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestAlertRules: contrib/kring-alerts.yml is a well-formed Prometheus
// rules file (no promtool here: its structure, durations, severities and
// annotations are checked), and every kring_ and process_ metric its
// expressions name is one a daemon serves.
func TestAlertRules(t *testing.T) {
	file, err := os.ReadFile("../../contrib/kring-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f alertRules
	dec := yaml.NewDecoder(strings.NewReader(string(file)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("kring-alerts.yml: %v", err)
	}
	if len(f.Groups) == 0 {
		t.Fatal("kring-alerts.yml has no groups")
	}
	// A node that has judged an op and completed a sync serves every
	// series it has.
	_, a, b, _ := trio(t)
	if _, err := a.c.Publish(ctxFor(t, 30*time.Second), api.PublishRequest{Title: "for the scrape", TLP: "GREEN"}); err != nil {
		t.Fatal(err)
	}
	var served string
	eventually(t, "B to count an op and a sync", func() bool {
		served = scrape(t, b)
		return strings.Contains(served, "# TYPE kring_ops_total ") && strings.Contains(served, "# TYPE kring_peer_last_sync_timestamp_seconds ")
	})
	metricName := regexp.MustCompile(`\b(kring_[a-z_]+|process_[a-z_]+)\b`)
	seen := map[string]bool{}
	for _, g := range f.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: a name and rules needed", g.Name)
		}
		for _, r := range g.Rules {
			if r.Alert == "" || seen[r.Alert] || strings.TrimSpace(r.Expr) == "" {
				t.Errorf("rule %q: needs a unique alert name and an expr", r.Alert)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("rule %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if !slices.Contains([]string{"warning", "critical"}, r.Labels["severity"]) {
				t.Errorf("rule %s: severity %q, want warning or critical", r.Alert, r.Labels["severity"])
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("rule %s: needs a summary and a description", r.Alert)
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("rule %s: unbalanced parentheses in %q", r.Alert, r.Expr)
			}
			for _, m := range metricName.FindAllString(r.Expr, -1) {
				if !strings.Contains(served, "# TYPE "+m+" ") {
					t.Errorf("rule %s names %s, which the daemon does not serve", r.Alert, m)
				}
			}
		}
	}
}
