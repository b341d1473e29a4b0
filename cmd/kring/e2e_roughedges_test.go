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
// backlog is unknown before a first sync; a publish refused for want of
// syncs says its clause once; an empty kring blocks says so; block needs
// a reason; advisories show indents a JSON document.
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
	for _, want := range []string{
		"publishing waits for a sync: not yet in sync with the circle: synced with 0 of 2 members (kring publish starts the syncs and waits for them)",
		"backlog unknown until a first sync begins",
	} {
		if !strings.Contains(st, want) {
			t.Errorf("status of a node alone lacks %q:\n%s", want, st)
		}
	}
	if strings.Contains(st, "node: ") || strings.Contains(st, "not ready") {
		t.Errorf("status of a node alone repeats itself:\n%s", st)
	}

	if r := bin(t, "--data-dir", a.dir, "blocks").must(t); !strings.HasPrefix(r.stdout, "No blocks") {
		t.Errorf("empty blocks: %q", r.stdout)
	}
	bin(t, "--data-dir", a.dir, "block", "Org B").fails(t, exitUsage, "block needs --reason TEXT")
	bin(t, "--data-dir", a.dir, "block", "Org B", "--reason", " ").fails(t, exitUsage, "block needs --reason TEXT")

	// A publish waits for syncs with two members; with B alone up it
	// gives up, saying why once.
	refused := make(chan result, 1)
	go func() { refused <- bin(t, "--data-dir", a.dir, "publish", "--title", "too early", "--tlp", "green") }()
	b.start(t, ctx)
	eventually(t, 20*time.Second, "a synced with b", func() bool {
		var s api.Status
		return jsonOut(t, &s, "--data-dir", a.dir, "status") && s.BacklogKnown && s.Peers == 1
	})
	if st := bin(t, "--data-dir", a.dir, "status").must(t).stdout; !strings.Contains(st, "backlog 0") {
		t.Errorf("status after a first sync:\n%s", st)
	}
	r := <-refused
	r.fails(t, exitFailure, "publish: not yet in sync with the circle (synced with 1 of 2 members): check `kring peers`")
	if strings.Count(r.stderr, "sync") != 2 || strings.Contains(r.stderr, "node:") { // "in sync", "synced"
		t.Errorf("the refusal repeats itself: %q", r.stderr)
	}

	c.start(t, ctx)
	eventually(t, 20*time.Second, "a ready", func() bool {
		return strings.Contains(bin(t, "--data-dir", a.dir, "status").stdout, "ready to publish")
	})
	doc := filepath.Join(root, "iocs.json")
	if err := os.WriteFile(doc, []byte(`{"indicators":[{"type":"ipv4","value":"192.0.2.7"}],"note":"seen twice"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := bin(t, "--data-dir", a.dir, "publish", "--title", "IOCs", "--tlp", "green", "--content", doc).must(t).stdout
	id := strings.Fields(strings.TrimPrefix(out, "Published advisory "))[0]
	shown := bin(t, "--data-dir", a.dir, "advisories", "show", id[:12]).must(t).stdout
	if !strings.Contains(shown, "{\n  \"indicators\": [\n    {\n      \"type\": \"ipv4\",") {
		t.Errorf("advisories show does not indent the document:\n%s", shown)
	}
}
