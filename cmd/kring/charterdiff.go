package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// charterDiff renders, a line each, what changes from charter old to
// charter new, field by field and only what changes: requirements by id
// (+ added, - removed, ~ reworded) and topics by item (+ and -). The
// acknowledgement interval is compared as it applies (an absent one is the
// default); the version is the caller's to show. Lines are indented by
// two spaces; none means nothing but the version changes.
func charterDiff(old, new protocol.Charter) []string {
	var out []string
	line := func(format string, args ...any) { out = append(out, "  "+fmt.Sprintf(format, args...)) }
	if old.Name != new.Name {
		line("name: %q → %q", old.Name, new.Name)
	}
	for _, f := range []struct {
		key, what string
		old, new  uint32
	}{
		{"admit", "endorsements to admit", old.Admit, new.Admit},
		{"suspend", "votes to suspend", old.Suspend, new.Suspend},
		{"revoke", "votes to revoke or lift a suspension", old.Revoke, new.Revoke},
	} {
		if f.old != f.new {
			line("%s (%s): %d → %d", f.key, f.what, f.old, f.new)
		}
	}
	if old.Change != new.Change {
		line("change (votes to change the charter): %s → %s", changeText(old.Change), changeText(new.Change))
	}
	if old.AckSeconds() != new.AckSeconds() {
		line("ack_interval (a node silent this long signs an acknowledgement): %s → %s", formatSeconds(old.AckSeconds()), formatSeconds(new.AckSeconds()))
	}
	out = append(out, requirementsDiff(old.Requirements, new.Requirements)...)
	if oneLineText(old.TLPPolicy) != oneLineText(new.TLPPolicy) {
		line("tlp_policy:")
		line("  was: %s", orNone(oneLineText(old.TLPPolicy)))
		line("  now: %s", orNone(oneLineText(new.TLPPolicy)))
	} else if old.TLPPolicy != new.TLPPolicy {
		line("tlp_policy: the same words, laid out differently")
	}
	if old.Cadence != new.Cadence {
		line("cadence: %q → %q", old.Cadence, new.Cadence)
	}
	out = append(out, topicsDiff(old.Topics, new.Topics)...)
	return out
}

func requirementsDiff(old, new []protocol.Requirement) []string {
	var items []string
	was := map[string]string{}
	for _, r := range old {
		was[r.ID] = r.Text
	}
	is := map[string]bool{}
	for _, r := range new {
		is[r.ID] = true
		text, ok := was[r.ID]
		switch {
		case !ok:
			items = append(items, fmt.Sprintf("    + %s: %s", r.ID, oneLineText(r.Text)))
		case text != r.Text:
			items = append(items, fmt.Sprintf("    ~ %s: %q → %q", r.ID, oneLineText(text), oneLineText(r.Text)))
		}
	}
	for _, r := range old {
		if !is[r.ID] {
			items = append(items, fmt.Sprintf("    - %s: %s", r.ID, oneLineText(r.Text)))
		}
	}
	id := func(r protocol.Requirement) string { return r.ID }
	if len(items) == 0 && !slices.Equal(mapSlice(old, id), mapSlice(new, id)) {
		items = append(items, "    the same requirements in a new order: "+strings.Join(mapSlice(new, id), ", "))
	}
	if len(items) == 0 {
		return nil
	}
	return append([]string{"  requirements:"}, items...)
}

func topicsDiff(old, new []string) []string {
	var items []string
	for _, t := range new {
		if !slices.Contains(old, t) {
			items = append(items, "    + "+t)
		}
	}
	for _, t := range old {
		if !slices.Contains(new, t) {
			items = append(items, "    - "+t)
		}
	}
	if len(items) == 0 && !slices.Equal(old, new) {
		items = append(items, "    the same topics in a new order: "+strings.Join(new, "; "))
	}
	if len(items) == 0 {
		return nil
	}
	return append([]string{"  topics:"}, items...)
}

func mapSlice[T any](xs []T, f func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// changeText renders a charter's c.
func changeText(c uint32) string {
	if c == 0 {
		return "0 (the default, max(ceil(2n/3), 4))"
	}
	return fmt.Sprint(c)
}

// oneLineText collapses a text's white space, for one line.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
