package main

import (
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/api"
)

func TestMatchKey(t *testing.T) {
	a := "aaaaaaaa11111111111111111111111111111111111111111111111111111111"
	b := "aaaaaaaa22222222222222222222222222222222222222222222222222222222"
	c := "cccccccc33333333333333333333333333333333333333333333333333333333"
	stranger := "dddddddd44444444444444444444444444444444444444444444444444444444"
	members := []api.MemberInfo{{Key: a, Name: "Org A"}, {Key: b, Name: "Org B"}, {Key: c, Name: "Twin"}, {Key: b[:8] + strings.Repeat("3", 56), Name: "twin"}}
	cases := []struct {
		arg, want, err string
	}{
		{arg: a, want: a},
		{arg: strings.ToUpper(a), want: a},
		{arg: stranger, want: stranger}, // a full key needs no listing
		{arg: "aaaaaaaa1", want: a},
		{arg: "cccccccc", want: c},
		{arg: "org b", want: b},
		{arg: "  Org A ", want: a},
		{arg: "aaaaaaaa", err: `key prefix "aaaaaaaa" matches 3 members`},
		{arg: "aaaa", err: "too short: give at least 8 hex digits"},
		{arg: "Org Z", err: `unknown member "Org Z"`},
		{arg: "twin", err: `name "twin" matches 2 members`},
		{arg: "", err: "empty key"},
		{arg: "eeeeeeee", err: `unknown member "eeeeeeee"`},
	}
	for _, c := range cases {
		k, err := matchKey(c.arg, members)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || exitCode(err) != exitUsage {
				t.Errorf("matchKey(%q) = %v, %v; want error containing %q", c.arg, k, err, c.err)
			}
			continue
		}
		if err != nil || k.String() != c.want {
			t.Errorf("matchKey(%q) = %v, %v; want %s", c.arg, k, err, c.want)
		}
	}
}
