package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kring-circle/kring/internal/fuzzseed"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the generated fuzz seeds (seed-*) in testdata/fuzz")

// seedVariants returns b and malformed variants of it: cut in half, cut
// by one byte, and with a byte of invalid UTF-8 in the middle.
func seedVariants(b []byte) map[string][]byte {
	out := map[string][]byte{"": b}
	if len(b) > 2 {
		out["-half"] = b[:len(b)/2]
		out["-cut"] = b[:len(b)-1]
		out["-badutf8"] = slices.Concat(b[:len(b)/2], []byte{0xff}, b[len(b)/2:])
	}
	return out
}

// cliSeeds returns the generated seeds, by path under testdata/fuzz.
func cliSeeds(t *testing.T) map[string][]byte {
	seeds := map[string][]byte{}
	add := func(target, name string, vals ...any) {
		path := filepath.Join(target, "seed-"+name)
		if _, dup := seeds[path]; dup {
			t.Fatalf("two seeds named %s", path)
		}
		seeds[path] = fuzzseed.File(vals...)
	}
	addFile := func(target, name string, b []byte) {
		for suffix, v := range seedVariants(b) {
			if suffix == "" || strings.HasPrefix(name, "good") || strings.HasPrefix(name, "kring") {
				add(target, name+suffix, v)
			}
		}
	}
	read := func(dir string) map[string][]byte {
		paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no examples in testdata/%s: %v", dir, err)
		}
		out := map[string][]byte{}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.Base(p)] = b
		}
		return out
	}

	// config.toml: the examples, and what kring init writes.
	for name, b := range read("config") {
		addFile("FuzzConfig", strings.TrimSuffix(name, ".toml"), b)
	}
	ic := defaultFileConfig()
	ic.Organisation.Name = "Org a"
	ic.Organisation.Claims = []api.ClaimInfo{{Requirement: "vital-clients", Statement: "We serve three operators."}}
	initConf, err := renderConfig(ic)
	if err != nil {
		t.Fatal(err)
	}
	addFile("FuzzConfig", "kring-init", initConf)

	// charter.toml: the examples, the template, and kring charter show --toml.
	for name, b := range read("charter") {
		addFile("FuzzCharter", strings.TrimSuffix(name, ".toml"), b)
	}
	addFile("FuzzCharter", "kring-genesis-template", []byte(charterTemplate))
	c := seedCircle(t)
	shown, err := renderCharterTOML(c.Genesis.Content().(*protocol.Genesis).Charter)
	if err != nil {
		t.Fatal(err)
	}
	addFile("FuzzCharter", "kring-charter-show", shown)

	// Advisory files, by extension, and a content document of each kind.
	for name, b := range read("advisories") {
		ext := slices.Index(advisoryExts, filepath.Ext(name))
		if ext < 0 {
			t.Fatalf("testdata/advisories/%s: unknown extension", name)
		}
		add("FuzzAdvisoryFile", strings.ReplaceAll(name, ".", "-"), byte(2*ext), b)
	}
	add("FuzzAdvisoryFile", "content-json", byte(1), []byte(`{"cve": "CVE-2026-0001", "score": 9.8, "refs": [null, true]}`))
	add("FuzzAdvisoryFile", "content-yaml", byte(3), []byte("cve: CVE-2026-0001\nrefs:\n  - https://example.invalid\n"))
	add("FuzzAdvisoryFile", "content-yaml-int-keys", byte(3), []byte("1: one\n2: two\n"))
	add("FuzzAdvisoryFile", "content-yaml-two-documents", byte(5), []byte("a: 1\n---\nb: 2\n"))

	// Member cards, a draft, an application and a genesis of the seeds'
	// circle (deterministic: fixed keys, ts 0, Ed25519 signatures).
	var founders []protocol.Member
	for _, name := range []string{"A", "B", "C"} {
		p := trusttest.Profile(name)
		p.Sector, p.Expertise = "energy", []string{"ics"}
		founders = append(founders, protocol.Member{Key: protocol.KeyOf(trusttest.KeyFor(name)), EncKey: trusttest.EncKeyFor(name),
			Profile: p, Addrs: []string{"/ip4/192.0.2.1/tcp/4001"}})
	}
	card, err := marshalCard(founders[0])
	if err != nil {
		t.Fatal(err)
	}
	addFile("FuzzMemberCard", "kring-init", card)
	add("FuzzMemberCard", "unknown-field", []byte(`{"key": "`+founders[1].Key.String()+`", "enc_key": "00", "profile": {"name": "x"}, "extra": 1}`))
	add("FuzzMemberCard", "no-name", []byte(`{"key": "`+founders[1].Key.String()+`", "enc_key": "`+strings.Repeat("11", 32)+`", "profile": {}}`))

	d, err := newDraft(protocol.DefaultCharter("fuzz"), founders, 1_700_000_000_000, trusttest.KeyFor("A"))
	if err != nil {
		t.Fatal(err)
	}
	draftJSON, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	addFile("FuzzDraft", "kring-genesis-draft", draftJSON)
	// The same draft as the release before wrote it: old threshold
	// names, ack_interval as a duration.
	oldJSON, err := json.Marshal(oldDraft(t, draftJSON, "24h"))
	if err != nil {
		t.Fatal(err)
	}
	add("FuzzDraft", "old-names", oldJSON)
	for name, edit := range map[string]func(*draft){
		// A draft without founders once made verify panic.
		"no-founders":       func(d *draft) { d.Founders, d.Sigs = nil, nil },
		"fewer-sigs":        func(d *draft) { d.Sigs = d.Sigs[:1] },
		"ack-short":         func(d *draft) { d.Charter.AckIntervalSeconds = 60 },
		"ts-changed":        func(d *draft) { d.TS++ },
		"format-2":          func(d *draft) { d.Format = "kring-genesis-draft/2" },
		"founder-no-name":   func(d *draft) { d.Founders[1].Profile.Name = "" },
		"op-sig-not-hex":    func(d *draft) { d.OpSig = "zz" },
		"charter-threshold": func(d *draft) { d.Charter.Admit = 0 },
	} {
		e := *d
		e.Founders, e.Sigs = slices.Clone(d.Founders), slices.Clone(d.Sigs)
		edit(&e)
		b, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		add("FuzzDraft", name, b)
	}

	addFile("FuzzApplication", "kring-apply", armor(armorApplication, c.Application("Y").Bytes()))
	addFile("FuzzApplication", "kring-apply-binary", c.Application("Y").Bytes())
	add("FuzzApplication", "another-organisation", c.Application("X").Bytes())
	addFile("FuzzGenesis", "kring-genesis-finalize", armor(armorGenesis, c.Genesis.Bytes()))
	addFile("FuzzGenesis", "kring-genesis-binary", c.Genesis.Bytes())
	add("FuzzGenesis", "an-armored-application", armor(armorApplication, c.Application("Y").Bytes()))
	add("FuzzGenesis", "two-blocks", slices.Concat(armor(armorGenesis, c.Genesis.Bytes()), armor(armorGenesis, c.Genesis.Bytes())))
	add("FuzzGenesis", "a-draft", draftJSON)
	add("FuzzGenesis", "an-application", c.Application("Y").Bytes())
	return seeds
}

// TestFuzzSeeds checks that the generated seeds in testdata/fuzz are
// current, and rewrites them with -update-seeds.
func TestFuzzSeeds(t *testing.T) {
	fuzzseed.Check(t, filepath.Join("testdata", "fuzz"), cliSeeds(t), *updateSeeds, "go test ./cmd/kring -run TestFuzzSeeds -update-seeds")
}
