package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
)

func TestMatchKey(t *testing.T) {
	a := "aaaaaaaa11111111111111111111111111111111111111111111111111111111"
	b := "aaaaaaaa22222222222222222222222222222222222222222222222222222222"
	c := "cccccccc33333333333333333333333333333333333333333333333333333333"
	d := "dddddddd55555555555555555555555555555555555555555555555555555555"
	e := "eeeeeeee66666666666666666666666666666666666666666666666666666666"
	stranger := "dddddddd44444444444444444444444444444444444444444444444444444444"
	members := []api.MemberInfo{{Key: a, Name: "Org A"}, {Key: b, Name: "Org B"}, {Key: c, Name: "Twin"}, {Key: b[:8] + strings.Repeat("3", 56), Name: "twin"},
		{Key: d, Name: "Delta Water CERT"}, {Key: e, Name: "Echo Energy CERT"}}
	cases := []struct {
		arg, want, err string
	}{
		{arg: a, want: a},
		{arg: strings.ToUpper(a), want: a},
		{arg: stranger, want: stranger}, // a full key needs no listing
		{arg: "aaaaaaaa1", want: a},
		{arg: "cccccccc", want: c},
		{arg: "org b", want: b},
		{arg: "  Org A ", want: a},
		// A unique prefix or word of the name, in any case.
		{arg: "Delta", want: d},
		{arg: "del", want: d},
		{arg: "WATER", want: d},
		{arg: "water cert", want: d},
		{arg: "energy", want: e},
		{arg: "Echo Energy CERT", want: e},
		// Ambiguity lists the candidates by name and short key.
		{arg: "cert", err: `name "cert" matches 2 members (Delta Water CERT (dddddddd5555), Echo Energy CERT (eeeeeeee6666)): give more of the name, or a key`},
		{arg: "org", err: `name "org" matches 2 members (Org A (aaaaaaaa1111), Org B (aaaaaaaa2222))`},
		{arg: "ater", err: `unknown member "ater"`}, // not a word's prefix
		{arg: "aaaaaaaa", err: `key prefix "aaaaaaaa" matches 3 members`},
		{arg: "aaaa", err: "too short: give at least 8 hex digits"},
		{arg: "Org Z", err: `unknown member "Org Z"`},
		{arg: "twin", err: `name "twin" matches 2 members`},
		{arg: "", err: "empty key"},
		{arg: "eeeeeeef", err: `unknown member "eeeeeeef"`},
	}
	for _, c := range cases {
		k, err := matchKey(c.arg, members)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || exitCode(err) != exitUsage {
				t.Errorf("matchKey(%q) = %v, %v; want error containing %q", c.arg, k, err, c.err)
			}
			continue
		}
		if err != nil || k.String() != c.want {
			t.Errorf("matchKey(%q) = %v, %v; want %s", c.arg, k, err, c.want)
		}
	}
}

// TestSortedMembers: kring members lists organisations by name, ignoring
// case, then by key.
func TestSortedMembers(t *testing.T) {
	in := []api.MemberInfo{{Key: "3", Name: "delta"}, {Key: "2", Name: "Bravo"}, {Key: "1", Name: "bravo"}, {Key: "4", Name: "Alpha"}}
	var got []string
	for _, m := range sortedMembers(in) {
		got = append(got, m.Key)
	}
	if want := []string{"4", "1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("sorted keys %v, want %v", got, want)
	}
}

// ttyReader is stdin that says it is a terminal.
type ttyReader struct{ *strings.Reader }

func (ttyReader) IsTerminal() bool { return true }

// kringTTY runs the CLI in-process with stdin a terminal that answers with
// input.
func kringTTY(t *testing.T, input string, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, ttyReader{strings.NewReader(input)}, &out, &errOut)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// namedCircle founds a circle of organisations with the given names
// (k = s = r = 2), the first one the initiator, runs their nodes, and
// returns their data dirs, their API URLs and the genesis file.
func namedCircle(t *testing.T, names ...string) (dirs, urls []string, gpath string) {
	t.Helper()
	dirs, urls, gpath, _ = namedNodes(t, names...)
	return dirs, urls, gpath
}

// namedNodes is namedCircle that also returns the running nodes.
func namedNodes(t *testing.T, names ...string) (dirs, urls []string, gpath string, nodes []*node.Node) {
	t.Helper()
	root := t.TempDir()
	for i, n := range names {
		d := filepath.Join(root, fmt.Sprint(i))
		kring(t, "--data-dir", d, "init", "--org", n).must(t)
		dirs = append(dirs, d)
	}
	ch := writeCharter(t, root, testCharter)
	draftPath := filepath.Join(root, "genesis.draft.json")
	args := []string{"--data-dir", dirs[0], "genesis", "draft", "--charter", ch, "--out", draftPath}
	for _, d := range dirs[1:] {
		args = append(args, "--founder", d)
	}
	kring(t, args...).must(t)
	for _, d := range dirs[1:] {
		kring(t, "--data-dir", d, "genesis", "sign", draftPath).must(t)
	}
	gpath = filepath.Join(root, genesisFile)
	kring(t, "genesis", "finalize", draftPath, "--out", gpath).must(t)
	urls, _, nodes = runCircle(t, dirs, gpath)
	return dirs, urls, gpath, nodes
}

