package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestArmoredFiles: the genesis and the application are written as text
// that survives mail and chat (armored, 64-character base64 lines, a
// header naming what the file is); both the armored and the binary form
// are read, also after a mail client has changed the line ends, quoted a
// preamble or added a signature; genesis show and apply --show print any
// of them; a damaged or mistaken file is refused with a reason.
func TestArmoredFiles(t *testing.T) {
	dirs, urls, gpath := namedCircle(t, "Alpha Energy CERT", "Bravo Grid SOC", "Charlie Rail SOC")
	root := filepath.Dir(gpath)
	write := func(name string, b []byte) string {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gen, err := os.ReadFile(gpath)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, gpath, gen, "KRING GENESIS")
	op, err := readGenesis(gpath)
	if err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", dirs[0], "genesis", "install", gpath).must(t)
	if installed, err := os.ReadFile(filepath.Join(dirs[0], genesisFile)); err != nil || string(installed) != string(gen) {
		t.Errorf("install wrote another form of the genesis: %v", err)
	}
	if r := kring(t, "--data-dir", dirs[0], "genesis", "install", write("old.kring", op.Bytes())).must(t); !strings.Contains(r.stdout, "already holds this genesis") {
		t.Errorf("installing the binary form of the installed genesis: %s", r.stdout)
	}

	// The applicant applies with the genesis as mail delivered it (CRLF,
	// quoted preamble, a signature after it), and with the binary form.
	mailed := write("mailed.kring", []byte("> "+strings.ReplaceAll(string(gen), "\n", "\r\n")+"-- \r\nAlpha's SOC\r\n"))
	binGen := write("binary-genesis.kring", op.Bytes())
	n := initOrgs(t, root, "n")[0]
	appPath := filepath.Join(root, "n.application")
	kring(t, "--data-dir", n, "apply", "--genesis", mailed, "--out", appPath, "--claim", "vital-clients=Serves three").must(t)
	m := initOrgs(t, root, "m")[0]
	kring(t, "--data-dir", m, "apply", "--genesis", binGen, "--out", filepath.Join(root, "m.application")).must(t)
	appText, err := os.ReadFile(appPath)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, appPath, appText, "KRING APPLICATION")
	app, err := decodeApplication(appText)
	if err != nil {
		t.Fatal(err)
	}
	binApp := write("binary.application", app.Bytes())

	// Show prints each of them readably, whatever verb is given it.
	for _, args := range [][]string{{"genesis", "show", gpath}, {"genesis", "show", binGen}, {"apply", "--show", mailed}} {
		r := kring(t, append([]string{"--data-dir", n}, args...)...).must(t)
		for _, want := range []string{"Genesis of circle " + op.Hash().String(), `Charter "Test circle" version 1`, "#1 Alpha Energy CERT"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}
	for _, args := range [][]string{{"apply", "--show", appPath}, {"apply", "--show", binApp}, {"genesis", "show", appPath}} {
		r := kring(t, append([]string{"--data-dir", dirs[0]}, args...)...).must(t)
		for _, want := range []string{"Application " + app.ID().Short() + ` to circle "Test circle" (` + op.Hash().Short() + ")",
			"organisation Org n", "key " + app.Member.Key.String() + " (signature verified)", "claim vital-clients: Serves three",
			"kring endorse " + args[2]} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}
	var shown applicationJSON
	r := kring(t, "--data-dir", dirs[0], "apply", "--show", filepath.Join(root, "m.application"), "-o", "json").must(t)
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.Profile.Name != "Org m" || shown.Circle != "Test circle" ||
		strings.Join(shown.Unanswered, ",") != "vital-clients" {
		t.Errorf("apply --show -o json: %v\n%s", err, r.stdout)
	}
	if r := kring(t, "--data-dir", dirs[0], "apply", "--show", filepath.Join(root, "m.application")).must(t); !strings.Contains(r.stdout, "requirement vital-clients: NOT ANSWERED") {
		t.Errorf("apply --show does not flag the unanswered requirement:\n%s", r.stdout)
	}

	// Members endorse the armored file and the binary one alike.
	kring(t, "--data-dir", dirs[0], "--api", urls[0], "endorse", appPath, "--evidence", "met them").must(t)
	kring(t, "--data-dir", dirs[1], "--api", urls[1], "endorse", binApp, "--evidence", "met them").must(t)
	eventually(t, 10*time.Second, "two endorsements of n", func() bool {
		var members []api.MemberInfo
		r := kring(t, "--data-dir", dirs[0], "--api", urls[0], "members", "-o", "json")
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &members) != nil {
			return false
		}
		for _, m := range members {
			if m.Name == "Org n" && m.Endorsements == 2 {
				return true
			}
		}
		return false
	})

	// Refusals say what the file is, or that it was damaged.
	damaged := write("damaged.kring", []byte(strings.Replace(string(gen), "\n", "\n!", 6)))
	kring(t, "--data-dir", n, "genesis", "show", damaged).fails(t, exitIdentity, "is damaged (changed on the way?)")
	kring(t, "--data-dir", n, "genesis", "install", damaged).fails(t, exitIdentity, "is damaged")
	kring(t, "--data-dir", dirs[0], "genesis", "install", appPath).fails(t, exitIdentity, "an application, not a genesis")
	kring(t, "--data-dir", dirs[0], "genesis", "install", binApp).fails(t, exitIdentity, "an application, not a genesis")
	kring(t, "--data-dir", dirs[0], "--api", urls[0], "endorse", gpath, "--evidence", "x").fails(t, exitIdentity, "a genesis, not an application")
	two := write("two.kring", append(append([]byte{}, gen...), appText...))
	kring(t, "--data-dir", n, "genesis", "show", two).fails(t, exitIdentity, "more than one Kring block (a genesis, then an application)")
	kring(t, "--data-dir", n, "apply", "--show", appPath, "--genesis", gpath).fails(t, exitUsage, "apply --show prints a file and writes nothing")
	note := write("note.txt", []byte("see attachment\n"))
	kring(t, "--data-dir", n, "apply", "--show", note).fails(t, exitIdentity, "a text file without a -----BEGIN KRING ...----- block")
}

// checkText checks that an armored file is short ASCII lines: a preamble,
// then the block of kind.
func checkText(t *testing.T, path string, b []byte, kind string) {
	t.Helper()
	s := string(b)
	if !strings.Contains(s, "\n-----BEGIN "+kind+"-----\n") || !strings.HasSuffix(s, "\n-----END "+kind+"-----\n") {
		t.Errorf("%s is not armored as %s:\n%s", path, kind, s)
	}
	for _, line := range strings.Split(s, "\n") {
		if len(line) > 80 {
			t.Errorf("%s has a line of %d characters", path, len(line))
		}
		for _, r := range line {
			if r < ' ' || r > '~' {
				t.Fatalf("%s has a character %q that mail may change", path, r)
			}
		}
	}
}
