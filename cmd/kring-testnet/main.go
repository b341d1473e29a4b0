package main

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run carries out one invocation and returns the exit status. Errors are
// printed as one line on stderr; no usage dump, no stack trace.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	h := &harness{stdout: stdout, stderr: stderr}
	return cli.Execute(ctx, h.rootCommand(), args, stdin, stdout, stderr)
}

// harness holds the streams the commands write to.
type harness struct {
	stdout, stderr io.Writer
}

func (h *harness) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "kring-testnet",
		Short: "Kring's test harness: a whole circle on this machine, for the demo and the benchmarks",
		Long: `kring-testnet runs whole Kring circles of real nodes on this machine, on
loopback: the narrated demo and the benchmarks. It is the harness beside
kring, the member's binary; a member organisation does not need it.

Errors are one line on stderr. Exit status:
  0  success
  1  the demo or the benchmark failed (the failing step is named)
  2  usage error: fix the command line`,
		Example: "  kring-testnet demo\n  kring-testnet bench --out bench-results --quick",
		Version: version,
	}
	cli.Prepare(root)
	root.SetVersionTemplate("kring-testnet {{.Version}}\n")
	root.AddCommand(h.demoCommand(), h.benchCommand())
	return root
}
