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

// TestBackupAndRestore runs the real binary: a backup of a running node
// (keys, files and a copy of its store), the node lost, a restore into a
// new data dir that waits for every member before it signs, then signs
// the next seq; and a restore of the keys alone, which learns the whole
// log back by sync and signs after it. No seq is signed twice.
func TestBackupAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	root := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	orgs := runningCircleIn(t, ctx, root)
	a, b := orgs[0], orgs[1]
	for _, title := range []string{"one", "two"} {
		bin(t, "--data-dir", a.dir, "publish", "--title", title, "--tlp", "green").must(t)
	}
	full, keys := filepath.Join(root, "a-full.tar"), filepath.Join(root, "a-keys.tar")
	r := bin(t, "--data-dir", a.dir, "backup", "--out", full).must(t)
	if !strings.Contains(r.stdout, "a copy of the store") {
		t.Errorf("backup said %q", r.stdout)
	}
	bin(t, "--data-dir", a.dir, "backup", "--out", keys, "--keys-only").must(t)
	for _, p := range []string{full, keys} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", p, err, fi.Mode().Perm())
		}
	}
	bin(t, "--data-dir", a.dir, "backup", "--out", full).fails(t, exitFailure, "file exists")
	// A publishes once more after the backup, then its data dir is lost.
	bin(t, "--data-dir", a.dir, "publish", "--title", "after the backup", "--tlp", "green").must(t)
	eventually(t, 20*time.Second, "B to hold A's third advisory", func() bool {
		return strings.Contains(bin(t, "--data-dir", b.dir, "advisories", "list").stdout, "after the backup")
	})
	a.stop(t)

	seqOf := func(o *org, title string) uint64 {
		t.Helper()
		var list []api.AdvisoryInfo
		if !jsonOut(t, &list, "--data-dir", o.dir, "advisories", "list") {
			t.Fatal("advisories list")
		}
		for _, ad := range list {
			if ad.Title == title {
				return ad.Seq
			}
		}
		t.Fatalf("%q not listed by %s", title, o.dir)
		return 0
	}
	last := seqOf(b, "after the backup") // the circle holds A's chain up to here
	seqOfNext := func(o *org, title string) uint64 {
		t.Helper()
		bin(t, "--data-dir", o.dir, "publish", "--title", title, "--tlp", "green").must(t)
		return seqOf(o, title)
	}
	for i, tc := range []struct {
		archive string
		args    []string
		want    uint64
	}{
		{full, nil, last + 1},                     // the copy ends a seq before the circle's
		{keys, []string{"--keys-only"}, last + 2}, // nothing local: the whole log by sync
	} {
		o := &org{name: a.name, dir: filepath.Join(root, "restored", string(rune('1'+i))), p2p: a.p2p, api: a.api, peerID: a.peerID}
		bin(t, append([]string{"--data-dir", o.dir, "restore", tc.archive}, tc.args...)...).must(t)
		bin(t, "--data-dir", o.dir, "restore", tc.archive).fails(t, exitIdentity, "holds an organisation's data already")
		o.start(t, ctx)
		eventually(t, 30*time.Second, "the restored node to be ready", func() bool {
			var st api.Status
			return jsonOut(t, &st, "--data-dir", o.dir, "status") && st.Ready
		})
		if got := seqOfNext(o, "restored "+string(rune('1'+i))); got != tc.want {
			t.Errorf("restore %d signed seq %d, want %d (a lower one forks the chain)", i+1, got, tc.want)
		}
		if code := o.stop(t); code != exitOK {
			t.Errorf("restored node stopped with %d; log:\n%s", code, o.log)
		}
	}
	var st api.Status
	if !jsonOut(t, &st, "--data-dir", b.dir, "status") || st.Status != "member" || st.Fork != nil {
		t.Errorf("B's status after the restores: %+v", st)
	}
}
