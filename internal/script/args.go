package script

import (
	"fmt"
	"strconv"
	"strings"
)

// Token is a word of a command, with its quoted parts unquoted.
type Token struct {
	// S is the word's text.
	S string
	// Quoted is true if the word began with a quote: it is never an
	// option, "=>" or ";".
	Quoted bool
}

// Fields splits a command into words at blanks, except inside Go-quoted
// strings ("a title", evidence="met their CISO"). A bad quote is an error.
func Fields(s string) ([]Token, error) {
	var out []Token
	for s = strings.TrimLeft(s, " \t"); s != ""; s = strings.TrimLeft(s, " \t") {
		t := Token{Quoted: s[0] == '"'}
		for s != "" && s[0] != ' ' && s[0] != '\t' {
			if s[0] == '"' {
				q, err := strconv.QuotedPrefix(s)
				if err != nil {
					return nil, fmt.Errorf("bad quoting: %s", s)
				}
				u, _ := strconv.Unquote(q)
				t.S, s = t.S+u, s[len(q):]
				continue
			}
			i := strings.IndexAny(s, " \t\"")
			if i < 0 {
				i = len(s)
			}
			t.S, s = t.S+s[:i], s[i:]
		}
		out = append(out, t)
	}
	return out, nil
}

// Args are a command's words: positional words, key=value options, and
// the verdict expected after "=>".
type Args struct {
	// Pos are the positional words, in order.
	Pos []string
	// Opt are the key=value options by key.
	Opt map[string]string
	// Want is the word after "=>", or "".
	Want string
}

// ParseArgs sorts toks into an Args.
func ParseArgs(toks []Token) Args {
	a := Args{Opt: map[string]string{}}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		k, v, isOpt := strings.Cut(t.S, "=")
		switch {
		case !t.Quoted && t.S == "=>" && i+1 < len(toks):
			a.Want = toks[i+1].S
			i++
		case !t.Quoted && isOpt && k != "":
			a.Opt[k] = v
		default:
			a.Pos = append(a.Pos, t.S)
		}
	}
	return a
}
