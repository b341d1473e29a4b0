package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCharterStep runs the charter step of the README's walkthrough
// ("Run a real circle") on the template: its sed edits must name the
// circle, lower admit and revoke to 2 for two founders, and give a charter that
// parses; the text around it must say that the charter changes later only
// by a vote and which fields are hard to change. The template says both
// too.
func TestReadmeCharterStep(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## Run a real circle")
	end := strings.Index(readme, "**Terminal 2** checks and signs the draft")
	if start < 0 || end < start {
		t.Fatal("README: no walkthrough with a charter step")
	}
	walk := readme[start:end]
	line := regexp.MustCompile(`(?m)^sed -i\.bak '([^']*)' charter\.toml$`).FindStringSubmatch(walk)
	if line == nil {
		t.Fatal("README: the walkthrough does not edit charter.toml with sed")
	}
	text := charterTemplate
	for _, cmd := range strings.Split(line[1], ";") {
		parts := strings.Split(strings.TrimSpace(cmd), "/")
		if len(parts) != 4 || parts[0] != "s" {
			t.Fatalf("README: sed command %q is not s/RE/TEXT/", cmd)
		}
		re := regexp.MustCompile("(?m)" + parts[1])
		if !re.MatchString(text) {
			t.Errorf("README: sed %q changes nothing in the template", cmd)
		}
		text = re.ReplaceAllLiteralString(text, parts[2])
	}
	c, _, err := parseCharter([]byte(text))
	if err != nil {
		t.Fatalf("the walkthrough's charter does not parse: %v", err)
	}
	if tmpl := templateCharter(t); c.Name == tmpl.Name || c.Name == "" {
		t.Errorf("the walkthrough keeps the template's circle name %q", c.Name)
	}
	if c.Admit != 2 || c.Revoke != 2 || c.Suspend != 2 {
		t.Errorf("the walkthrough's charter has admit=%d suspend=%d revoke=%d, want 2 each for two founders", c.Admit, c.Suspend, c.Revoke)
	}
	flat := strings.Join(strings.Fields(walk), " ")
	for _, want := range []string{"the charter changes only by a charter change that c′ members vote for",
		"hard to change later (admit, suspend, revoke, change and `ack_interval`"} {
		if !strings.Contains(flat, want) {
			t.Errorf("README: the walkthrough does not say %q", want)
		}
	}
	tmpl := strings.Join(strings.Fields(strings.ReplaceAll(charterTemplate, "#", "")), " ")
	for _, want := range []string{"every field can be changed only by a vote", "HARD TO CHANGE LATER (admit, suspend, revoke, change and ack_interval)",
		"replace the example by your circle's own"} {
		if !strings.Contains(tmpl, want) {
			t.Errorf("the charter template does not say %q", want)
		}
	}
}
