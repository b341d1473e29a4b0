package main

import (
	"log/slog"
	"testing"

	"github.com/kring-circle/kring/trust"
)

// TestOwnKeyCheck: the watch of the own key raises a WARN while a fork
// of the key suspends it (with the node's account of the fork when it has
// one; not once a keep-lift resolved the fork), and an ERROR when an own
// op beyond the reservation arrives while this node signs (a copied data
// dir at work); it keeps quiet on a normal chain, and on a restored backup
// learning its own later ops back before it signs.
func TestOwnKeyCheck(t *testing.T) {
	member := trust.KeyState{Status: trust.StatusMember}
	forked := member
	forked.Equivocated, forked.ForkSuspended, forked.Suspended = 7, 7, true
	lifted := member
	lifted.Equivocated = 7 // a keep-lift resolved the fork
	for _, tc := range []struct {
		name                   string
		ks                     trust.KeyState
		fork                   string
		tip, next, nextAtStart uint64
		alarm                  bool
		seq                    uint64
	}{
		{"fresh node", member, "", 0, 0, 0, false, 0},
		{"signed since start", member, "", 5, 6, 3, false, 0},
		{"restored backup catching up", member, "", 9, 4, 4, false, 0},
		{"copy signs while this node signs", member, "", 6, 6, 3, true, 6},
		{"copy far ahead", member, "", 12, 6, 3, true, 12},
		{"equivocated", forked, "", 7, 8, 8, true, 7},
		{"equivocated, the node's account", forked, "it forked at seq 7: ask 3 members", 7, 8, 8, true, 7},
		{"fork lifted by a keep", lifted, "", 9, 10, 10, false, 0},
	} {
		a := ownKeyCheck(tc.ks, tc.fork, tc.tip, tc.next, tc.nextAtStart)
		if (a != nil) != tc.alarm {
			t.Errorf("%s: alarm %+v, want %v", tc.name, a, tc.alarm)
			continue
		}
		want := slog.LevelError
		if tc.ks.ForkSuspended > 0 {
			want = slog.LevelWarn
		}
		if a != nil && (a.level != want || a.seq != tc.seq || tc.fork != "" && a.msg != tc.fork) {
			t.Errorf("%s: %+v, want %s at seq %d", tc.name, a, want, tc.seq)
		}
	}
}
