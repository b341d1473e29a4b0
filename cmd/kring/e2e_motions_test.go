package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// TestMotionsEndToEnd drives kring motions and the motions in kring
// members with the real binary: A's vote to suspend C shows on B as
// "1 of 2" with its voter and effect; once C is suspended and A votes to
// revoke it, B's members line for C names the open revoke and what would
// lift the suspension, not an unsuspend that nobody proposed.
func TestMotionsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kring binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	orgs := runningCircle(t, ctx) // k = 2, s = 2, r = 2
	a, b := orgs[0], orgs[1]
	r := bin(t, "--data-dir", b.dir, "motions").must(t)
	if !strings.Contains(r.stdout, "No motions in progress") {
		t.Errorf("motions before any vote:\n%s", r.stdout)
	}
	var members []api.MemberInfo
	if !jsonOut(t, &members, "--data-dir", a.dir, "members") {
		t.Fatal("members")
	}
	var cKey string
	for _, m := range members {
		if m.Name == "Org C" {
			cKey = m.Key
		}
	}

	bin(t, "--data-dir", a.dir, "suspend", cKey).must(t)
	eventually(t, 10*time.Second, "B to list A's suspend vote", func() bool {
		r = bin(t, "--data-dir", b.dir, "motions")
		return r.code == 0 && strings.Contains(r.stdout, "suspend Org C (")
	})
	for _, want := range []string{
		"suspend Org C (" + cKey[:12] + "): 1 of 2 votes, opened 20",
		"  voted  Org A (",
		"  effect suspends Org C (" + cKey[:12] + ") network-wide",
		"  next   needs 1 more vote (to vote: kring suspend " + cKey[:12] + ")",
		"  motion ",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("B's motions lack %q:\n%s", want, r.stdout)
		}
	}
	if r := bin(t, "--data-dir", a.dir, "motions").must(t); !strings.Contains(r.stdout, "1 of 2 votes (you voted)") {
		t.Errorf("A's motions do not mark its own vote:\n%s", r.stdout)
	}
	var ms []api.MotionInfo
	if !jsonOut(t, &ms, "--data-dir", b.dir, "motions") || len(ms) != 1 || ms[0].Votes != 1 || ms[0].Needed != 2 || ms[0].Subject != cKey {
		t.Errorf("motions -o json: %+v", ms)
	}
	if line := memberLine(t, b.dir, "Org C"); !strings.Contains(line, "suspend 1 of 2") {
		t.Errorf("B's members line for C does not show the open suspension: %q", line)
	}
	r = bin(t, "--data-dir", b.dir, "members", "--explain", cKey).must(t)
	if !strings.Contains(r.stdout, "open motion: suspend, 1 of 2 votes, opened 20") || !strings.Contains(r.stdout, "voted by Org A (") ||
		!strings.Contains(r.stdout, "if enacted: suspends Org C") {
		t.Errorf("members --explain C:\n%s", r.stdout)
	}

	// B's vote suspends C; then A's revoke vote stands open.
	bin(t, "--data-dir", b.dir, "suspend", cKey).must(t)
	eventually(t, 10*time.Second, "C suspended on A", func() bool {
		return strings.Contains(memberLine(t, a.dir, "Org C"), "suspended")
	})
	bin(t, "--data-dir", a.dir, "revoke", cKey).must(t)
	want := "to rejoin, an unsuspend with 2 members' votes: none cast yet; a revoke motion against it has 1 of 2 votes"
	var line string
	eventually(t, 10*time.Second, "B to show C's open revoke", func() bool {
		line = memberLine(t, b.dir, "Org C")
		return strings.Contains(line, "revoke 1 of 2")
	})
	if !strings.Contains(line, want) || strings.Contains(line, "suspend 1 of 2") {
		t.Errorf("B's members line for C: %q\nwant the open revoke and %q", line, want)
	}
	r = bin(t, "--data-dir", b.dir, "motions").must(t)
	if !strings.Contains(r.stdout, "revoke Org C (") || !strings.Contains(r.stdout, "1 of 2 votes") || strings.Contains(r.stdout, "suspend Org C") {
		t.Errorf("B's motions after the suspension:\n%s", r.stdout)
	}
}

// memberLine returns the line of kring members on the node of dir that
// starts with the organisation name.
func memberLine(t *testing.T, dir, name string) string {
	t.Helper()
	r := bin(t, "--data-dir", dir, "members")
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, name) {
			return line
		}
	}
	return ""
}