// TestNamesAndConfirmation drives block, unblock, suspend, unsuspend and
// revoke by name against running nodes: a unique prefix or word of the
// organisation name finds it; an ambiguous one lists the candidates; the
// verbs that act show the organisation and key and ask, refuse without a
// terminal unless --yes, and do not ask for a full key. kring members
// lists organisations by name.
func TestNamesAndConfirmation(t *testing.T) {
	dirs, urls, _ := namedCircle(t, "Delta Water CERT", "Bravo Grid SOC", "Alpha Energy CERT")
	cli := func(args ...string) result {
		return kring(t, append([]string{"--data-dir", dirs[2], "--api", urls[2]}, args...)...)
	}
	tty := func(input string, args ...string) result {
		return kringTTY(t, input, append([]string{"--data-dir", dirs[2], "--api", urls[2]}, args...)...)
	}
	var members []api.MemberInfo
	eventually(t, 20*time.Second, "three members", func() bool {
		members = nil
		r := cli("members", "-o", "json")
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &members) == nil && len(members) == 3
	})
	var delta, bravo string
	for _, m := range members {
		switch m.Name {
		case "Delta Water CERT":
			delta = m.Key
		case "Bravo Grid SOC":
			bravo = m.Key
		}
	}
	deltaLabel := "Delta Water CERT (" + delta[:12] + ")"

	// kring members: by name.
	var order []string
	for _, line := range strings.Split(cli("members").must(t).stdout, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			order = append(order, f[0])
		}
	}
	if want := []string{"Alpha", "Bravo", "Delta"}; !slices.Equal(order, want) {
		t.Errorf("kring members lists %v, want %v", order, want)
	}

	// Without a terminal and without --yes, nothing happens, and the
	// message names what the name resolved to.
	cli("block", "delta", "--reason", "leak").fails(t, exitUsage,
		`block: "delta" is `+deltaLabel+`, key `+delta+`: nothing done, as stdin is not a terminal to confirm on; run again with --yes, or give the full key`)
	cli("revoke", "Bravo").fails(t, exitUsage, "stdin is not a terminal")
	cli("suspend", "water").fails(t, exitUsage, "stdin is not a terminal")
	cli("unsuspend", "water").fails(t, exitUsage, "stdin is not a terminal")
	cli("suspend", "cert", "--yes").fails(t, exitUsage,
		`name "cert" matches 2 members (Alpha Energy CERT (`)
	cli("block", "Zulu", "--reason", "x", "--yes").fails(t, exitUsage, `unknown member "Zulu"`)

	// On a terminal it asks; anything but yes does nothing.
	r := tty("n\n", "block", "Delta", "--reason", "leak")
	if r.code != exitFailure || !strings.Contains(r.stderr, "block: nothing done") ||
		!strings.Contains(r.stdout, `"Delta" is `+deltaLabel+", key "+delta+".\nBlock it? [y/N] ") {
		t.Fatalf("block answered no: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := cli("blocks").must(t); strings.Contains(r.stdout, "Delta") {
		t.Fatalf("a block answered no took effect:\n%s", r.stdout)
	}
	r = tty("yes\n", "block", "Delta", "--reason", "leak").must(t)
	if !strings.Contains(r.stdout, "Block it? [y/N] ") || !strings.Contains(r.stdout, "Blocked "+deltaLabel) {
		t.Errorf("block answered yes:\n%s", r.stdout)
	}
	if r := cli("blocks").must(t); !strings.Contains(r.stdout, "Delta Water CERT") {
		t.Errorf("blocks after the block:\n%s", r.stdout)
	}
	// Unblock does not ask; a full key never asks.
	if r := cli("unblock", "water").must(t); !strings.Contains(r.stdout, "Unblocked "+deltaLabel) {
		t.Errorf("unblock: %s", r.stdout)
	}
	if r := cli("block", strings.ToUpper(delta), "--reason", "leak").must(t); !strings.Contains(r.stdout, "Blocked "+deltaLabel) {
		t.Errorf("block by full key: %s", r.stdout)
	}
	if r := cli("suspend", "bravo", "--yes").must(t); !strings.Contains(r.stdout, "Voted to suspend Bravo Grid SOC ("+bravo[:12]+")") {
		t.Errorf("suspend --yes: %s", r.stdout)
	}
	r = tty("y\n", "revoke", "grid")
	if r.code != 0 || !strings.Contains(r.stdout, `"grid" is Bravo Grid SOC (`+bravo[:12]+"), key "+bravo+".\nRevoke it? [y/N] ") {
		t.Errorf("revoke on a terminal: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
