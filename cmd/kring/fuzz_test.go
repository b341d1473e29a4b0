package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The fuzz tests of the files kring reads. Their seeds live in
// testdata/fuzz/<FuzzName>/: files named seed-* are written by
// TestFuzzSeeds (fuzzseeds_test.go) from the examples in testdata/ and
// what kring init and kring genesis write, with malformed variants; files
// named found-* are small inputs with which the fuzzer reached new code,
// kept so that a run starts from there; any other file there is an input
// that once failed a fuzz target, kept as a regression test. Run a fuzzer
// with, for example:
//
//	go test -run '^$' -fuzz '^FuzzConfig$' -fuzztime 60s ./cmd/kring

// fuzzKey signs the ops that check a decoded value against the protocol.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// signs reports whether the protocol takes body in an op.
func signs(body protocol.Body) error {
	o := &protocol.Op{Kind: body.Kind(), Group: protocol.Hash{1}, Seq: 1, Preds: []protocol.Hash{{2}}}
	return protocol.Sign(o, body, fuzzKey)
}

// fuzzFile writes b to name in dir, for the readers that take a path
// (unsynced: a sync per input would slow the fuzzer down a hundredfold).
func fuzzFile(t *testing.T, dir, name string, b []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// FuzzConfig feeds arbitrary bytes to parseConfig, config.toml's decoder.
// An accepted config validates, maps onto a node.Config that validates,
// and survives kring init's rendering: render, parse again, same config.
func FuzzConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig(b)
		if err != nil {
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("an accepted config does not validate: %v", err)
		}
		nc := c.nodeConfig(dataDir("/kring-fuzz"), fuzzKey, []byte("genesis"))
		if err := nc.Validate(); err != nil {
			t.Fatalf("an accepted config makes a node.Config the node refuses: %v", err)
		}
		out, err := renderConfig(c)
		if err != nil {
			t.Fatalf("renderConfig: %v", err)
		}
		again, err := parseConfig(out)
		if err != nil {
			t.Fatalf("the rendered config does not parse: %v\n%s", err, out)
		}
		c.unset, c.fromInit, again.unset, again.fromInit = nil, false, nil, false
		if !reflect.DeepEqual(normalConfig(c), normalConfig(again)) {
			t.Fatalf("the config changes when rendered:\n%+v\n%+v", c, again)
		}
	})
}

// normalConfig treats an empty list and none as the same.
func normalConfig(c fileConfig) fileConfig {
	for _, l := range []*[]string{&c.Organisation.Expertise, &c.Node.Listen, &c.Node.Announce, &c.Node.Peers} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(c.Organisation.Claims) == 0 {
		c.Organisation.Claims = nil
	}
	return c
}

// FuzzCharter feeds arbitrary bytes to parseCharter (a genesis
// charter.toml) and parseProposal (kring charter propose). A charter
// either is refused or is one the protocol takes, of the right version,
// and survives kring charter show --toml: render, parse as the next
// proposal, same charter.
func FuzzCharter(f *testing.F) {
	inForce := protocol.DefaultCharter("in force")
	inForce.Version = 4
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, _, err := parseCharter(b); err == nil {
			checkCharter(t, "parseCharter", c, 1)
		}
		if c, _, err := parseProposal(b, inForce); err == nil {
			checkCharter(t, "parseProposal", c, inForce.Version+1)
		}
	})
}

func checkCharter(t *testing.T, what string, c protocol.Charter, version uint64) {
	if c.Version != version {
		t.Fatalf("%s: version %d, want %d", what, c.Version, version)
	}
	if err := signs(&protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionCharter, Charter: &c}}); err != nil {
		t.Fatalf("%s: the protocol refuses an accepted charter: %v", what, err)
	}
	out, err := renderCharterTOML(c)
	if err != nil {
		t.Fatalf("%s: renderCharterTOML: %v", what, err)
	}
	again, _, err := parseProposal(out, protocol.Charter{Version: c.Version - 1})
	if err != nil {
		t.Fatalf("%s: the rendered charter does not parse: %v\n%s", what, err, out)
	}
	want := c
	want.AckInterval = c.AckSeconds() // the rendering writes the interval in force
	if !reflect.DeepEqual(want, again) {
		t.Fatalf("%s: the charter changes when rendered:\n%+v\n%+v", what, want, again)
	}
}

// FuzzMemberCard feeds arbitrary bytes to readCard, the reader of
// member.json. An accepted card has a name and keys of the right size,
// and re-encodes stably (read, write, read, write gives the same bytes).
func FuzzMemberCard(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readCard(fuzzFile(t, dir, memberFile, b))
		if err != nil {
			return
		}
		if m.Profile.Name == "" {
			t.Fatalf("accepted a card without a name: %+v", m)
		}
		out, err := marshalCard(m)
		if err != nil {
			t.Fatalf("marshalCard: %v", err)
		}
		m2, err := readCard(fuzzFile(t, dir, memberFile, out))
		if err != nil {
			t.Fatalf("the written card does not read back: %v\n%s", err, out)
		}
		if out2, _ := marshalCard(m2); !bytes.Equal(out, out2) {
			t.Fatalf("the card does not re-encode stably:\n%s\n%s", out, out2)
		}
	})
}

