package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestEndToEnd drives the real binary: three organisations found a circle
// and run their daemons on loopback; a fourth applies, is endorsed by two
// and enacts its own admission; an advisory reaches the others; two
// members revoke a third, which is then refused.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	root := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	orgs := runningCircleIn(t, ctx, root)
	a, b, c := orgs[0], orgs[1], orgs[2]

	// N applies, A and B endorse it (k = 2), and N's daemon enacts its
	// admission by itself.
	n := &org{name: "n", dir: filepath.Join(root, "n"), p2p: freePort(t), api: freePort(t)}
	bin(t, "--data-dir", n.dir, "init", "--org", "Org N", "--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.p2p),
		"--api", fmt.Sprintf("127.0.0.1:%d", n.api),
		"--peer", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", a.p2p, a.peerID),
		"--peer", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", b.p2p, b.peerID)).must(t)
	editConfig(t, n.dir, `enrol_interval = "10s"`, `enrol_interval = "1s"`)
	appPath := filepath.Join(root, "n.application")
	bin(t, "--data-dir", n.dir, "apply", "--genesis", filepath.Join(root, "genesis.kring"), "--out", appPath,
		"--claim", "vital-clients=Serves four water boards").must(t)
	n.start(t, ctx)
	orgs = append(orgs, n)
	first := bin(t, "--data-dir", a.dir, "endorse", appPath, "--evidence", "Met their CISO; two references").must(t)
	eventually(t, 10*time.Second, "n short of 1 endorsement on a", func() bool {
		r := bin(t, "--data-dir", a.dir, "members")
		return strings.Contains(r.stdout, "1/2") && strings.Contains(r.stdout, "Org N")
	})
	// A second endorsement by A is refused, naming the first; N sees its
	// progress, 1 of 2 by Org A, in its status and its log.
	vote := strings.TrimSuffix(strings.Fields(strings.SplitAfter(first.stdout, ": vote ")[1])[0], ";")
	bin(t, "--data-dir", a.dir, "endorse", appPath, "--evidence", "again").fails(t, exitFailure, "already endorsed application")
	if r := bin(t, "--data-dir", a.dir, "endorse", appPath, "--evidence", "again"); !strings.Contains(r.stderr, vote) {
		t.Errorf("a second endorsement's refusal does not name the first vote %s: %q", vote, r.stderr)
	}
	eventually(t, 20*time.Second, "n to see 1 of 2 endorsements", func() bool {
		r := bin(t, "--data-dir", n.dir, "status")
		return strings.Contains(r.stdout, "1 of 2 endorsements by Org A") && strings.Contains(r.stdout, "1 more needed") &&
			strings.Contains(r.stdout, "when 1 more member endorses") && strings.Contains(r.stdout, "applicant, not yet admitted")
	})
	eventually(t, 5*time.Second, "n's log to show its progress", func() bool {
		return strings.Contains(n.log.String(), "application progress: 1 of 2 endorsements")
	})
	evidence := filepath.Join(root, "vetting.txt")
	if err := os.WriteFile(evidence, []byte("site visit report"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin(t, "--data-dir", b.dir, "endorse", appPath, "--evidence", evidence).must(t)
	if ents, err := os.ReadDir(filepath.Join(b.dir, evidenceDir)); err != nil || len(ents) != 1 {
		t.Errorf("evidence not kept: %v %v", ents, err)
	}
	eventually(t, 20*time.Second, "n admitted", func() bool {
		var st api.Status
		return jsonOut(t, &st, "--data-dir", n.dir, "status") && st.Status == "member" && st.Sharing
	})

	// A publishes; B and N list it.
	bin(t, "--data-dir", a.dir, "publish", "--title", "CVE-2026-0001 exploited", "--tlp", "amber", "--summary", "patch now").must(t)
	for _, o := range []*org{b, n} {
		eventually(t, 10*time.Second, "the advisory on "+o.name, func() bool {
			r := bin(t, "--data-dir", o.dir, "advisories", "list")
			return r.code == 0 && strings.Contains(r.stdout, "CVE-2026-0001 exploited") && strings.Contains(r.stdout, "AMBER")
		})
	}

	// A and B revoke C (r = 2), naming it by name and by key prefix.
	r := bin(t, "--data-dir", a.dir, "revoke", "Org C", "--yes").must(t)
	if !strings.Contains(r.stdout, "Voted to revoke Org C") {
		t.Errorf("revoke said %q", r.stdout)
	}
	var members []api.MemberInfo
	if !jsonOut(t, &members, "--data-dir", b.dir, "members") {
		t.Fatal("members")
	}
	var cKey string
	for _, m := range members {
		if m.Name == "Org C" {
			cKey = m.Key
		}
	}
	bin(t, "--data-dir", b.dir, "revoke", cKey[:10], "--yes").must(t)
	for _, o := range []*org{a, b} {
		eventually(t, 10*time.Second, "c revoked on "+o.name, func() bool {
			r := bin(t, "--data-dir", o.dir, "members")
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(line, "Org C") && strings.Contains(line, "revoked") {
					return true
				}
			}
			return false
		})
	}
	r = bin(t, "--data-dir", a.dir, "members", "--explain", "org c").must(t)
	if !strings.Contains(r.stdout, "revoked by 2 votes") {
		t.Errorf("explain: %s", r.stdout)
	}

	// C is refused: its publish fails, or it stays on C's node alone.
	r = bin(t, "--data-dir", c.dir, "publish", "--title", "after my revocation", "--tlp", "green")
	if r.code != 0 {
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "kring: ") {
			t.Errorf("c's refused publish said %q", r.stderr)
		}
	} else if !strings.Contains(r.stderr, "no peer is connected") {
		t.Errorf("c published with peers connected after its revocation: %q", r.stderr)
	}
	time.Sleep(2 * time.Second)
	for _, o := range []*org{a, b, n} {
		r := bin(t, "--data-dir", o.dir, "advisories", "list").must(t)
		if strings.Contains(r.stdout, "after my revocation") {
			t.Errorf("%s holds the revoked member's advisory:\n%s", o.name, r.stdout)
		}
	}

	// Errors on the command line: one line, the documented exit status.
	bin(t, "--data-dir", a.dir, "revoke", "Org Z").fails(t, exitUsage, `unknown member "Org Z"`)
	bin(t, "--data-dir", a.dir, "revoke", "Org A", "--yes").fails(t, exitUsage, "may not vote on a motion about itself")
	bad := filepath.Join(root, "bad.yaml")
	if err := os.WriteFile(bad, []byte("title: x\ntlp: WHITE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin(t, "--data-dir", a.dir, "publish", "--file", bad).fails(t, exitUsage, `TLP "WHITE" is not a TLP 2.0 label`)
	bin(t, "--data-dir", a.dir, "run").fails(t, exitUsage, "api.listen")

	// SIGTERM stops the daemons cleanly (exit 0); then the verbs say so.
	for _, o := range orgs {
		if code := o.stop(t); code != exitOK {
			t.Errorf("%s exited %d on SIGTERM", o.name, code)
		}
	}
	bin(t, "--data-dir", a.dir, "status").fails(t, exitDaemon, "the daemon is not running")
}

// TestRunExitCodes checks kring run's refusals before it starts a node.
func TestRunExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs the kring binary")
	}
	root := t.TempDir()
	bin(t, "--data-dir", filepath.Join(root, "none"), "run").fails(t, exitUsage, "no config")
	d := filepath.Join(root, "a")
	bin(t, "--data-dir", d, "init", "--org", "A", "--api", fmt.Sprintf("127.0.0.1:%d", freePort(t))).must(t)
	bin(t, "--data-dir", d, "run").fails(t, exitIdentity, "no genesis")
	bin(t, "--data-dir", d, "run", "--log-format", "xml").fails(t, exitUsage, "log format")
	if err := os.WriteFile(filepath.Join(d, genesisFile), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin(t, "--data-dir", d, "run").fails(t, exitIdentity, "not a kring genesis")
	if err := os.Chmod(filepath.Join(d, identityFile), 0o644); err != nil {
		t.Fatal(err)
	}
	bin(t, "--data-dir", d, "run").fails(t, exitIdentity, "chmod 600")
	bin(t, "--data-dir", d, "frobnicate").fails(t, exitUsage, "unknown command")
	bin(t, "--data-dir", d, "run", "--bogus").fails(t, exitUsage, "unknown flag")
	if r := bin(t, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "kring ") {
		t.Errorf("version: %+v", r)
	}
}
