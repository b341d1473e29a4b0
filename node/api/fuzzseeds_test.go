package api_test

import (
	"encoding/base64"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/internal/fuzzseed"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the generated fuzz seeds (seed-*) in testdata/fuzz")

// apiSeeds returns the generated seeds, by path under testdata/fuzz: the
// request examples of docs/api.md, with the keys and the application of a
// test circle, and malformed variants of them.
func apiSeeds(t *testing.T) map[string][]byte {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("fuzz"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	keyA := protocol.KeyOf(trusttest.KeyFor("A")).String()
	keyZ := protocol.KeyOf(trusttest.KeyFor("Z")).String()
	app := base64.StdEncoding.EncodeToString(c.Application("Y").Bytes())
	hex64 := strings.Repeat("ab", 32)
	bodies := [][]string{ // by requestKinds
		{
			`{"title": "Exploited VPN bug", "summary": "patch now", "tlp": "AMBER", "content": {"cve": "CVE-2026-0001"}}`,
			`{"title": "Phishing wave", "tlp": "tlp:amber+strict", "content": null}`,
			`{"title": "Red one", "tlp": "RED", "plaintext_red": true}`,
			`{"title": "  ", "tlp": "GREEN"}`,
			`{"title": "x", "tlp": "PURPLE"}`,
			`{"title": "x", "summary": "\xff\xfe", "tlp": "CLEAR"}`,
			`{"title": "` + strings.Repeat("t", protocol.MaxShortText+1) + `", "tlp": "CLEAR"}`,
			`{"title": "x", "tlp": "GREEN", "content": [1, 2, {"a": "b"}]}`,
			`{"title": "x", "tlp": "GREEN", "content": {"cve": }`,
			`{"title": "x", "tlp": "GREEN", "severity": "high"}`,
			`{"title": "x", "tlp": "GREEN"} {"title": "y", "tlp": "GREEN"}`,
			`{"title": 7, "tlp": "GREEN"}`,
			``,
			`null`,
			`[]`,
		},
		{
			`{"application": "` + app + `", "evidence": "` + hex64 + `"}`,
			`{"application": "` + app[:len(app)/2] + `", "evidence": "` + hex64 + `"}`,
			`{"application": "not base64!", "evidence": "` + hex64 + `"}`,
			`{"application": "` + app + `", "evidence": "` + strings.Repeat("0", 64) + `"}`,
			`{"evidence": "` + hex64 + `"}`,
		},
		{
			`{"motion": "suspend", "target": "` + keyA + `", "case": "0102"}`,
			`{"motion": "Revoke", "target": "` + keyA + `"}`,
			`{"motion": "unsuspend", "target": "` + keyA + `", "case": "0102"}`,
			`{"motion": "suspend", "target": "` + keyA + `", "case": "` + strings.Repeat("ab", protocol.MaxNonce+1) + `"}`,
			`{"motion": "suspend", "target": "` + keyZ + `"}`,
			`{"motion": "suspend", "target": "` + hex64[:63] + `"}`,
			`{"motion": "admit", "target": "` + keyA + `"}`,
		},
		{
			`{"charter": {"name": "Benelux energy CSIRTs", "admit": 2, "suspend": 2, "revoke": 3, "change": 0, "ack_interval_seconds": 172800, "requirements": [], "tlp_policy": "", "cadence": "monthly", "topics": []}}`,
			`{"charter": {"name": "c", "version": 2, "admit": 3, "suspend": 2, "revoke": 3, "requirements": [{"id": "r1", "text": "t"}], "topics": ["a", "b"]}}`,
			`{"charter": {"name": "c", "admit": 0, "suspend": 2, "revoke": 3}}`,
			`{"charter": {"name": "c", "admit": 3, "suspend": 2, "revoke": 3, "ack_interval_seconds": 60}}`,
			`{"charter": {"name": "c", "admit": 4294967296, "suspend": 2, "revoke": 3}}`,
			`{"charter": {"name": "c", "admit": -1}}`,
		},
		{
			`{"motion": "` + hex64 + `"}`,
			`{"motion": " ` + strings.ToUpper(hex64) + ` "}`,
			`{"motion": "` + strings.Repeat("0", 64) + `"}`,
			`{"motion": "53bf"}`,
		},
		{
			`{"reason": "merged into another team"}`,
			`{}`,
			`{"reason": "` + strings.Repeat("r", protocol.MaxLongText+1) + `"}`,
		},
		{
			`{"key": "` + keyA + `", "reason": "spam"}`,
			`{"key": "` + keyZ + `"}`,
			`{"key": "` + strings.Repeat("0", 64) + `"}`,
			`{"key": "zz"}`,
		},
	}
	args := [][]string{ // by handlerRoutes
		{"", "limit=20&order=newest", "order=newest&limit=20&before=117", "after=3&limit=1", "after=" + hex64,
			"after=18446744073709551615", "before=18446744073709551616", "limit=0", "limit=-1", "limit=99999999999999999999",
			"order=sideways", "after=zz", "after=%zz", "limit=1&limit=2"},
		{"", "after=0", "after=" + hex64, "after=18446744073709551615", "after=-1"},
		{hex64, strings.ToUpper(hex64), "zz", "", "..", "a/b"},
		{keyA, keyZ, strings.Repeat("0", 64), hex64[:62], "%00"},
		{keyA, keyZ, "zz"},
	}
	seeds := map[string][]byte{}
	add := func(target, name string, content []byte) {
		path := filepath.Join(target, "seed-"+name)
		if _, dup := seeds[path]; dup {
			t.Fatalf("two seeds named %s", path)
		}
		seeds[path] = content
	}
	for i, bs := range bodies {
		route := strings.ReplaceAll(strings.TrimPrefix(requestKinds[i].path, "/v1/"), "/", "-")
		for j, b := range bs {
			name := fmt.Sprintf("%s-%d", route, j)
			add("FuzzDecodeRequest", name, fuzzseed.File(byte(i), []byte(b)))
			if len(b) < 4<<10 {
				add("FuzzHandler", name, fuzzseed.File(byte(len(handlerRoutes)+i), "", []byte(b)))
			}
		}
	}
	for i, as := range args {
		hr := handlerRoutes[i]
		route := strings.ReplaceAll(strings.TrimPrefix(strings.Trim(hr.path, "/?"), "v1/"), "/", "-")
		if strings.HasSuffix(hr.path, "?") {
			route += "-query"
		} else {
			route += "-segment"
		}
		for j, a := range as {
			add("FuzzHandler", fmt.Sprintf("%s-%s-%d", strings.ToLower(hr.method), route, j), fuzzseed.File(byte(i), a, []byte(nil)))
		}
	}
	for i, s := range []string{"AMBER", "tlp:amber+strict", " Green ", "TLP:RED", "clear", "AMBER STRICT",
		"", "TLP:", "TLP:TLP:RED", "tlp: red", "\u0280ED", "amber+strict\x00"} {
		add("FuzzParseTLP", fmt.Sprintf("%d", i), fuzzseed.File(s))
	}
	return seeds
}

// TestFuzzSeeds checks that the generated seeds in testdata/fuzz are
// current, and rewrites them with -update-seeds.
func TestFuzzSeeds(t *testing.T) {
	fuzzseed.Check(t, filepath.Join("testdata", "fuzz"), apiSeeds(t), *updateSeeds, "go test ./node/api -run TestFuzzSeeds -update-seeds")
}
