package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

func (a *app) disavowCommand() *cobra.Command {
	var from uint64
	var yes bool
	cmd := &cobra.Command{
		Use:     "disavow KEY --from-seq N",
		GroupID: "act",
		Short:   "Vote to disavow a stolen key's ops from a seq on (shows what it would lapse first)",
		Long: `Disavow publishes your vote that KEY's ops from seq N on were signed by a
thief of its key. It is the one way to reach ops the circle has already
settled: once the charter's c′ members have voted, a voter's node enacts
it, KEY is removed, its ops from seq N on count for nothing, and every
member admitted on the strength of them lapses (other members'
acknowledgements stand).

Before anything is signed, disavow shows what the disavowal would do if it
were enacted on this node's log now: how many of KEY's ops it reaches, the
members that would lapse, and how many ops that count today (advisories
among them) would be void. It then asks; --yes votes without the question,
and is needed when stdin is not a terminal. If the key's owner still holds
it, the owner should publish kring leave first: its own ops then stop
counting from its Leave on, and n no longer includes it.

KEY is a full key, a unique prefix of 8+ hex digits, or an organisation name.
N is the first seq the thief signed: kring members --explain KEY lists the
key's ops.`,
		Example: `  kring disavow "Example MSP" --from-seq 42
  kring disavow 5363535c21006ca3 --from-seq 42 --yes`,
		Args: exactArgs(1, "KEY ("+keyArgHelp+")"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == 0 {
				return usageErrorf("disavow needs --from-seq N: the first of the key's seqs signed by the thief, 1 or more")
			}
			return a.withKey(cmd, args[0], "disavow", false, yes, func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				p, err := cn.c.PreviewDisavow(ctx, k.String(), from)
				if err != nil {
					return cn.explain("disavow", err)
				}
				w := a.promptWriter()
				printPreview(w, p, who)
				if !yes && !a.stdinIsTerminal() {
					return usageErrorf("disavow: nothing signed, as stdin is not a terminal to confirm on; run again with --yes to vote")
				}
				if err := a.confirm(yes, "disavow", fmt.Sprintf("Vote to disavow %s's ops from seq %d on?", who, from)); err != nil {
					return err
				}
				op, err := cn.c.Vote(ctx, api.VoteRequest{Motion: "disavow", Target: k.String(), From: from})
				if err != nil {
					return cn.explain("disavow", err)
				}
				if a.output == "json" {
					return a.printJSON(op)
				}
				_, err = fmt.Fprintf(a.stdout, "Voted to disavow %s from seq %d: vote %s (motion %s). It is enacted once %d members have voted (c′).\n",
					who, from, short(op.ID), short(op.MotionID), p.Needed)
				return err
			})
		},
	}
	cmd.Flags().Uint64Var(&from, "from-seq", 0, "the first of the key's seqs signed by the thief (required)")
	cmd.Flags().BoolVar(&yes, "yes", false, "vote without asking (needed when stdin is not a terminal)")
	return cmd
}

// printPreview says what a disavowal of who's ops would do.
func printPreview(w io.Writer, p api.DisavowPreview, who string) {
	fmt.Fprintf(w, "Disavowing %s's ops from seq %d on, if enacted now:\n", who, p.From)
	switch {
	case p.TargetOps == 0:
		fmt.Fprintf(w, "  reaches none of its ops yet: this node's log holds its seqs up to %d\n", p.TargetTip)
	default:
		fmt.Fprintf(w, "  reaches %d of its op%s (seq %d to %d in this node's log), %d of them counting today\n",
			p.TargetOps, plural(p.TargetOps), p.From, p.TargetTip, p.TargetCounting)
	}
	for _, c := range p.Changes {
		if c.Key == p.Target {
			fmt.Fprintf(w, "  %s: %s -> %s\n", memberLabel(c.Name, c.Key), c.Before, c.After)
		}
	}
	if len(p.Lapses) == 0 {
		fmt.Fprintln(w, "  lapses no member")
	} else {
		var names []string
		for _, m := range p.Lapses {
			names = append(names, memberLabel(m.Name, m.Key))
		}
		fmt.Fprintf(w, "  lapses %d member%s: %s\n", len(p.Lapses), plural(len(p.Lapses)), strings.Join(names, ", "))
	}
	for _, c := range p.Changes {
		if c.Key != p.Target && !(c.Before == "member" && c.After == "lapsed") {
			fmt.Fprintf(w, "  %s: %s -> %s\n", memberLabel(c.Name, c.Key), statusWith(c.Before, c.SuspendedBefore), statusWith(c.After, c.SuspendedAfter))
		}
	}
	counts := "count"
	if p.Voided == 1 {
		counts = "counts"
	}
	adv := "advisories"
	if p.VoidedAdvisories == 1 {
		adv = "advisory"
	}
	fmt.Fprintf(w, "  voids %d op%s that %s today (%d %s)\n", p.Voided, plural(p.Voided), counts, p.VoidedAdvisories, adv)
	fmt.Fprintf(w, "It needs %d votes (c′): %d cast", p.Needed, p.Votes)
	if p.Voted {
		fmt.Fprint(w, ", yours among them")
	}
	fmt.Fprintln(w, ".")
	if !p.Applies {
		fmt.Fprintf(w, "It could not be enacted now: %s.\n", p.Why)
	}
}

// statusWith renders a status with its suspension.
func statusWith(status string, suspended bool) string {
	if suspended {
		return status + " (suspended)"
	}
	return status
}
