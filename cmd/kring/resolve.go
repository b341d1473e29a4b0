package main

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// minPrefix is the shortest key prefix accepted on the command line.
const minPrefix = 8

// matchKey resolves a key given on the command line against the keys the
// log knows: the full 64-hex key, a unique prefix of at least 8 hex
// digits, or an organisation's name (case-insensitive, unique).
func matchKey(arg string, members []api.MemberInfo) (protocol.Key, error) {
	s := strings.TrimSpace(arg)
	if s == "" {
		return protocol.Key{}, usageErrorf("empty key: give a member's key, a prefix of 8+ hex digits, or its organisation name")
	}
	if k, err := protocol.ParseKey(strings.ToLower(s)); err == nil {
		return k, nil
	}
	if isHex(s) && len(s) >= minPrefix {
		var found []api.MemberInfo
		for _, m := range members {
			if strings.HasPrefix(m.Key, strings.ToLower(s)) {
				found = append(found, m)
			}
		}
		if k, err := unique(arg, "key prefix", found); err == nil || len(found) > 0 {
			return k, err
		}
	}
	var found []api.MemberInfo
	for _, m := range members {
		if strings.EqualFold(m.Name, s) {
			found = append(found, m)
		}
	}
	if len(found) == 0 {
		if isHex(s) && len(s) < minPrefix {
			return protocol.Key{}, usageErrorf("key prefix %q is too short: give at least %d hex digits", arg, minPrefix)
		}
		return protocol.Key{}, usageErrorf("unknown member %q: give a key, a prefix of %d+ hex digits, or an organisation name that `kring members` lists", arg, minPrefix)
	}
	return unique(arg, "name", found)
}

func unique(arg, what string, found []api.MemberInfo) (protocol.Key, error) {
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
	var names []string
	for _, m := range found {
		names = append(names, m.Key[:12]+" "+m.Name)
	}
	sort.Strings(names)
	return protocol.Key{}, usageErrorf("%s %q matches %d members (%s): give more of the key", what, arg, len(found), strings.Join(names, ", "))
}

func isHex(s string) bool {
	if len(s)%2 == 1 {
		s += "0"
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// describeKey names a key for messages.
func describeKey(k protocol.Key, members []api.MemberInfo) string {
	for _, m := range members {
		if m.Key == k.String() && m.Name != "" {
			return fmt.Sprintf("%s (%s)", m.Name, k.Short())
		}
	}
	return k.Short()
}
