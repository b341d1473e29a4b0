package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// finishedCircle founds a, b, c and returns the genesis path.
func finishedCircle(t *testing.T) (root string, dirs []string, genesisPath string) {
	root, dirs, draftPath := foundCircle(t)
	for _, d := range dirs[1:] {
		kring(t, "--data-dir", d, "genesis", "sign", draftPath).must(t)
	}
	genesisPath = filepath.Join(root, "genesis.kring")
	kring(t, "genesis", "finalize", draftPath, "--out", genesisPath).must(t)
	return root, dirs, genesisPath
}

func TestApply(t *testing.T) {
	root, dirs, gpath := finishedCircle(t)
	n := initOrgs(t, root, "n")[0]
	out := filepath.Join(root, "n.application")
	r := kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", out, "--claim", "vital-clients=Serves three").must(t)
	if r.stderr != "" {
		t.Errorf("apply answering every requirement warned: %q", r.stderr)
	}

	gen, err := readGenesis(gpath)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := loadIdentity(dataDir(n))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{out, filepath.Join(n, applicationFile)} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), armorPreamble[armorApplication]+"-----BEGIN KRING APPLICATION-----\n") {
			t.Errorf("%s is not armored:\n%s", p, b)
		}
		app, err := decodeApplication(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if app.Group != gen.Hash() || app.Member.Key != protocol.KeyOf(priv) || app.Member.Profile.Name != "Org n" ||
			len(app.Member.Profile.Claims) != 1 || app.Member.Profile.Claims[0].Statement != "Serves three" {
			t.Errorf("application %s = %+v", p, app)
		}
	}
	// The genesis is installed, and kring run would accept the application.
	if _, err := readGenesis(filepath.Join(n, genesisFile)); err != nil {
		t.Errorf("genesis not installed: %v", err)
	}
	if app, err := readOwnApplication(filepath.Join(n, applicationFile), gen.Hash(), protocol.KeyOf(priv)); err != nil || app == nil {
		t.Errorf("readOwnApplication: %v", err)
	}
	if _, err := readOwnApplication(filepath.Join(n, applicationFile), protocol.Hash{1}, protocol.KeyOf(priv)); err == nil || exitCode(err) != exitIdentity {
		t.Errorf("application for another circle accepted: %v", err)
	}
	if _, err := readOwnApplication(filepath.Join(n, applicationFile), gen.Hash(), protocol.Key{1}); err == nil || exitCode(err) != exitIdentity {
		t.Errorf("another organisation's application accepted: %v", err)
	}
	if app, err := readOwnApplication(filepath.Join(root, "none"), gen.Hash(), protocol.Key{1}); app != nil || err != nil {
		t.Errorf("no application: %v %v", app, err)
	}

	kring(t, "--data-dir", dirs[1], "apply", "--genesis", gpath).fails(t, exitUsage, "you are a founder")
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", out, "--claim", "nonsense=x").fails(t, exitUsage, `claim "nonsense" answers no requirement`)
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", out, "--claim", "novalue").fails(t, exitUsage, "REQUIREMENT=STATEMENT")
	kring(t, "--data-dir", n, "apply").fails(t, exitUsage, "needs --genesis")
	kring(t, "--data-dir", n, "apply", "--genesis", filepath.Join(root, "charter.toml")).fails(t, exitIdentity, "not a kring genesis")
}

// TestApplyWarnsOfUnansweredRequirements: an application that leaves a
// charter requirement without a claim is written, with a warning on
// stderr naming the requirement and how to answer it.
func TestApplyWarnsOfUnansweredRequirements(t *testing.T) {
	root, _, gpath := finishedCircle(t)
	n := initOrgs(t, root, "n")[0]
	r := kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", filepath.Join(root, "n.application")).must(t)
	want := `kring: warning: the application answers no requirement "vital-clients" (Serves vital clients.)`
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "--claim vital-clients=STATEMENT") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("apply without a claim: stderr %q, want one line %q", r.stderr, want)
	}
}

// TestApplyAgain: applying again to the same circle is refused unless
// --force, as a new application would void the old one's endorsements.
func TestApplyAgain(t *testing.T) {
	root, _, gpath := finishedCircle(t)
	n := initOrgs(t, root, "n")[0]
	out := filepath.Join(root, "n.application")
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", out).must(t)
	installed := filepath.Join(n, applicationFile)
	first, err := os.ReadFile(installed)
	if err != nil {
		t.Fatal(err)
	}
	app, err := decodeApplication(first)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "again.application")
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", other).fails(t, exitUsage,
		"holds your application "+app.ID().Short()+` to circle "Test circle" already`)
	if b, err := os.ReadFile(installed); err != nil || string(b) != string(first) {
		t.Errorf("the refused apply replaced the installed application: %v", err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("the refused apply wrote %s", other)
	}
	kring(t, "--data-dir", n, "apply", "--genesis", gpath, "--out", other, "--force").must(t)
	b, err := os.ReadFile(installed)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := os.ReadFile(other); err != nil || string(o) != string(b) || string(b) == string(first) {
		t.Errorf("--force did not install a fresh application in both places: %v", err)
	}
}
