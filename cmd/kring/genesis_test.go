package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

const testCharter = `name = "Test circle"
admit = 2
suspend = 2
revoke = 2
[[requirements]]
id = "vital-clients"
text = "Serves vital clients."
`

// foundCircle inits a, b, c and drafts a genesis by a with b and c.
func foundCircle(t *testing.T) (root string, dirs []string, draftPath string) {
	root = t.TempDir()
	dirs = initOrgs(t, root, "a", "b", "c")
	ch := writeCharter(t, root, testCharter)
	draftPath = filepath.Join(root, "genesis.draft.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch,
		"--founder", dirs[1], "--founder", filepath.Join(dirs[2], memberFile), "--out", draftPath).must(t)
	return root, dirs, draftPath
}

func TestGenesisDraftSignFinalize(t *testing.T) {
	root, dirs, draftPath := foundCircle(t)
	out := filepath.Join(root, "genesis.kring")

	kring(t, "genesis", "finalize", draftPath, "--out", out).fails(t, exitIdentity, "waiting for Org b")
	if _, err := os.Stat(out); err == nil {
		t.Fatal("finalize wrote a genesis while founders had not signed")
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", draftPath).must(t)
	r := kring(t, "genesis", "finalize", draftPath, "--out", out)
	r.fails(t, exitIdentity, "Org c")
	if strings.Contains(r.stderr, "Org b") {
		t.Errorf("finalize names Org b, who signed: %s", r.stderr)
	}
	kring(t, "--data-dir", dirs[2], "genesis", "sign", draftPath).must(t)
	kring(t, "--data-dir", dirs[2], "genesis", "finalize", draftPath, "--out", out).must(t)

	op, err := readGenesis(out)
	if err != nil {
		t.Fatal(err)
	}
	g := op.Content().(*protocol.Genesis)
	if len(g.Founders) != 3 || g.Founders[0].Profile.Name != "Org a" || g.Charter.Revoke != 2 ||
		len(g.Charter.Requirements) != 1 {
		t.Errorf("genesis = %+v", g)
	}
	// The finalizing founder got it installed; the others install it.
	if installed, err := readGenesis(filepath.Join(dirs[2], genesisFile)); err != nil || installed.Hash() != op.Hash() {
		t.Errorf("finalize did not install the genesis for its founder: %v", err)
	}
	kring(t, "--data-dir", dirs[0], "genesis", "install", out).must(t)
	r = kring(t, "--data-dir", dirs[0], "genesis", "show", out)
	if r.must(t); !strings.Contains(r.stdout, op.Hash().String()) || !strings.Contains(r.stdout, "Org c") {
		t.Errorf("show: %s", r.stdout)
	}
}

func TestGenesisSignRefusals(t *testing.T) {
	root, dirs, draftPath := foundCircle(t)
	stranger := initOrgs(t, root, "x")[0]
	kring(t, "--data-dir", stranger, "genesis", "sign", draftPath).fails(t, exitFailure, "you are not a founder")

	// A draft changed after founder #1 signed it is refused.
	b, err := os.ReadFile(draftPath)
	if err != nil {
		t.Fatal(err)
	}
	var d draft
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	d.Charter.Revoke = 1
	tampered := filepath.Join(root, "tampered.json")
	if err := writeDraft(tampered, &d); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", tampered).fails(t, exitIdentity, "altered after it was signed: Org a's signature")
	kring(t, "genesis", "finalize", tampered).fails(t, exitIdentity, "altered")

	// A changed ts breaks every founder's signature (founders sign the
	// genesis op, ts included): found before signing.
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	d.TS++
	if err := writeDraft(tampered, &d); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", tampered).fails(t, exitIdentity, "Org a's signature no longer verifies (the charter, the founders or ts changed)")
	kring(t, "genesis", "finalize", tampered, "--out", filepath.Join(root, "g")).fails(t, exitIdentity, "altered")

	kring(t, "genesis", "sign", filepath.Join(root, "nope.json"), "--data-dir", dirs[1]).fails(t, exitUsage, "no such file")
	if err := os.WriteFile(tampered, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", tampered).fails(t, exitIdentity, "not a draft")
}

func TestGenesisDraftRefusals(t *testing.T) {
	root := t.TempDir()
	dirs := initOrgs(t, root, "a", "b")
	ch := writeCharter(t, root, testCharter)
	out := filepath.Join(root, "d.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--founder", dirs[1], "--out", out).fails(t, exitUsage, "needs --charter")
	bad := writeCharter(t, t.TempDir(), "name = \"x\"\nadmit = 0\n")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", bad, "--out", out).fails(t, exitUsage, "admit, suspend and revoke must be at least 1")
	bad = writeCharter(t, t.TempDir(), "name = \"x\"\nquorum = 3\n")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", bad, "--out", out).fails(t, exitUsage, `unknown key "quorum"`)
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[0], "--out", out).fails(t, exitUsage, "same key")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", filepath.Join(root, "nobody"), "--out", out).fails(t, exitUsage, "member card")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1], "--out", out).must(t)
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1], "--out", out).fails(t, exitUsage, "exists")
}

