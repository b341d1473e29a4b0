package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// templateCharter is the charter kring genesis template writes.
func templateCharter(t *testing.T) protocol.Charter {
	t.Helper()
	c, _, err := parseCharter([]byte(charterTemplate))
	if err != nil {
		t.Fatalf("the template does not parse: %v", err)
	}
	return c
}

// TestCharterTemplate: the template parses to version 1 with the
// documented default ack interval, and explains ack_interval and what is
// hard to change later.
func TestCharterTemplate(t *testing.T) {
	c := templateCharter(t)
	if c.Version != 1 || c.Admit != 3 || c.Suspend != 2 || c.Revoke != 3 || c.Change != 0 ||
		c.AckInterval != protocol.DefaultAckInterval || len(c.Requirements) != 2 || len(c.Topics) != 3 {
		t.Errorf("template charter %+v", c)
	}
	for _, want := range []string{`ack_interval = "24h"`, "about 365 small ops", `"1h" and "744h" (31 days`,
		"HARD TO CHANGE LATER (needs a charter change)", "kring charter propose"} {
		if !strings.Contains(charterTemplate, want) {
			t.Errorf("the template does not say %q", want)
		}
	}
	// The TLP labels are the members' promise: the template must not
	// promise that Kring enforces them while RED travels in plaintext.
	for _, want := range []string{"The labels are a promise between\n# members", "refuses to publish TLP:RED",
		"kring publish --plaintext-red", "encrypt an advisory to named recipients (that is planned)"} {
		if !strings.Contains(charterTemplate, want) {
			t.Errorf("the template does not say %q", want)
		}
	}
	if strings.Contains(charterTemplate, "enforces") {
		t.Error("the template says Kring enforces something: it enforces no TLP label yet")
	}
	if n := strings.Count(charterTemplate, "HARD TO CHANGE LATER"); n != 6 {
		t.Errorf("the template marks %d fields hard to change later, want k, s, r, c and ack_interval (and the header)", n)
	}
	// A genesis charter is version 1.
	if _, _, err := parseCharter([]byte("name = \"x\"\nversion = 2\n")); err == nil || !strings.Contains(err.Error(), "a genesis holds version 1") {
		t.Errorf("a genesis charter of version 2: %v", err)
	}
	if c, _, err := parseCharter([]byte("name = \"x\"\nversion = 1\n")); err != nil || c.Version != 1 || c.AckInterval != 0 {
		t.Errorf("version = 1 without ack_interval: %+v, %v", c, err)
	}
}