// FuzzDraft feeds arbitrary bytes to readDraft, the reader of
// genesis.draft.json, and takes what it reads through every step that
// kring genesis sign and finalize take before signing: none may panic. A
// draft that verifies lists its founders, each with a signature slot, and
// a draft re-encodes stably.
func FuzzDraft(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := readDraft(fuzzFile(t, dir, "genesis.draft.json", b), io.Discard)
		if err != nil {
			return
		}
		out, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			t.Fatalf("encoding the draft: %v", err)
		}
		d2, err := readDraft(fuzzFile(t, dir, "again.json", out), io.Discard)
		if err != nil {
			t.Fatalf("the written draft does not read back: %v\n%s", err, out)
		}
		if out2, _ := json.MarshalIndent(d2, "", "  "); !bytes.Equal(out, out2) {
			t.Fatalf("the draft does not re-encode stably:\n%s\n%s", out, out2)
		}
		_, _ = d.genesis()
		g, err := d.verify()
		if err == nil && (len(g.Founders) == 0 || len(g.Sigs) != len(g.Founders)) {
			t.Fatalf("a draft of %d founders and %d signatures verifies", len(g.Founders), len(g.Sigs))
		}
		if _, err := d.finalize(); err == nil {
			if _, err := d.verify(); err != nil {
				t.Fatalf("a draft that does not verify finalizes")
			}
		}
		// Sign as the second founder of the seeds' circle, on a copy.
		c := *d
		c.Sigs = append([]string(nil), d.Sigs...)
		_ = c.sign(trusttest.KeyFor("B"), protocol.Member{Key: protocol.KeyOf(trusttest.KeyFor("B"))})
	})
}

// seedCircle is the circle of the seeds: founders A, B and C under the
// default charter; Y applies.
func seedCircle(tb testing.TB) *trusttest.Circle {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("fuzz"), "A", "B", "C")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// FuzzApplication feeds arbitrary bytes to readOwnApplication, the reader
// of application.kring (kring run; kring endorse decodes the same way). An
// accepted application is this organisation's, for this circle, signed,
// and its canonical bytes are the file's, or what the file's armor holds.
func FuzzApplication(f *testing.F) {
	dir := f.TempDir()
	group := seedCircle(f).Genesis.Hash()
	self := protocol.KeyOf(trusttest.KeyFor("Y"))
	f.Fuzz(func(t *testing.T, b []byte) {
		app, err := readOwnApplication(fuzzFile(t, dir, applicationFile, b), group, self)
		if err != nil || app == nil {
			return
		}
		switch {
		case app.Group != group || app.Member.Key != self:
			t.Fatalf("accepted an application of %s for %s", app.Member.Key.Short(), app.Group.Short())
		case app.Verify() != nil:
			t.Fatalf("accepted an application whose signature does not verify")
		case !bytes.Equal(app.Bytes(), unarmored(t, b)):
			t.Fatalf("an accepted application re-encodes differently")
		}
	})
}

// FuzzGenesis feeds arbitrary bytes to readGenesis, the reader of
// genesis.kring. An accepted genesis is a genesis op signed by every
// founder, and its bytes are the file's, or what the file's armor holds.
func FuzzGenesis(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		op, err := readGenesis(fuzzFile(t, dir, genesisFile, b))
		if err != nil {
			return
		}
		g, ok := op.Content().(*protocol.Genesis)
		switch {
		case !op.IsGenesis() || !ok:
			t.Fatalf("accepted a %s op as the genesis", op.Kind)
		case op.Verify() != nil || len(g.MissingSignatures(op.TS)) > 0:
			t.Fatalf("accepted a genesis that not every founder signed")
		case !bytes.Equal(op.Bytes(), unarmored(t, b)):
			t.Fatalf("an accepted genesis re-encodes differently")
		}
	})
}

// unarmored returns what an accepted file holds: b itself, or the bytes
// inside its armor.
func unarmored(t *testing.T, b []byte) []byte {
	_, body, err := unarmor(b)
	if err != nil {
		t.Fatalf("an accepted file does not unarmor: %v", err)
	}
	return body
}

// advisoryExts are the file names FuzzAdvisoryFile reads, by its ext byte.
var advisoryExts = []string{".json", ".yaml", ".yml", ".toml"}

// FuzzAdvisoryFile feeds arbitrary bytes to buildPublish, as the file of
// kring publish --file (ext byte even) or the document of --content (odd),
// under each extension. An accepted request has a one-line title, a
// summary and content within the protocol's limits, a TLP 2.0 label and
// JSON content, and makes an advisory the protocol takes.
func FuzzAdvisoryFile(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, ext byte, b []byte) {
		name := "advisory" + advisoryExts[int(ext/2)%len(advisoryExts)]
		path := fuzzFile(t, dir, name, b)
		flags := publishFlags{file: path}
		if ext%2 == 1 {
			flags = publishFlags{title: "Content test", tlp: "amber", content: path}
		}
		req, err := buildPublish(flags)
		if err != nil {
			return
		}
		switch {
		case req.Title == "" || len(req.Title) > protocol.MaxShortText || strings.ContainsAny(req.Title, "\r\n") ||
			req.Title != strings.TrimSpace(req.Title):
			t.Fatalf("accepted title %q", req.Title)
		case len(req.Summary) > protocol.MaxLongText:
			t.Fatalf("accepted a summary of %d bytes", len(req.Summary))
		case len(req.Content) > protocol.MaxContent || len(req.Content) > 0 && !json.Valid(req.Content):
			t.Fatalf("accepted content of %d bytes: %.100q", len(req.Content), req.Content)
		case !protocol.TLP(req.TLP).Valid():
			t.Fatalf("accepted TLP %q", req.TLP)
		case !utf8.ValidString(req.Title) || !utf8.ValidString(req.Summary):
			t.Fatalf("accepted text that is not UTF-8: %q %q", req.Title, req.Summary)
		}
		adv := &protocol.Advisory{Title: req.Title, Summary: req.Summary, TLP: protocol.TLP(req.TLP), Content: req.Content}
		if err := signs(adv); err != nil {
			t.Fatalf("the protocol refuses an accepted advisory: %v", err)
		}
	})
}