func TestGenesisTemplateParses(t *testing.T) {
	r := kring(t, "genesis", "template").must(t)
	c, _, err := parseCharter([]byte(r.stdout))
	if err != nil {
		t.Fatalf("the template does not parse: %v", err)
	}
	def := protocol.DefaultCharter("")
	if c.Admit != def.Admit || c.Suspend != def.Suspend || c.Revoke != def.Revoke || len(c.Requirements) != 2 ||
		c.TLPPolicy == "" || c.Cadence == "" || len(c.Topics) == 0 {
		t.Errorf("template charter = %+v", c)
	}
}

func TestReadGenesisRefusals(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "g")
	if _, err := readGenesis(p); err == nil || exitCode(err) != exitIdentity || !strings.Contains(err.Error(), "no genesis") {
		t.Errorf("missing: %v", err)
	}
	if err := os.WriteFile(p, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readGenesis(p); err == nil || exitCode(err) != exitIdentity || !strings.Contains(err.Error(), "not a kring genesis") {
		t.Errorf("garbage: %v", err)
	}
}

// TestReadGenesisUnsigned: a genesis op that founders have not all signed
// is refused, naming them.
func TestReadGenesisUnsigned(t *testing.T) {
	root, dirs, draftPath := foundCircle(t)
	d, err := readDraft(draftPath, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.genesis()
	if err != nil {
		t.Fatal(err)
	}
	g.Sigs = g.Sigs[:1] // only founder #1
	priv, err := loadIdentity(dataDir(dirs[0]))
	if err != nil {
		t.Fatal(err)
	}
	op := &protocol.Op{Kind: protocol.KindGenesis, Seq: 1, TS: d.TS}
	if err := protocol.Sign(op, g, priv); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "unsigned.kring")
	if err := os.WriteFile(p, op.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = readGenesis(p)
	if err == nil || exitCode(err) != exitIdentity || !strings.Contains(err.Error(), "not signed by Org b") ||
		!strings.Contains(err.Error(), "Org c") {
		t.Errorf("unsigned genesis: %v", err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "install", p).fails(t, exitIdentity, "not signed by")
}

// TestGenesisSignOwnCard: a founder refuses to sign a draft whose entry
// for its key is not its own member card, naming the fields that differ.
func TestGenesisSignOwnCard(t *testing.T) {
	root := t.TempDir()
	dirs := initOrgs(t, root, "a", "b", "c")
	ch := writeCharter(t, root, testCharter)
	b, err := os.ReadFile(filepath.Join(dirs[1], memberFile))
	if err != nil {
		t.Fatal(err)
	}
	var forged card
	if err := json.Unmarshal(b, &forged); err != nil {
		t.Fatal(err)
	}
	forged.Profile.Name = "Org B (renamed)"
	forged.Profile.Contact = "attacker@example.org"
	forged.EncKey = strings.Repeat("11", 32)
	forged.Addrs = []string{"/ip4/192.0.2.66/tcp/4001"}
	fb, err := json.Marshal(forged)
	if err != nil {
		t.Fatal(err)
	}
	forgedPath := filepath.Join(root, "b-forged.json")
	if err := os.WriteFile(forgedPath, fb, 0o644); err != nil {
		t.Fatal(err)
	}
	draftPath := filepath.Join(root, "genesis.draft.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", forgedPath,
		"--founder", dirs[2], "--out", draftPath).must(t)
	before, err := os.ReadFile(draftPath)
	if err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", draftPath).fails(t, exitIdentity,
		"founder #2 (your key "+forged.Key[:12]+") differs from your member card in enc_key, name, contact, addrs")
	if after, err := os.ReadFile(draftPath); err != nil || string(after) != string(before) {
		t.Errorf("the refused sign changed the draft: %v", err)
	}
	// C's entry is right: C signs.
	kring(t, "--data-dir", dirs[2], "genesis", "sign", draftPath).must(t)

	// A founder whose config changed since it handed out its card is
	// refused too: the genesis would carry its old profile.
	draft2 := filepath.Join(root, "genesis2.draft.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1],
		"--founder", dirs[2], "--out", draft2).must(t)
	cfg := filepath.Join(dirs[2], configFile)
	cb, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(cb), `sector = ""`, `sector = "water"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[2], "genesis", "sign", draft2).fails(t, exitIdentity, "differs from your member card in sector")
	kring(t, "--data-dir", dirs[1], "genesis", "sign", draft2).must(t)
}

func TestCardDiff(t *testing.T) {
	a := card{Key: "k", EncKey: "e", Profile: api.ProfileInfo{Name: "n", Expertise: []string{}}, Addrs: nil}
	b := a
	b.Profile.Expertise = nil
	b.Addrs = []string{}
	if d := cardDiff(a, b); len(d) != 0 {
		t.Errorf("empty and absent lists differ: %v", d)
	}
	b.Profile.Role, b.Profile.Claims = "r", []api.ClaimInfo{{Requirement: "x", Statement: "y"}}
	if d := strings.Join(cardDiff(a, b), ","); d != "role,claims" {
		t.Errorf("cardDiff = %s", d)
	}
}