// TestCharterTestdata parses every proposal in testdata/charter against
// the template's charter as version 1 in force: good-*.toml must parse as
// version 2, bad-*.toml must fail with the text of its "# want:" line, on
// one line.
func TestCharterTestdata(t *testing.T) {
	inForce := templateCharter(t)
	files, err := filepath.Glob("testdata/charter/*.toml")
	if err != nil || len(files) < 10 {
		t.Fatalf("testdata: %v, %d files", err, len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if first, _, _ := strings.Cut(string(b), "\n"); strings.HasPrefix(first, "# want: ") {
				want = strings.TrimPrefix(first, "# want: ")
			}
			good := strings.HasPrefix(filepath.Base(path), "good-")
			if good == (want != "") {
				t.Fatalf("a good-*.toml has no # want: line, a bad-*.toml has one")
			}
			c, _, err := parseProposal(b, inForce)
			if good {
				if err != nil || c.Version != 2 {
					t.Fatalf("parseProposal: version %d, %v", c.Version, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v\nwant one line containing %q", err, want)
			}
		})
	}
	full, err := os.ReadFile("testdata/charter/good-full.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := parseProposal(full, inForce)
	if err != nil {
		t.Fatal(err)
	}
	want := protocol.Charter{Name: "Example energy sector circle", Version: 2, Admit: 2, Suspend: 2, Revoke: 3, Change: 5,
		AckInterval: 48 * 3600, TLPPolicy: "Advisories default to TLP:AMBER.", Cadence: "quarterly",
		Topics:       []string{"incident round-table", "ransomware"},
		Requirements: []protocol.Requirement{{ID: "vital-clients", Text: "Serves at least five operators of vital infrastructure."}, {ID: "dora", Text: "Reports major incidents under DORA."}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("good-full.toml:\ngot  %+v\nwant %+v", c, want)
	}
	if c, _, _ := parseProposal(full, protocol.Charter{Version: 6}); c.Version != 7 {
		t.Errorf("the version filled in after v6 is %d", c.Version)
	}
	// With version 2 enacted and waiting to settle, a proposal follows it.
	if c, _, err := parseProposalAfter(full, inForce, 2); err != nil || c.Version != 3 {
		t.Errorf("the version filled in while v2 waits: %d, %v", c.Version, err)
	}
	v2 := append([]byte("version = 2\n"), full...)
	if _, _, err := parseProposalAfter(v2, inForce, 2); err == nil || !strings.Contains(err.Error(), "version 2 is enacted and waits to settle: a proposal is version 3") {
		t.Errorf("version 2 proposed while v2 waits: %v", err)
	}
}

// TestCharterDiff renders what good-full.toml changes in the template's
// charter: field by field, requirements and topics by item, only what
// changes.
func TestCharterDiff(t *testing.T) {
	old := templateCharter(t)
	b, err := os.ReadFile("testdata/charter/good-full.toml")
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := parseProposal(b, old)
	if err != nil {
		t.Fatal(err)
	}
	want := `  admit (endorsements to admit): 3 → 2
  change (votes to change the charter): 0 (the default, max(ceil(2n/3), 4)) → 5
  ack_interval (a node silent this long signs an acknowledgement): 24h → 48h
  requirements:
    ~ vital-clients: "Serves at least three operators of vital infrastructure." → "Serves at least five operators of vital infrastructure."
    + dora: Reports major incidents under DORA.
    - senior-representative: Is represented by a senior security officer who attends the meetings.
  tlp_policy:
    was: Advisories default to TLP:AMBER. TLP:RED is shared only with the named recipients, out of band until Kring can encrypt it to them. Only TLP:CLEAR may leave the circle unmarked.
    now: Advisories default to TLP:AMBER.
  cadence: "monthly" → "quarterly"
  topics:
    + ransomware
    - threat landscape
    - annual exercise`
	if got := strings.Join(charterDiff(old, next), "\n"); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}

	same := old
	same.Version = 2
	if d := charterDiff(old, same); len(d) != 0 {
		t.Errorf("a charter against itself: %q", d)
	}
	// An absent ack interval is the default: no change.
	same.AckInterval = 0
	if d := charterDiff(old, same); len(d) != 0 {
		t.Errorf("24h against the default: %q", d)
	}
	moved := old
	moved.Name = "Renamed"
	moved.Topics = []string{old.Topics[2], old.Topics[0], old.Topics[1]}
	moved.Requirements = []protocol.Requirement{old.Requirements[1], old.Requirements[0]}
	moved.TLPPolicy = strings.ReplaceAll(old.TLPPolicy, "\n", "  \n")
	want = `  name: "Example energy sector circle" → "Renamed"
  requirements:
    the same requirements in a new order: senior-representative, vital-clients
  tlp_policy: the same words, laid out differently
  topics:
    the same topics in a new order: annual exercise; incident round-table; threat landscape`
	if got := strings.Join(charterDiff(old, moved), "\n"); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
}

// TestCharterTOMLRoundTrip: what kring charter show --toml prints parses
// back as the next version of the same charter.
func TestCharterTOMLRoundTrip(t *testing.T) {
	for _, c := range []protocol.Charter{
		templateCharter(t),
		{Name: `Quote "and" back\slash`, Version: 4, Admit: 1, Suspend: 1, Revoke: 1, Change: 7, AckInterval: 5400},
	} {
		b, err := renderCharterTOML(c)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := parseProposal(b, c)
		if err != nil {
			t.Fatalf("parsing the rendered charter: %v\n%s", err, b)
		}
		want := c
		want.Version++
		want.AckInterval = c.AckSeconds()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\ngot  %+v\nwant %+v\n%s", got, want, b)
		}
	}
}

// TestDraftKeepsAckInterval: a charter's ack_interval survives the genesis
// draft, the signatures and finalize, and genesis show prints it.
func TestDraftKeepsAckInterval(t *testing.T) {
	c := templateCharter(t)
	c.AckInterval = 36 * 3600
	j := draftCharterOf(c)
	if j.AckIntervalSeconds != 36*3600 {
		t.Errorf("draft JSON ack_interval_seconds %d", j.AckIntervalSeconds)
	}
	if back := j.Charter(); !reflect.DeepEqual(back, c) {
		t.Errorf("draft JSON round trip: %+v", back)
	}
	c.AckInterval = 0
	if j := draftCharterOf(c); j.AckIntervalSeconds != 0 {
		t.Errorf("a default ack interval is written as %d", j.AckIntervalSeconds)
	}

	root := t.TempDir()
	dirs := initOrgs(t, root, "a", "b", "c")
	ch := writeCharter(t, root, "ack_interval = \"36h\"\n"+testCharter)
	draftPath := filepath.Join(root, "genesis.draft.json")
	kring(t, "--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--founder", dirs[1], "--founder", dirs[2], "--out", draftPath).must(t)
	b, err := os.ReadFile(draftPath)
	if err != nil || !strings.Contains(string(b), `"ack_interval_seconds": 129600`) {
		t.Fatalf("the draft has no ack_interval_seconds: %v\n%s", err, b)
	}
	for _, d := range dirs[1:] {
		kring(t, "--data-dir", d, "genesis", "sign", draftPath).must(t)
	}
	out := filepath.Join(root, "genesis.kring")
	kring(t, "genesis", "finalize", draftPath, "--out", out).must(t)
	op, err := readGenesis(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := op.Content().(*protocol.Genesis).Charter.AckInterval; got != 36*3600 {
		t.Errorf("the genesis charter's ack interval is %d s, want 36 h", got)
	}
	if r := kring(t, "genesis", "show", out).must(t); !strings.Contains(r.stdout, "ack_interval 36h") {
		t.Errorf("genesis show:\n%s", r.stdout)
	}
	var shown struct{ Charter api.CharterDoc }
	if r := kring(t, "genesis", "show", out, "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &shown) != nil || shown.Charter.AckIntervalSeconds != 36*3600 {
		t.Errorf("genesis show -o json:\n%s", r.stdout)
	}

	// A draft whose ack interval was edited no longer verifies.
	var d draft
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	d.Charter.AckIntervalSeconds = 48 * 3600
	tampered := filepath.Join(root, "tampered.json")
	if err := writeDraft(tampered, &d); err != nil {
		t.Fatal(err)
	}
	kring(t, "genesis", "finalize", tampered, "--out", filepath.Join(root, "g2")).fails(t, exitIdentity, "altered")
}

// TestCharterVerbRefusals checks the charter verbs' one-line errors and
// exit statuses without a daemon, and with a fake one.
func TestCharterVerbRefusals(t *testing.T) {
	root := t.TempDir()
	d := initOrgs(t, root, "a")[0]
	down := "127.0.0.1:1"
	kring(t, "--data-dir", d, "--api", down, "charter", "show").fails(t, exitDaemon, "the daemon is not running")
	kring(t, "--data-dir", d, "--api", down, "charter", "vote", "3fa2c1d0").fails(t, exitDaemon, "the daemon is not running")
	kring(t, "--data-dir", d, "--api", down, "charter", "propose", filepath.Join(root, "none.toml")).fails(t, exitUsage, "no such file")
	kring(t, "--data-dir", d, "charter", "propose").fails(t, exitUsage, "needs FILE")
	kring(t, "--data-dir", d, "charter", "vote").fails(t, exitUsage, "needs ID")
	kring(t, "--data-dir", d, "charter", "show", "extra").fails(t, exitUsage, "takes no arguments")
	if r := kring(t, "charter", "--help"); r.code != 0 || !strings.Contains(r.stdout, "propose") || !strings.Contains(r.stdout, "vote") {
		t.Errorf("charter --help: %s", r.stdout)
	}
	for _, arg := range []string{"abc", "xyz12345"} {
		if _, err := matchMotion(arg, nil); err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), "at least 8 hex digits") {
			t.Errorf("matchMotion(%q): %v", arg, err)
		}
	}
	ms := []api.CharterMotion{{ID: "3fa2c1d0" + strings.Repeat("0", 56)}, {ID: "3fa2c1d1" + strings.Repeat("0", 56)}}
	if _, err := matchMotion("3fa2c1d", ms); err == nil {
		t.Error("a 7-digit prefix matched")
	}
	if _, err := matchMotion("3fa2c1d0", ms[:1]); err != nil {
		t.Errorf("a unique prefix: %v", err)
	}
	if m, err := matchMotion(strings.ToUpper(ms[1].ID), ms); err != nil || m.ID != ms[1].ID {
		t.Errorf("a full ID: %v", err)
	}
	ms[1].ID = "3fa2c1d0ff" + strings.Repeat("0", 54)
	if _, err := matchMotion("3fa2c1d0", ms); err == nil || !strings.Contains(err.Error(), "matches 2 open motions") {
		t.Errorf("an ambiguous prefix: %v", err)
	}
	if _, err := matchMotion("abcdef12", ms); err == nil || !strings.Contains(err.Error(), "no open charter motion") {
		t.Errorf("an unknown prefix: %v", err)
	}
}

