package api

import (
	"errors"
	"fmt"
	"strings"
)

// MinTokenLen is the length of the shortest token CheckToken accepts: 32
// characters, 128 bits when they are random hex digits.
const MinTokenLen = 32

// minTokenRunes is how many distinct characters a token needs: 32 random
// hex digits have 14 on average, a repeated word far fewer.
const minTokenRunes = 8

// ErrWeakToken: an API token is too short, holds a character a bearer
// token may not, or repeats a few characters. CheckToken returns it.
var ErrWeakToken = errors.New("api: weak API token")

// CheckToken returns ErrWeakToken unless tok can guard the API: at least
// MinTokenLen characters of RFC 6750's bearer-token alphabet (letters,
// digits, "-", ".", "_", "~", "+", "/", with "=" only at the end), and at
// least 8 distinct ones. kring init writes 64 random hex digits; a token
// written by hand should come from a random source too (for example
// `openssl rand -hex 32`): CheckToken cannot measure randomness, only
// refuse what is plainly weak.
func CheckToken(tok string) error {
	if len(tok) < MinTokenLen {
		return fmt.Errorf("%w: %d characters, want at least %d", ErrWeakToken, len(tok), MinTokenLen)
	}
	body := strings.TrimRight(tok, "=")
	seen := map[rune]bool{}
	for i, r := range body {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+/", r)
		if !ok {
			return fmt.Errorf("%w: character %q at %d is not one a bearer token may hold (letters, digits, - . _ ~ + /, = at the end)", ErrWeakToken, r, i+1)
		}
		seen[r] = true
	}
	if len(seen) < minTokenRunes {
		return fmt.Errorf("%w: only %d distinct characters, want at least %d", ErrWeakToken, len(seen), minTokenRunes)
	}
	return nil
}
