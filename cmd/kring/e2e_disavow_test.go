package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestDisavowEndToEnd runs kring disavow with the real binary against
// three `kring run` daemons, as a member would: Org C's key publishes an
// advisory and C leaves; once A's and B's acknowledgements settle the
// Leave, A's kring disavow shows the preview and votes with --yes, B votes
// too, and the daemons enact the disavowal on their own: C's advisory no
// longer counts anywhere.
func TestDisavowEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	orgs := runningCircle(t, ctx) // k = 2, s = 2, r = 2, c′ = 3
	a, b, c := orgs[0], orgs[1], orgs[2]
	var op api.OpInfo
	if !jsonOut(t, &op, "--data-dir", c.dir, "publish", "--title", "signed by a thief", "--tlp", "green") {
		t.Fatal("publish")
	}
	seq := fmt.Sprint(op.Seq)
	eventually(t, 10*time.Second, "A lists C's advisory", func() bool {
		return strings.Contains(bin(t, "--data-dir", a.dir, "advisories", "list").stdout, "signed by a thief")
	})
	bin(t, "--data-dir", c.dir, "leave", "--reason", "key stolen", "--yes").must(t)
	var r result
	eventually(t, 30*time.Second, "C's Leave settled on A", func() bool {
		bin(t, "--data-dir", a.dir, "ack")
		bin(t, "--data-dir", b.dir, "ack")
		r = bin(t, "--data-dir", a.dir, "disavow", "Org C", "--from-seq", seq)
		return r.code == exitUsage && strings.Contains(r.stdout, "It needs 2 votes (c′): 0 cast.") && !strings.Contains(r.stdout, "could not be enacted")
	})
	if !strings.Contains(r.stderr, "stdin is not a terminal") {
		t.Errorf("disavow without --yes off a terminal: %q", r.stderr)
	}
	r = bin(t, "--data-dir", a.dir, "disavow", "Org C", "--from-seq", seq, "--yes").must(t)
	for _, want := range []string{"Disavowing Org C (", "  voids 1 op that counts today (1 advisory)", "Voted to disavow Org C ("} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("disavow --yes lacks %q:\n%s", want, r.stdout)
		}
	}
	var ms []api.MotionInfo
	eventually(t, 10*time.Second, "B lists A's disavow vote", func() bool {
		return jsonOut(t, &ms, "--data-dir", b.dir, "motions") && len(ms) == 1 && ms[0].Kind == "disavow" && ms[0].Votes == 1
	})
	bin(t, "--data-dir", b.dir, "disavow", ms[0].Subject, "--from-seq", seq, "--yes").must(t)
	for _, o := range []*org{a, b} {
		eventually(t, 20*time.Second, "the disavowal enacted on "+o.name, func() bool {
			r := bin(t, "--data-dir", o.dir, "advisories", "list")
			return r.code == 0 && !strings.Contains(r.stdout, "signed by a thief") &&
				strings.Contains(bin(t, "--data-dir", o.dir, "motions").stdout, "No motions in progress")
		})
	}
	if out, err := json.Marshal(ms[0]); err != nil || !strings.Contains(string(out), `"from":`+seq) {
		t.Errorf("the disavow motion's JSON: %s", out)
	}
}