// runCircle starts in-process nodes and APIs for the founders of a
// finished circle, connected, with AutoEnact on as kring run has it, and
// returns each one's API URL, a client of it and the node.
func runCircle(t *testing.T, dirs []string, genesisPath string) ([]string, []*api.Client, []*node.Node) {
	t.Helper()
	genOp, err := readGenesis(genesisPath)
	if err != nil {
		t.Fatal(err)
	}
	gen := genOp.Bytes()
	var urls []string
	var clients []*api.Client
	var nodes []*node.Node
	var peers []string
	for _, d := range dirs {
		priv, err := loadIdentity(dataDir(d))
		if err != nil {
			t.Fatal(err)
		}
		token, err := loadToken(dataDir(d))
		if err != nil {
			t.Fatal(err)
		}
		cfg := node.DefaultLocalConfig()
		cfg.Key, cfg.Genesis = priv, gen
		cfg.Store = store.DefaultLocalOptions()
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
		cfg.SyncBeforePublish = 0
		cfg.AutoEnact = true
		cfg.Peers = append([]string(nil), peers...)
		n, err := node.New(context.Background(), cfg)
		if err != nil {
			t.Fatalf("node.New(%s): %v", d, err)
		}
		peers = append(peers, n.P2PAddrs()...)
		srv := httptest.NewServer(api.NewServer(n, api.ServerOptions{Token: token, Version: "test"}).Handler())
		t.Cleanup(func() {
			srv.Close()
			if err := n.Close(); err != nil {
				t.Errorf("Close(%s): %v", d, err)
			}
		})
		urls = append(urls, srv.URL)
		clients = append(clients, api.NewClient(srv.URL, token))
		nodes = append(nodes, n)
	}
	return urls, clients, nodes
}

