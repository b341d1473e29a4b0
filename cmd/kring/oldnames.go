package main

import (
	"fmt"
	"io"

	"github.com/kring-circle/kring/node/api"
)

// The charter's thresholds are called admit, suspend, revoke and change
// in every file and on every screen, as in the API. Until this release a
// charter.toml and a genesis.draft.json called them k, s, r and c (and a
// draft wrote ack_interval as a duration): kring reads those old names
// for one release, with a notice, and never writes them.

// configRenames are config.toml's keys under the names this release
// still reads: the code spells enrol the British way, as it spells
// organisation and enrolment, and so does the file now.
var configRenames = []rename{{"node.enroll_interval", "node.enrol_interval"}}

// rename is an old key of a charter file or config.toml and the key that
// replaces it.
type rename struct{ old, new string }

// thresholdRenames are the thresholds' old names, in charter.toml and in
// a draft's charter.
var thresholdRenames = []rename{{"k", "admit"}, {"s", "suspend"}, {"r", "revoke"}, {"c", "change"}}

// OldThresholds holds the thresholds a file sets under their old names.
// It is exported only so that the TOML and JSON decoders see its fields
// through the structs that embed it.
type OldThresholds struct {
	K *uint32 `toml:"k,omitempty" json:"k,omitempty"`
	S *uint32 `toml:"s,omitempty" json:"s,omitempty"`
	R *uint32 `toml:"r,omitempty" json:"r,omitempty"`
	C *uint32 `toml:"c,omitempty" json:"c,omitempty"`
}

// into moves the thresholds set under old names to their names in d, and
// forgets them, so that they are never written back.
func (o *OldThresholds) into(d *api.CharterDoc) {
	for _, p := range []struct {
		old *uint32
		new *uint32
	}{{o.K, &d.Admit}, {o.S, &d.Suspend}, {o.R, &d.Revoke}, {o.C, &d.Change}} {
		if p.old != nil {
			*p.new = *p.old
		}
	}
	*o = OldThresholds{}
}

// oldNamesIn returns the old names among the keys a file sets, and marks
// each one's new name as set. A file that sets a key under both its old
// and its new name is refused: which one it means is not clear.
func oldNamesIn(keys map[string]bool, renames []rename) ([]rename, error) {
	var used []rename
	for _, r := range renames {
		switch {
		case keys[r.old] && keys[r.new]:
			return nil, fmt.Errorf("%s and %s are one setting under its old and its new name: keep %s and remove %s", r.old, r.new, r.new, r.old)
		case keys[r.old]:
			used = append(used, r)
			keys[r.new] = true
		}
	}
	return used, nil
}

// warnOldNames tells w, a line each, that file path uses old names.
func warnOldNames(w io.Writer, path string, used []rename) {
	for _, r := range used {
		fmt.Fprintf(w, "kring: warning: %s: %q is the old name of %q: rename it; this release still reads %s, the next will refuse it\n", path, r.old, r.new, r.old)
	}
}
