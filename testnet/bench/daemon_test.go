package bench

import (
	"os"
	"path/filepath"
	"testing"
)

// The footprint scenario runs the kring that `make build` left beside
// kring-testnet in bin/, and only a regular file of that name: without
// one it builds ./cmd/kring.
func TestKringBeside(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "kring-testnet")
	if bin, ok := kringBeside(exe); ok {
		t.Fatalf("an empty bin/: kringBeside = %q, want none", bin)
	}
	if err := os.Mkdir(filepath.Join(dir, "kring"), 0o755); err != nil {
		t.Fatal(err)
	}
	if bin, ok := kringBeside(exe); ok {
		t.Fatalf("a directory named kring: kringBeside = %q, want none", bin)
	}
	other := t.TempDir()
	want := filepath.Join(other, "kring")
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if bin, ok := kringBeside(filepath.Join(other, "kring-testnet")); !ok || bin != want {
		t.Fatalf("kringBeside = %q, %v; want %q", bin, ok, want)
	}
}
