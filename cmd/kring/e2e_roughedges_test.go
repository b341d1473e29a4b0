package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestFirstWeekRoughEdges runs a circle of three real daemons and checks
// what a member sees in its first week: status says once why the node
// may not publish yet and that a publish waits for the syncs, and that the
// backlog is unknown before a first sync; a publish with no member
// reachable is refused and says so once; with one of the two others
// online, publish --wait goes out and names the member it synced with,
// and status says "ready (synced with 1 of 2 members; 1 unreachable)"; an
// empty kring blocks says so; block needs a reason; advisories show
// indents a JSON document.
func TestFirstWeekRoughEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	root := t.TempDir()
	orgs := setupCircle(t, root)
	a, b, c := orgs[0], orgs[1], orgs[2]
	bin(t, "--data-dir", c.dir, "genesis", "install", filepath.Join(root, "genesis.kring")).must(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	defer func() {
		for _, o := range orgs {
			if o.daemon != nil && o.daemon.ProcessState == nil {
				o.stop(t)
			}
		}
		if t.Failed() {
			for _, o := range orgs {
				if o.log != nil {
					t.Logf("log of %s:\n%s", o.name, o.log)
				}
			}
		}
	}()

	a.start(t, ctx)
	eventually(t, 20*time.Second, "a's API", func() bool { return bin(t, "--data-dir", a.dir, "status").code == 0 })
	st := bin(t, "--data-dir", a.dir, "status").must(t).stdout
	// Within node.publish_wait (5 s) of its start the node waits for
	// members to answer; a slow machine may see the end of that wait.
	if !strings.Contains(st, "publishing waits for a sync: not yet in sync with the circle: synced with 0 of 2 members, "+
		"waiting for more to answer (up to 5s after start) (kring publish starts the syncs and waits for them)") &&
		!strings.Contains(st, "cannot publish: no member of the circle answered: none of the 2 others did within 5s") {
		t.Errorf("status of a node alone says neither that it waits for members nor that none answered:\n%s", st)
	}
	if !strings.Contains(st, "backlog unknown until a first sync begins") {
		t.Errorf("status of a node alone lacks the unknown backlog:\n%s", st)
	}
	if strings.Contains(st, "node: ") || strings.Contains(st, "not ready") {
		t.Errorf("status of a node alone repeats itself:\n%s", st)
	}

	if r := bin(t, "--data-dir", a.dir, "blocks").must(t); !strings.HasPrefix(r.stdout, "No blocks") {
		t.Errorf("empty blocks: %q", r.stdout)
	}
	bin(t, "--data-dir", a.dir, "block", "Org B").fails(t, exitUsage, "block needs --reason TEXT")
	bin(t, "--data-dir", a.dir, "block", "Org B", "--reason", " ").fails(t, exitUsage, "block needs --reason TEXT")

	// Alone, a waits node.publish_wait (5 s) for a member to answer, then
	// refuses: it cannot learn its own chain back, so it signs nothing.
	r := bin(t, "--data-dir", a.dir, "publish", "--title", "alone", "--tlp", "green", "--wait", "8s")
	r.fails(t, exitFailure, "publish: refused: no member of the circle answered: none of the 2 others did within 5s, "+
		"so this node cannot check its own chain against theirs and signs nothing; check its network and the members' addresses (kring peers), "+
		"or publish once a member is online")
	if strings.Contains(r.stderr, "node:") || strings.Contains(r.stderr, "deadline") {
		t.Errorf("the refusal repeats itself: %q", r.stderr)
	}
	if st := bin(t, "--data-dir", a.dir, "status").must(t).stdout; !strings.Contains(st, "cannot publish: no member of the circle answered") {
		t.Errorf("status of a node alone past its wait:\n%s", st)
	}
	bin(t, "--data-dir", a.dir, "publish", "--title", "x", "--tlp", "green", "--wait", "1m").fails(t, exitUsage, "--wait 1m0s: give a duration from 0s to 45s")

	// With B up and C offline, a publish goes out after the sync with B,
	// and says so.
	b.start(t, ctx)
	out := bin(t, "--data-dir", a.dir, "publish", "--title", "weekend night", "--tlp", "green", "--wait", "30s").must(t).stdout
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "Published advisory ") ||
		!strings.HasPrefix(lines[1], "Signed after syncing with 1 of 2 members: Org B (") || !strings.HasSuffix(lines[1], "); 1 unreachable.") {
		t.Errorf("publish with one of two members online:\n%s", out)
	}
	if st := bin(t, "--data-dir", a.dir, "status").must(t).stdout; !strings.Contains(st, "ready (synced with 1 of 2 members; 1 unreachable)") ||
		!strings.Contains(st, "backlog 0") {
		t.Errorf("status after a sync with one of two members:\n%s", st)
	}
	var sent api.OpInfo
	if !jsonOut(t, &sent, "--data-dir", a.dir, "publish", "--title", "as JSON", "--tlp", "green") ||
		sent.Sync == nil || len(sent.Sync.SyncedWith) != 1 || sent.Sync.SyncedWith[0].Name != "Org B" || sent.Sync.Unreachable != 1 {
		t.Errorf("publish -o json names no sync: %+v", sent)
	}

	c.start(t, ctx)
	eventually(t, 20*time.Second, "a synced with c", func() bool {
		return strings.Contains(bin(t, "--data-dir", a.dir, "status").stdout, "ready (synced with 2 of 2 members)")
	})
	doc := filepath.Join(root, "iocs.json")
	if err := os.WriteFile(doc, []byte(`{"indicators":[{"type":"ipv4","value":"192.0.2.7"}],"note":"seen twice"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out = bin(t, "--data-dir", a.dir, "publish", "--title", "IOCs", "--tlp", "green", "--content", doc).must(t).stdout
	id := strings.Fields(strings.TrimPrefix(out, "Published advisory "))[0]
	shown := bin(t, "--data-dir", a.dir, "advisories", "show", id[:12]).must(t).stdout
	if !strings.Contains(shown, "{\n  \"indicators\": [\n    {\n      \"type\": \"ipv4\",") {
		t.Errorf("advisories show does not indent the document:\n%s", shown)
	}
}
