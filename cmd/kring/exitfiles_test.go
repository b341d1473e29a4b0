package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kring-circle/kring/protocol"
)

// TestTamperedFilesExit3: a genesis, a genesis draft and an application
// altered after they were signed all exit 3, the one status for a file
// that does not hold up; a genesis whose founders' signatures are there
// but do not verify says so rather than "not signed by".
func TestTamperedFilesExit3(t *testing.T) {
	root, dirs, draftPath := foundCircle(t)
	kring(t, "--data-dir", dirs[1], "genesis", "sign", draftPath).must(t)
	kring(t, "--data-dir", dirs[2], "genesis", "sign", draftPath).must(t)
	d, err := readDraft(draftPath, io.Discard)
	if err != nil {
		t.Fatal(err)
	}

	// The genesis: every founder signed, then the charter changed and
	// founder #1 sealed it again.
	g, err := d.genesis()
	if err != nil {
		t.Fatal(err)
	}
	g.Charter.Admit = 1
	priv, err := loadIdentity(dataDir(dirs[0]))
	if err != nil {
		t.Fatal(err)
	}
	op := &protocol.Op{Kind: protocol.KindGenesis, Seq: 1, TS: d.TS}
	if err := protocol.Sign(op, g, priv); err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(root, "tampered.kring")
	if err := os.WriteFile(gen, op.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := kring(t, "--data-dir", dirs[1], "genesis", "install", gen)
	r.fails(t, exitIdentity, "the signatures of Org a")
	if !strings.Contains(r.stderr, "do not verify") || strings.Contains(r.stderr, "not signed by") {
		t.Errorf("a tampered genesis: %q; want its signatures said not to verify", r.stderr)
	}

	// The draft: the same change after the founders signed.
	d.Charter.Admit = 1
	draft := filepath.Join(root, "tampered.json")
	if err := writeDraft(draft, d); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[1], "genesis", "sign", draft).fails(t, exitIdentity, "altered after it was signed")
	kring(t, "genesis", "finalize", draft).fails(t, exitIdentity, "altered after it was signed")
	kring(t, "genesis", "show", draft).fails(t, exitIdentity, "altered after it was signed")

	// The application: a field changed after the applicant signed.
	n := filepath.Join(root, "n")
	kring(t, "--data-dir", n, "init", "--org", "Org N").must(t)
	good := filepath.Join(root, "genesis.kring")
	kring(t, "--data-dir", dirs[2], "genesis", "finalize", draftPath, "--out", good).must(t)
	appPath := filepath.Join(root, "n.application")
	kring(t, "--data-dir", n, "apply", "--genesis", good, "--out", appPath).must(t)
	b, err := os.ReadFile(appPath)
	if err != nil {
		t.Fatal(err)
	}
	app, err := decodeApplication(b)
	if err != nil {
		t.Fatal(err)
	}
	app.Member.Profile.Name = "Org M"
	if err := os.WriteFile(appPath, armor(armorApplication, app.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[0], "endorse", appPath, "--evidence", "met them").fails(t, exitIdentity, "does not verify")
	if err := os.WriteFile(appPath, []byte("not an application"), 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[0], "endorse", appPath, "--evidence", "met them").fails(t, exitIdentity, "ask the applicant for the file")
	if err := os.WriteFile(draft, []byte(`{"format": "something else"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	kring(t, "genesis", "finalize", draft).fails(t, exitIdentity, "not a genesis draft")

	// kring --help gives each exit status one meaning.
	help := kring(t, "--help").must(t).stdout
	for _, want := range []string{"Each exit\nstatus has one meaning", "3  a file does not hold up", "5  kring run stopped"} {
		if !strings.Contains(help, want) {
			t.Errorf("kring --help lacks %q:\n%s", want, help)
		}
	}
}
