package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestBlockHidesOnThisNode: A blocks B. kring block says that the others
// still relay to B and that a suspension stops that. B's advisory reaches
// A's log through C, but A's advisories list (table and JSON) and show
// hide it while C's later advisory shows; kring unblock shows it again.
func TestBlockHidesOnThisNode(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	orgs := runningCircle(t, ctx)
	a, b, c := orgs[0], orgs[1], orgs[2]
	var members []api.MemberInfo
	if !jsonOut(t, &members, "--data-dir", a.dir, "members") {
		t.Fatal("members")
	}
	bKey := ""
	for _, m := range members {
		if m.Name == "Org B" {
			bKey = m.Key
		}
	}

	r := bin(t, "--data-dir", a.dir, "block", bKey, "--reason", "leaked a RED advisory").must(t)
	for _, want := range []string{"Blocked Org B", "advisories are hidden here", "kring unblock shows them again",
		"Members who do not block it still relay", "suspend it (kring suspend)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("kring block said %q, nothing about %q", r.stdout, want)
		}
	}

	bin(t, "--data-dir", b.dir, "publish", "--title", "published by B", "--tlp", "green").must(t)
	var bID string
	eventually(t, 20*time.Second, "B's advisory on C", func() bool {
		var ads []api.AdvisoryInfo
		if jsonOut(t, &ads, "--data-dir", c.dir, "advisories", "list") && len(ads) == 1 {
			bID = ads[0].ID
		}
		return bID != ""
	})
	bin(t, "--data-dir", c.dir, "publish", "--title", "published by C", "--tlp", "green").must(t)
	eventually(t, 20*time.Second, "C's advisory, which cites B's, on A", func() bool {
		return strings.Contains(bin(t, "--data-dir", a.dir, "advisories", "list").stdout, "published by C")
	})
	if out := bin(t, "--data-dir", a.dir, "advisories", "list").must(t).stdout; strings.Contains(out, "published by B") {
		t.Errorf("A lists the blocked member's advisory:\n%s", out)
	}
	var ads []api.AdvisoryInfo
	if !jsonOut(t, &ads, "--data-dir", a.dir, "advisories", "list") || len(ads) != 1 || ads[0].Title != "published by C" {
		t.Errorf("A's JSON list = %+v, want C's advisory alone", ads)
	}
	bin(t, "--data-dir", a.dir, "advisories", "show", bID).fails(t, exitFailure, "advisories show: advisory "+bID[:12]+" is by Org B")

	r = bin(t, "--data-dir", a.dir, "unblock", bKey).must(t)
	if !strings.Contains(r.stdout, "its advisories show again") {
		t.Errorf("kring unblock said %q", r.stdout)
	}
	if !jsonOut(t, &ads, "--data-dir", a.dir, "advisories", "list") || len(ads) != 2 || ads[0].ID != bID && ads[1].ID != bID {
		t.Errorf("A's list after unblock = %+v, want B's advisory back", ads)
	}
	if r := bin(t, "--data-dir", a.dir, "advisories", "show", bID).must(t); !strings.Contains(r.stdout, "published by B") {
		t.Errorf("A shows after unblock: %q", r.stdout)
	}
}

// runningCircle founds the circle of setupCircle under a temporary dir,
// starts the three daemons and waits until each is ready with two peers.
// The daemons stop at cleanup, and their logs are shown if the test
// failed.
func runningCircle(t *testing.T, ctx context.Context) []*org {
	t.Helper()
	return runningCircleIn(t, ctx, t.TempDir())
}

// runningCircleIn is runningCircle with the data dirs under root.
func runningCircleIn(t *testing.T, ctx context.Context, root string) []*org {
	t.Helper()
	orgs := setupCircle(t, root)
	for _, o := range orgs {
		o.start(t, ctx)
	}
	t.Cleanup(func() {
		for _, o := range orgs {
			if o.daemon != nil && o.daemon.ProcessState == nil {
				o.stop(t)
			}
		}
		if t.Failed() {
			for _, o := range orgs {
				t.Logf("log of %s:\n%s", o.name, o.log)
			}
		}
	})
	for _, o := range orgs {
		eventually(t, 20*time.Second, o.name+" ready with 2 peers", func() bool {
			var st api.Status
			return jsonOut(t, &st, "--data-dir", o.dir, "status") && st.Peers == 2 && st.Ready
		})
	}
	return orgs
}
