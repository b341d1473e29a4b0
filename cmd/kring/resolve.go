package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/term"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// minPrefix is the shortest key prefix accepted on the command line.
const minPrefix = 8

// keyArgHelp says what a KEY argument may be, for usage and errors.
const keyArgHelp = "a key, a prefix of 8+ hex digits, or an organisation name (or a unique prefix or word of it)"

// matchKey resolves a key given on the command line against the keys the
// log knows: the full 64-hex key, a unique prefix of at least 8 hex
// digits, or an organisation's name, case-insensitive: the whole name if
// one organisation has it, else a prefix of the name or of one of its
// words ("delta" and "water" both find "Delta Water CERT") that only one
// organisation's name has. An ambiguous argument is refused with the
// candidates listed.
func matchKey(arg string, members []api.MemberInfo) (protocol.Key, error) {
	s := strings.TrimSpace(arg)
	if s == "" {
		return protocol.Key{}, usageErrorf("empty key: give %s", keyArgHelp)
	}
	if k, ok := fullKey(s); ok {
		return k, nil
	}
	if isHex(s) && len(s) >= minPrefix {
		var found []api.MemberInfo
		for _, m := range members {
			if strings.HasPrefix(m.Key, strings.ToLower(s)) {
				found = append(found, m)
			}
		}
		if len(found) > 0 {
			return unique(arg, "key prefix", "give more of the key", found)
		}
	}
	var exact, partial []api.MemberInfo
	for _, m := range members {
		switch nameMatch(m.Name, s) {
		case matchExact:
			exact = append(exact, m)
		case matchPartial:
			partial = append(partial, m)
		}
	}
	switch {
	case len(exact) > 0:
		return unique(arg, "name", "give a key", exact)
	case len(partial) > 0:
		return unique(arg, "name", "give more of the name, or a key", partial)
	case isHex(s) && len(s) < minPrefix:
		return protocol.Key{}, usageErrorf("key prefix %q is too short: give at least %d hex digits", arg, minPrefix)
	}
	return protocol.Key{}, usageErrorf("unknown member %q: give %s that `kring members` lists", arg, keyArgHelp)
}

// fullKey parses s as a full 64-hex key, in either case.
func fullKey(s string) (protocol.Key, bool) {
	k, err := protocol.ParseKey(strings.ToLower(strings.TrimSpace(s)))
	return k, err == nil
}

// How an argument matches an organisation name.
const (
	matchNone = iota
	matchPartial
	matchExact
)

// nameMatch compares arg with an organisation name, ignoring case: the
// whole name, or a prefix of the name or of a word of it.
func nameMatch(name, arg string) int {
	n, q := strings.ToLower(strings.TrimSpace(name)), strings.ToLower(arg)
	if n == "" || q == "" {
		return matchNone
	}
	if n == q {
		return matchExact
	}
	prev := ' '
	for i, r := range n {
		start := isWordRune(r) && !isWordRune(prev)
		if (start || i == 0) && strings.HasPrefix(n[i:], q) {
			return matchPartial
		}
		prev = r
	}
	return matchNone
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// unique returns the key of the one member found, or refuses the
// argument, listing the candidates and what to do.
func unique(arg, what, hint string, found []api.MemberInfo) (protocol.Key, error) {
	switch len(found) {
	case 0:
		return protocol.Key{}, usageErrorf("unknown member %q", arg)
	case 1:
		k, err := protocol.ParseKey(found[0].Key)
		if err != nil {
			return protocol.Key{}, failuref("the daemon listed a bad key %q: %v", found[0].Key, err)
		}
		return k, nil
	}
	found = sortedMembers(found)
	names := make([]string, len(found))
	for i, m := range found {
		names[i] = memberLabel(m.Name, m.Key)
	}
	return protocol.Key{}, usageErrorf("%s %q matches %d members (%s): %s", what, arg, len(found), strings.Join(names, ", "), hint)
}

func isHex(s string) bool {
	if len(s)%2 == 1 {
		s += "0"
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// memberLabel names an organisation the one way Kring shows it to people,
// in the CLI and in the daemon's logs (protocol.Label): its name and short
// key, "Alpha Energy CERT (5363535c2100)", or the short key alone when the
// name is unknown.
func memberLabel(name, key string) string {
	if k, err := protocol.ParseKey(key); err == nil {
		return protocol.Label(name, k)
	}
	if strings.TrimSpace(name) == "" {
		return short(key)
	}
	return fmt.Sprintf("%s (%s)", name, short(key))
}

// describeKey names a key for messages: see memberLabel.
func describeKey(k protocol.Key, members []api.MemberInfo) string {
	for _, m := range members {
		if m.Key == k.String() {
			return protocol.Label(m.Name, k)
		}
	}
	return protocol.Label("", k)
}

// sortedMembers returns members sorted by organisation name, ignoring
// case, then by key.
func sortedMembers(members []api.MemberInfo) []api.MemberInfo {
	out := append([]api.MemberInfo(nil), members...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name)
		if a != b {
			return a < b
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// terminal is a reader that says whether it is a terminal; tests give the
// CLI one in place of os.Stdin.
type terminal interface {
	IsTerminal() bool
}

// stdinIsTerminal reports whether a person can answer a question on stdin.
func (a *app) stdinIsTerminal() bool {
	switch in := a.stdin.(type) {
	case *os.File:
		return term.IsTerminal(int(in.Fd()))
	case terminal:
		return in.IsTerminal()
	}
	return false
}

// confirmTarget shows what arg resolved to and asks before verb acts on
// it, unless yes is set or arg is the full key. Without a terminal to ask
// on it refuses: a script names its target by the full key or passes
// --yes.
func (a *app) confirmTarget(verb, arg string, k protocol.Key, who string, yes bool) error {
	if _, full := fullKey(arg); yes || full {
		return nil
	}
	if !a.stdinIsTerminal() {
		return usageErrorf("%s: %q is %s, key %s: nothing done, as stdin is not a terminal to confirm on; run again with --yes, or give the full key",
			verb, strings.TrimSpace(arg), who, k)
	}
	w := a.promptWriter()
	fmt.Fprintf(w, "%q is %s, key %s.\n%s it? [y/N] ", strings.TrimSpace(arg), who, k, capitalise(verb))
	answer, err := bufio.NewReader(a.stdin).ReadString('\n')
	if errors.Is(err, io.EOF) && strings.TrimSpace(answer) == "" {
		fmt.Fprintln(w)
		return usageErrorf("%s: no answer: nothing done; pass --yes, or give the full key, to act without the question", verb)
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return failuref("%s: nothing done (you answered %q)", verb, strings.TrimSpace(answer))
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
