package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/internal/cli"
	"github.com/kring-circle/kring/testnet"
	"github.com/kring-circle/kring/testnet/bench"
)

// demoCommand is `kring-testnet demo`: testnet.Demo, narrated on stdout.
func (h *harness) demoCommand() *cobra.Command {
	var dir, logLevel string
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Tell the story of a seven-node circle on loopback, with measured times",
		Long: `Demo starts a seven-node circle on loopback with embedded stores (in a
temporary directory, or --dir) and narrates it as a timeline: five founders
co-sign a genesis; an applicant gets three endorsements and is admitted;
advisories at every TLP level flow; a member breaches trust and is blocked,
suspended and revoked; the initiator leaves and the circle goes on. It exits
0 when every step succeeded, 1 with the failing step otherwise.`,
		Example: "  kring-testnet demo\n  kring-testnet demo --dir /tmp/kring-demo --log-level debug 2> nodes.log",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var logger *slog.Logger
			if logLevel != "" {
				l, err := cli.NewLogger(h.stderr, "text", logLevel)
				if err != nil {
					return cli.UsageErrorf("--log-level: %v", err)
				}
				logger = l
			}
			ctx, stop := cli.Interruptible(cmd.Context())
			defer stop()
			if err := testnet.Demo(ctx, testnet.DemoOptions{Dir: dir, Out: h.stdout, Logger: logger}); err != nil {
				return cli.Failuref("demo: %v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "keep the nodes' stores in DIR (empty or new); default a temporary directory")
	cmd.Flags().StringVar(&logLevel, "log-level", "", "write the nodes' logs to stderr at this level (default: none)")
	return cmd
}

// benchCommand is `kring-testnet bench`: bench.Run, its report in --out.
func (h *harness) benchCommand() *cobra.Command {
	var out, cpuProfile string
	var quick, quiet bool
	cmd := &cobra.Command{
		Use:   "bench --out DIR [--quick]",
		Short: "Measure propagation, admission, revocation and catch-up; write a report with charts",
		Long: `Bench runs circles on loopback and measures how fast advisories propagate,
how long admission and revocation take, and how fast a node catches up;
it writes the report, raw results and charts into --out. --quick runs a
reduced set in about three minutes.`,
		Example: "  kring-testnet bench --out bench-results --quick",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return cli.UsageErrorf("bench needs --out DIR: where the report goes")
			}
			var progress io.Writer = h.stdout
			if quiet {
				progress = nil
			}
			if cpuProfile != "" {
				stopProfile, err := startCPUProfile(cpuProfile)
				if err != nil {
					return cli.Failuref("bench: %v", err)
				}
				defer stopProfile()
			}
			ctx, stop := cli.Interruptible(cmd.Context())
			defer stop()
			if err := bench.Run(ctx, bench.Options{Out: out, Quick: quick, Progress: progress}); err != nil {
				return cli.Failuref("bench: %v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the report's directory (created if missing)")
	cmd.Flags().BoolVar(&quick, "quick", false, "the reduced set, in about three minutes")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress lines")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the whole run to FILE (the in-process nodes and baselines)")
	return cmd
}
