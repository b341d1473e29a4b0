package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

func TestInit(t *testing.T) {
	d := filepath.Join(t.TempDir(), "org")
	kring(t, "--data-dir", d, "init", "--org", "Example CERT", "--sector", "energy", "--expertise", "ics,forensics",
		"--listen", "/ip4/127.0.0.1/tcp/4999", "--api", "127.0.0.1:7999").must(t)
	modes := map[string]os.FileMode{identityFile: 0o600, encryptionFile: 0o600, tokenFile: 0o600, configFile: 0o600, memberFile: 0o644}
	for name, want := range modes {
		fi, err := os.Stat(filepath.Join(d, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode: %v %v", fi.Mode(), err)
	}
	priv, err := loadIdentity(dataDir(d))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := loadEncryption(dataDir(d))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(filepath.Join(d, configFile))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.Listen != "127.0.0.1:7999" || cfg.Node.Listen[0] != "/ip4/127.0.0.1/tcp/4999" ||
		strings.Join(cfg.Organisation.Expertise, ",") != "ics,forensics" {
		t.Errorf("config = %+v", cfg)
	}
	m, err := readCard(d)
	if err != nil {
		t.Fatal(err)
	}
	if m.Key != protocol.KeyOf(priv) || string(m.EncKey[:]) != string(enc.PublicKey().Bytes()) || m.Profile.Sector != "energy" {
		t.Errorf("member card = %+v", m)
	}
	if tok, err := loadToken(dataDir(d)); err != nil || len(tok) != 64 {
		t.Errorf("token %q %v", tok, err)
	}
	before, _ := os.ReadFile(filepath.Join(d, identityFile))
	kring(t, "--data-dir", d, "init", "--org", "Other").fails(t, exitIdentity, "already holds an identity")
	after, _ := os.ReadFile(filepath.Join(d, identityFile))
	if string(before) != string(after) {
		t.Fatal("init replaced an identity")
	}
}

func TestInitRefusals(t *testing.T) {
	d := filepath.Join(t.TempDir(), "org")
	kring(t, "--data-dir", d, "init").fails(t, exitUsage, "needs --org")
	kring(t, "--data-dir", d, "init", "--org", "A", "--api", "0.0.0.0:7717").fails(t, exitUsage, "not a loopback address")
	kring(t, "--data-dir", d, "init", "--org", "A", "--peer", "/ip4/1.2.3.4/tcp/1").fails(t, exitUsage, "not a peer multiaddr")
	if _, err := os.Stat(d); err == nil {
		t.Error("a refused init created the data dir")
	}
}

func TestKeyFiles(t *testing.T) {
	d := dataDir(t.TempDir())
	if err := os.Chmod(string(d), 0o700); err != nil { // as kring init makes it
		t.Fatal(err)
	}
	if _, err := loadIdentity(d); err == nil || exitCode(err) != exitIdentity || !strings.Contains(err.Error(), "kring init") {
		t.Errorf("no identity: %v", err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	b, err := marshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("not PEM PKCS#8: %s", b)
	}
	// An identity file others can read is refused.
	if err := os.WriteFile(d.path(identityFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadIdentity(d); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("readable identity: %v", err)
	}
	if err := os.Chmod(d.path(identityFile), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := loadIdentity(d)
	if err != nil || !got.Equal(priv) {
		t.Fatalf("round trip: %v", err)
	}
	// The encryption key is not an identity, and garbage is neither.
	kring(t, "--data-dir", string(d)+"x", "init", "--org", "x").must(t)
	enc, _ := os.ReadFile(filepath.Join(string(d)+"x", encryptionFile))
	for _, bad := range [][]byte{enc, []byte("garbage"), append(b, []byte("trailing")...)} {
		if err := os.WriteFile(d.path(identityFile), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadIdentity(d); err == nil || exitCode(err) != exitIdentity {
			t.Errorf("loadIdentity(%.20q) = %v", bad, err)
		}
	}
}

// TestInitSaysWhatNext: init names what to check in config.toml, and
// tells the initiator to draft the genesis, another founder to send its
// member.json to the initiator, and an applicant to apply.
func TestInitSaysWhatNext(t *testing.T) {
	d := filepath.Join(t.TempDir(), "org")
	out := kring(t, "--data-dir", d, "init", "--org", "Example CERT").must(t).stdout
	for _, want := range []string{
		"Check " + filepath.Join(d, configFile), "[organisation]", "node.announce is empty: set it",
		"initiator of a new circle:  kring genesis template > charter.toml",
		"another founder:            kring card (after any edit of config.toml), then",
		"send " + filepath.Join(d, memberFile) + " to the initiator",
		"kring apply --genesis genesis.kring",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "initiator of a new circle") && strings.Contains(line, "send") {
			t.Errorf("init tells the initiator to send its card: %q", line)
		}
	}
	out = kring(t, "--data-dir", d+"2", "init", "--org", "B", "--announce", "/dns4/kring.example.org/tcp/4001").must(t).stdout
	if !strings.Contains(out, "node.announce: members dial /dns4/kring.example.org/tcp/4001") {
		t.Errorf("init with --announce:\n%s", out)
	}
}

// TestCardFollowsTheConfig: member.json written by init goes stale when
// the founder edits config.toml; kring card writes it afresh, and
// genesis draft reads the new profile from it.
func TestCardFollowsTheConfig(t *testing.T) {
	d := filepath.Join(t.TempDir(), "org")
	kring(t, "--data-dir", d, "init", "--org", "Example CERT").must(t)
	cfgPath := filepath.Join(d, configFile)
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `name = "Example CERT"`, `name = "Example Water CERT"`, 1)
	if edited == string(b) {
		t.Fatalf("config.toml has no name line to edit:\n%s", b)
	}
	if err := os.WriteFile(cfgPath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, err := readCard(d); err != nil || m.Profile.Name != "Example CERT" {
		t.Fatalf("member.json before kring card: %q, %v; want the name init wrote", m.Profile.Name, err)
	}
	out := kring(t, "--data-dir", d, "card").must(t).stdout
	if !strings.Contains(out, "Wrote "+filepath.Join(d, memberFile)+" for Example Water CERT") {
		t.Errorf("kring card says %q", out)
	}
	if m, err := readCard(d); err != nil || m.Profile.Name != "Example Water CERT" {
		t.Errorf("member.json after kring card: %q, %v; want the edited name", m.Profile.Name, err)
	}
}
