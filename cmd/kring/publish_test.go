package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAdvisoryFiles(t *testing.T) {
	cases := map[string]string{ // file -> wanted error ("" for none)
		"good.yaml":              "",
		"good.json":              "",
		"bad-no-tlp.yaml":        "the TLP label is missing",
		"bad-no-title.json":      "the title is missing",
		"bad-tlp.yaml":           `TLP "WHITE" is not a TLP 2.0 label`,
		"bad-unknown-key.yaml":   `field severity not found`,
		"bad-content-keys.yaml":  "the content is not a JSON document",
		"bad-truncated.json":     "not a valid advisory",
		"bad-extension.toml":     "name it .json, .yaml or .yml",
		"does-not-exist.yaml":    "no such file",
		"good-separator.yaml":    "",
		"bad-two-values.json":    "a second JSON value after the advisory's object",
		"bad-trailing-text.json": "more after the advisory's JSON object, and it is not JSON",
		"bad-two-documents.yaml": `a second YAML document (after "---") at line 4`,
	}
	for name, want := range cases {
		path := filepath.Join("testdata", "advisories", name)
		_, err := buildPublish(publishFlags{file: path})
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) ||
			exitCode(err) != exitUsage {
			t.Errorf("%s: err = %v, want one naming the file and containing %q", name, err, want)
		}
	}
	req, err := buildPublish(publishFlags{file: "testdata/advisories/good.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	var content struct {
		CVE        []string `json:"cve"`
		Indicators []struct{ Type, Value string }
	}
	if err := json.Unmarshal(req.Content, &content); err != nil || content.CVE[0] != "CVE-2026-1234" ||
		content.Indicators[0].Value != "192.0.2.44" || req.TLP != "AMBER+STRICT" {
		t.Errorf("yaml advisory became %+v (%s), %v", req, req.Content, err)
	}
}

func TestPublishFlags(t *testing.T) {
	cases := []struct {
		f    publishFlags
		want string
	}{
		{publishFlags{title: "t", tlp: "clear"}, ""},
		{publishFlags{title: "t", tlp: "TLP:RED", summary: "s", content: "testdata/advisories/good.json"}, ""},
		{publishFlags{title: "t", tlp: "RED", content: "testdata/advisories/bad-truncated.json"}, "not a JSON document"},
		{publishFlags{title: "t", tlp: "amber strict"}, "not a TLP 2.0 label"},
		{publishFlags{tlp: "RED"}, "the title is missing"},
		{publishFlags{title: "two\nlines", tlp: "RED"}, "one line"},
		{publishFlags{title: strings.Repeat("x", 300), tlp: "RED"}, "at most 256 bytes"},
		{publishFlags{title: "t", tlp: "RED", file: "testdata/advisories/good.json"}, "either --file or"},
		{publishFlags{title: "t", tlp: "RED", content: "testdata/advisories/bad-content-two-documents.yaml"}, "a second YAML document"},
		{publishFlags{title: "t", tlp: "RED", content: "testdata/advisories/good.yaml"}, ""},
	}
	for _, c := range cases {
		_, err := buildPublish(c.f)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("buildPublish(%+v) = %v, want %q", c.f, err, c.want)
		}
	}
	for in, want := range map[string]string{"amber+strict": "AMBER+STRICT", " tlp:clear ": "CLEAR", "Green": "GREEN"} {
		if got, err := parseTLP(in); err != nil || string(got) != want {
			t.Errorf("parseTLP(%q) = %q, %v", in, got, err)
		}
	}
}

// TestPublishRed runs a founder's node in-process and publishes through
// the CLI: TLP:RED is refused with exit status 2 and one line that says
// why and what to do, and nothing is published; --plaintext-red
// publishes it, with a warning on stderr.
func TestPublishRed(t *testing.T) {
	_, dirs, gpath := finishedCircle(t)
	urls, _, _ := runCircle(t, dirs[:1], gpath)
	cli := func(args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[0], "--api", urls[0]}, args...)...)
	}
	r := cli("publish", "--title", "Credential exposure", "--tlp", "RED")
	r.fails(t, exitUsage, "--plaintext-red to accept that every member and future member can read it")
	for _, want := range []string{"publish: refused: a TLP:RED advisory would reach every member and every future member in plaintext",
		"encrypt it to named recipients", "publish it as AMBER+STRICT or send it out of band"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal %q does not say %q", r.stderr, want)
		}
	}
	cli("publish", "--file", "testdata/advisories/good.yaml").must(t) // AMBER+STRICT
	if out := cli("-o", "json", "advisories", "list").must(t).stdout; strings.Contains(out, `"RED"`) {
		t.Fatalf("a refused RED advisory is listed: %s", out)
	}

	r = cli("publish", "--title", "Credential exposure", "--tlp", "tlp:red", "--plaintext-red").must(t)
	if !strings.Contains(r.stdout, "(TLP:RED): Credential exposure") || !strings.Contains(r.stderr, "kring: warning: this TLP:RED advisory is stored in plaintext on every member's node") {
		t.Errorf("publish --plaintext-red said\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
	var list []struct{ TLP, Title string }
	if out := cli("-o", "json", "advisories", "list").must(t).stdout; json.Unmarshal([]byte(out), &list) != nil ||
		!slices.Contains(list, struct{ TLP, Title string }{"RED", "Credential exposure"}) {
		t.Fatalf("the acknowledged RED advisory is not listed: %s", out)
	}
	if help := cli("publish", "--help").must(t).stdout; !strings.Contains(help, "--plaintext-red") ||
		!strings.Contains(help, "I accept that every member and future member can read it") {
		t.Errorf("publish --help does not document --plaintext-red:\n%s", help)
	}
}