// kringIn runs the CLI in-process with stdin.
func kringIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestCharterVerbs runs three founders' nodes in-process and drives kring
// charter show, propose and vote in-process against them: a proposal is
// shown as a diff and needs a yes, its motion is listed as "1 of 3",
// the others vote for it by ID prefix, and the daemons enact it: every
// node then runs the new charter.
func TestCharterVerbs(t *testing.T) {
	root, dirs, gpath := finishedCircle(t) // k = s = r = 2
	urls, clients, _ := runCircle(t, dirs, gpath)
	charterOf := func(i int) (api.CharterView, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return clients[i].Charter(ctx)
	}
	cli := func(i int, args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[i], "--api", urls[i]}, args...)...)
	}
	cliIn := func(i int, stdin string, args ...string) result {
		return kringIn(t, stdin, append([]string{"--data-dir", dirs[i], "--api", urls[i]}, args...)...)
	}
	eventually(t, 20*time.Second, "the nodes connected", func() bool {
		r := cli(0, "status")
		return r.code == 0 && strings.Contains(r.stdout, "2 connected")
	})

	// A member's node says when it will next acknowledge on its own: the
	// charter's ack_interval (24 h here) after its last op.
	var st api.Status
	if r := cli(0, "status", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &st) != nil || st.NextAck == nil ||
		st.NextAck.Before(time.Now().Add(23*time.Hour)) || st.NextAck.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("status -o json: next_ack %v, want about 24 h from now:\n%s", st.NextAck, r.stdout)
	}
	if r := cli(0, "status").must(t); !strings.Contains(r.stdout, "acknowledges  next at ") {
		t.Errorf("status lacks when the node next acknowledges:\n%s", r.stdout)
	}

	r := cli(0, "charter", "show").must(t)
	for _, want := range []string{`Charter "Test circle", version 1`, "in force since the genesis", "ack_interval  24h",
		"k′ = 2 endorsements admit an applicant", "c′ = 3 members' votes change the charter",
		"the charter's default change = max(ceil(2n/3), 4) = 4 is more than the 3 members: a charter change needs all 3",
		"No open charter motion"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("charter show lacks %q:\n%s", want, r.stdout)
		}
	}
	var v api.CharterView
	if r := cli(0, "charter", "show", "-o", "json").must(t); json.Unmarshal([]byte(r.stdout), &v) != nil || v.Thresholds.Change != 3 || v.Charter.Version != 1 {
		t.Fatalf("charter show -o json:\n%s", r.stdout)
	}

	// The charter in force as TOML, edited into a proposal.
	toml := cli(0, "charter", "show", "--toml").must(t).stdout
	unchanged := filepath.Join(root, "unchanged.toml")
	if err := os.WriteFile(unchanged, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(0, "charter", "propose", unchanged, "--yes").fails(t, exitUsage, "changes nothing")
	proposal := filepath.Join(root, "charter.toml")
	edited := strings.Replace(toml, "admit = 2", "admit = 3", 1)
	edited = strings.Replace(edited, `ack_interval = '24h'`, `ack_interval = "72h"`, 1)
	if err := os.WriteFile(proposal, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(root, "bad.toml")
	if err := os.WriteFile(bad, []byte(strings.Replace(edited, "admit = 3", "admit = 3\nversion = 5", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(0, "charter", "propose", bad).fails(t, exitUsage, "a proposal is version 2")

	// Without --yes it asks; no answer or a no signs nothing.
	r = cliIn(0, "", "charter", "propose", proposal)
	r.fails(t, exitUsage, "no answer on stdin")
	for _, want := range []string{"Proposing charter version 2 (in force: version 1):", "admit (endorsements to admit): 2 → 3",
		"ack_interval (a node silent this long signs an acknowledgement): 24h → 72h", "Sign your vote for charter version 2? [y/N]"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("propose without --yes lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "cadence") {
		t.Errorf("the diff shows a field that does not change:\n%s", r.stdout)
	}
	// The same proposal under the thresholds' old names: read as the
	// same charter, with a warning a key.
	oldProposal := filepath.Join(root, "old.toml")
	oldNames := strings.NewReplacer("admit =", "k =", "suspend =", "s =", "revoke =", "r =", "change =", "c =").Replace(edited)
	if err := os.WriteFile(oldProposal, []byte(oldNames), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cliIn(0, "", "charter", "propose", oldProposal)
	if r.code != exitUsage || !strings.Contains(r.stdout, "admit (endorsements to admit): 2 → 3") ||
		strings.Count(r.stderr, "kring: warning: "+oldProposal+`: "`) != 4 || !strings.Contains(r.stderr, `"c" is the old name of "change"`) {
		t.Errorf("propose under the old names: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	cliIn(0, "n\n", "charter", "propose", proposal).fails(t, exitFailure, "nothing signed")
	if v, err := charterOf(0); err != nil || len(v.Motions) != 0 {
		t.Fatalf("a refused proposal was signed: %+v %v", v.Motions, err)
	}
	r = cliIn(0, "y\n", "charter", "propose", proposal).must(t)
	if !strings.Contains(r.stdout, "1 of 3 votes") || !strings.Contains(r.stdout, "It needs 2 more") {
		t.Errorf("propose said:\n%s", r.stdout)
	}
	var id string
	eventually(t, 10*time.Second, "B to list the open motion", func() bool {
		v, err := charterOf(1)
		if err != nil || len(v.Motions) != 1 {
			return false
		}
		id = v.Motions[0].ID
		return true
	})
	r = cli(1, "charter", "show").must(t)
	if !strings.Contains(r.stdout, short(id)+"  version 2  1 of 3 votes (Org a (") || !strings.Contains(r.stdout, ")); you have not voted") || !strings.Contains(r.stdout, "admit (endorsements to admit): 2 → 3") {
		t.Errorf("B's charter show:\n%s", r.stdout)
	}
	cli(0, "charter", "vote", id[:8]).fails(t, exitUsage, "you already voted")
	cli(0, "charter", "propose", proposal, "--yes").fails(t, exitUsage, "you already voted for this charter")
	cli(1, "charter", "vote", "abcdef12", "--yes").fails(t, exitUsage, "no open charter motion")

	// B votes by prefix after seeing the diff; C proposes the same file,
	// which joins the motion, and reaches c′.
	r = cliIn(1, "yes\n", "charter", "vote", id[:10]).must(t)
	if !strings.Contains(r.stdout, "admit (endorsements to admit): 2 → 3") || !strings.Contains(r.stdout, "2 of 3 votes") {
		t.Errorf("vote said:\n%s", r.stdout)
	}
	eventually(t, 10*time.Second, "C to count two votes", func() bool {
		v, err := charterOf(2)
		return err == nil && len(v.Motions) == 1 && v.Motions[0].Votes == 2
	})
	r = cli(2, "charter", "propose", proposal, "--yes").must(t)
	if !strings.Contains(r.stdout, "your vote joins it") || !strings.Contains(r.stdout, "3 of 3 votes") || !strings.Contains(r.stdout, "That is enough") {
		t.Errorf("C's propose said:\n%s", r.stdout)
	}
	// B acknowledges on request what its node holds (C's vote and the
	// enactment at least); asked again, it has nothing new and says so.
	eventually(t, 10*time.Second, "B to hold the enactment", func() bool {
		v, err := charterOf(1)
		return err == nil && len(v.Motions) == 0
	})
	// Enacted but not settled: version 1 stays in force, and show says
	// what waits.
	if r := cli(1, "charter", "show").must(t); !strings.Contains(r.stdout, ", version 1\n") ||
		!strings.Contains(r.stdout, "version 2 enacted (motion "+short(id)+"): in force once the members' acknowledgements settle it") {
		t.Errorf("B's charter show with the change enacted:\n%s", r.stdout)
	}
	if r := cli(1, "ack").must(t); !strings.Contains(r.stdout, "Acknowledged every op the node holds (op ") {
		t.Errorf("ack said:\n%s", r.stdout)
	}
	if r := cli(1, "ack").must(t); !strings.Contains(r.stdout, "Nothing new to acknowledge") {
		t.Errorf("a second ack said:\n%s", r.stdout)
	}
	// The change takes effect once settled (docs/membership.md §4.7): the
	// members acknowledge in turn until an op observes all three.
	eventually(t, 20*time.Second, "charter v2 settled", func() bool {
		for i := range dirs {
			cli(i, "ack").must(t)
			time.Sleep(50 * time.Millisecond)
		}
		v, err := charterOf(0)
		return err == nil && v.Charter.Version == 2
	})
	for i := range dirs {
		eventually(t, 20*time.Second, "charter v2 on every node", func() bool {
			v, err := charterOf(i)
			return err == nil && v.Charter.Version == 2 && len(v.Motions) == 0
		})
		r := cli(i, "charter", "show").must(t)
		if !strings.Contains(r.stdout, "version 2") || !strings.Contains(r.stdout, "ack_interval  72h") || !strings.Contains(r.stdout, "k′ = 3") || strings.Contains(r.stdout, "enacted (motion") {
			t.Errorf("charter show after the change:\n%s", r.stdout)
		}
	}
	cli(1, "charter", "vote", id[:8]).fails(t, exitUsage, "no open charter motion")

	// The status counts the ops that count and wait to settle; once the
	// members have acknowledged everything, it says every op that can
	// settle has.
	eventually(t, 20*time.Second, "every op settled on A", func() bool {
		for i := range dirs {
			cli(i, "ack").must(t)
			time.Sleep(50 * time.Millisecond)
		}
		r := cli(0, "status", "-o", "json").must(t)
		return json.Unmarshal([]byte(r.stdout), &st) == nil && st.Unsettled == 0 && strings.Contains(r.stdout, `"unsettled": 0`)
	})
	if r := cli(0, "status").must(t); !strings.Contains(r.stdout, "settled       every op that can settle") {
		t.Errorf("status after everything settled:\n%s", r.stdout)
	}
}
