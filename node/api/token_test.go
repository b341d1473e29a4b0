package api_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kring-circle/kring/node/api"
)

// TestCheckToken: kring init's 64 hex digits and base64 secrets pass;
// short, repetitive, or non-token characters are ErrWeakToken.
func TestCheckToken(t *testing.T) {
	for _, tok := range []string{
		"3f9c0a7be1d24c6f8a5b9e0d7c1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b",
		"q3V8kZ1xR7mN2pL5tY9wB4cF6hJ0sD3g", // 32 base64url characters
		"q3V8kZ1xR7mN2pL5tY9wB4cF6hJ0sD3gA+/==",
	} {
		if err := api.CheckToken(tok); err != nil {
			t.Errorf("CheckToken(%q) = %v, want nil", tok, err)
		}
	}
	for _, tok := range []string{
		"", "x", "secret", "0123456789abcdef-test-token", // short
		strings.Repeat("a", 64), strings.Repeat("password", 4), // few distinct characters
		"q3V8kZ1xR7mN2pL5 tY9wB4cF6hJ0sD3g", "q3V8kZ1xR7mN2pL5tY9wB4cF6hJ0sD3g\"", // not bearer-token characters
		"q3V8kZ1xR7mN2pL5=tY9wB4cF6hJ0sD3g", // = only at the end
	} {
		if err := api.CheckToken(tok); !errors.Is(err, api.ErrWeakToken) {
			t.Errorf("CheckToken(%q) = %v, want ErrWeakToken", tok, err)
		}
	}
}
