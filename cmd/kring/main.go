package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run carries out one invocation and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "kring %s\n", version)
		return 0
	}
	fmt.Fprintf(stderr, "kring: %q is not available yet: the daemon and the CLI arrive with a later issue.\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: kring version

This build of kring is a placeholder: it only prints its version.
The daemon (kring run), the CLI verbs and kring testnet arrive with later issues.
`)
}
