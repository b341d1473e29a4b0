package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// oldCharter is testCharter under the threshold names of the release
// before.
const oldCharter = `name = "Test circle"
k = 2
s = 2
r = 2
c = 3
[[requirements]]
id = "vital-clients"
text = "Serves vital clients."
`

// TestCharterOldNames: a charter.toml that names the thresholds k, s, r
// and c is read as admit, suspend, revoke and change, with a warning on
// stderr per old key that names the file, the old key and the new one; one
// that sets a threshold under both names is refused.
func TestCharterOldNames(t *testing.T) {
	c, old, err := parseCharter([]byte(oldCharter))
	if err != nil {
		t.Fatal(err)
	}
	if c.Admit != 2 || c.Suspend != 2 || c.Revoke != 2 || c.Change != 3 {
		t.Errorf("old names read as admit=%d suspend=%d revoke=%d change=%d, want 2 2 2 3", c.Admit, c.Suspend, c.Revoke, c.Change)
	}
	if want := thresholdRenames; !reflect.DeepEqual(old, want) {
		t.Errorf("old names reported %v, want %v", old, want)
	}
	news := strings.NewReplacer("k =", "admit =", "s =", "suspend =", "r =", "revoke =", "c =", "change =").Replace(oldCharter)
	if c2, old, err := parseCharter([]byte(news)); err != nil || len(old) != 0 || !reflect.DeepEqual(c2, c) {
		t.Errorf("the same charter under the new names: %+v, old names %v, %v", c2, old, err)
	}
	if _, old, err := parseProposal([]byte(oldCharter), c); err != nil || len(old) != 4 {
		t.Errorf("a proposal under the old names: old names %v, %v", old, err)
	}

	root := t.TempDir()
	dirs := initOrgs(t, root, "a", "b")
	ch := writeCharter(t, root, oldCharter)
	draftPath := filepath.Join(root, "genesis.draft.json")
	r := kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1], "--out", draftPath).must(t)
	for _, rn := range thresholdRenames {
		want := `kring: warning: ` + ch + `: "` + rn.old + `" is the old name of "` + rn.new + `"`
		if !strings.Contains(r.stderr, want) {
			t.Errorf("genesis draft stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "kring: warning:"); n != 4 {
		t.Errorf("%d warnings, want one per old key:\n%s", n, r.stderr)
	}
	b, err := os.ReadFile(draftPath)
	if err != nil {
		t.Fatal(err)
	}
	var d struct{ Charter map[string]any }
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	for _, rn := range thresholdRenames {
		if _, ok := d.Charter[rn.old]; ok {
			t.Errorf("the draft writes the old name %q", rn.old)
		}
	}
	if d.Charter["admit"] != 2.0 || d.Charter["change"] != 3.0 {
		t.Errorf("the draft's charter: %v", d.Charter)
	}

	both := writeCharter(t, t.TempDir(), "name = \"x\"\nadmit = 3\nk = 2\n")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", both, "--out", filepath.Join(root, "x.json")).
		fails(t, exitUsage, "k and admit are one setting under its old and its new name: keep admit and remove k")
	if _, _, err := parseProposal([]byte("name = \"x\"\nadmit = 3\nsuspend = 2\nrevoke = 2\nchange = 4\nc = 4\n"), c); err == nil ||
		!strings.Contains(err.Error(), "c and change are one setting") {
		t.Errorf("a proposal with c and change: %v", err)
	}
}

// TestDraftOldNames: a genesis draft written by the release before (its
// charter with k, s, r, c and ack_interval as a duration) is still read,
// signed and finalized, with a warning per old key; a draft whose charter
// sets one threshold under both names is refused.
func TestDraftOldNames(t *testing.T) {
	root := t.TempDir()
	dirs := initOrgs(t, root, "a", "b")
	ch := writeCharter(t, root, "ack_interval = \"36h\"\n"+testCharter)
	draftPath := filepath.Join(root, "genesis.draft.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1], "--out", draftPath).must(t)
	b, err := os.ReadFile(draftPath)
	if err != nil {
		t.Fatal(err)
	}

	doc := oldDraft(t, b, "36h")
	old, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	oldPath := filepath.Join(root, "old.draft.json")
	if err := os.WriteFile(oldPath, old, 0o644); err != nil {
		t.Fatal(err)
	}

	r := kring(t, "genesis", "show", oldPath).must(t)
	if !strings.Contains(r.stdout, "admit=2 endorsements to admit") || !strings.Contains(r.stdout, "ack_interval 36h") {
		t.Errorf("genesis show of an old draft:\n%s", r.stdout)
	}
	for _, rn := range append(thresholdRenames[:3:3], rename{"ack_interval", "ack_interval_seconds"}) {
		want := `kring: warning: ` + oldPath + `: "` + rn.old + `" is the old name of "` + rn.new + `"`
		if !strings.Contains(r.stderr, want) {
			t.Errorf("genesis show stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	// It is the same draft: b's signature joins a's, and the genesis
	// seals with the charter a signed.
	kring(t, "--data-dir", dirs[1], "genesis", "sign", oldPath).must(t)
	out := filepath.Join(root, "genesis.kring")
	kring(t, "genesis", "finalize", oldPath, "--out", out).must(t)
	op, err := readGenesis(out)
	if err != nil {
		t.Fatal(err)
	}
	if g := op.Content().(*protocol.Genesis); g.Charter.Admit != 2 || g.Charter.AckInterval != 36*3600 || len(g.Charter.Requirements) != 1 {
		t.Errorf("the genesis of an old draft has charter %+v", g.Charter)
	}
	if rewritten, err := os.ReadFile(oldPath); err != nil || strings.Contains(string(rewritten), `"k"`) || !strings.Contains(string(rewritten), `"admit": 2`) {
		t.Errorf("sign wrote the draft back under old names: %v\n%s", err, rewritten)
	}

	// Both names for one threshold: which one is meant is not clear.
	doc["charter"].(map[string]any)["admit"] = 3.0
	bothB, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	bothPath := filepath.Join(root, "both.draft.json")
	if err := os.WriteFile(bothPath, bothB, 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "genesis", "show", bothPath).fails(t, exitIdentity, "k and admit are one setting under its old and its new name")
}

// oldDraft returns draft b as the release before wrote it: the thresholds
// under k, s, r and c, the ack interval as the duration ack (left out when
// ""), and empty fields left out.
func oldDraft(t *testing.T, b []byte, ack string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc["charter"].(map[string]any)
	for _, rn := range thresholdRenames {
		c[rn.old] = c[rn.new]
		delete(c, rn.new)
	}
	delete(c, "ack_interval_seconds")
	if ack != "" {
		c["ack_interval"] = ack
	}
	for _, k := range []string{"requirements", "topics", "tlp_policy", "cadence"} {
		if v, ok := c[k]; ok && (v == "" || reflect.DeepEqual(v, []any{})) {
			delete(c, k)
		}
	}
	return doc
}
