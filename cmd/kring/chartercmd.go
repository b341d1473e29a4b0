package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

func (a *app) charterCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "charter",
		GroupID: "act",
		Short:   "Show the charter in force; propose a new one and vote for proposals",
		Long: `The charter is the circle's constitution: its thresholds (admit, suspend,
revoke, change), the acknowledgement interval, the membership requirements,
the TLP policy, the meeting cadence and the topics. A member proposes the
whole next version as a charter.toml; the other members vote for it, and the
daemons that voted enact it as soon as c' members have: every node then
runs it.`,
		Example: `  kring charter show
  kring charter show --toml > charter.toml   # edit it, then:
  kring charter propose charter.toml
  kring charter vote 3fa2c1d0`,
		Args: noArgs,
	}
	cmd.AddCommand(a.charterShowCommand(), a.charterProposeCommand(), a.charterVoteCommand())
	return cmd
}

func (a *app) charterShowCommand() *cobra.Command {
	var asTOML bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the charter in force, what its thresholds mean today, and the open motions to change it",
		Long: `Show prints the charter in force (every field, and the op that put it in
force), what each threshold means for the circle's members today with the
floors applied (k', s', r', c' and the settle quorum q), what the circle
cannot do at its size, and the open charter motions with their votes as
"n of c'". --toml prints the charter in force as a charter.toml to edit and
pass to kring charter propose. --output json prints the API's JSON.`,
		Example: "  kring charter show\n  kring charter show -o json\n  kring charter show --toml > charter.toml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return show(a, cmd, "charter", (*api.Client).Charter, func(v api.CharterView) error {
				if asTOML {
					b, err := renderCharterTOML(v.Charter.Charter())
					if err != nil {
						return failuref("charter show: %v", err)
					}
					_, err = a.stdout.Write(b)
					return err
				}
				return printCharterView(a.stdout, v)
			})
		},
	}
	cmd.Flags().BoolVar(&asTOML, "toml", false, "print the charter in force as a charter.toml to edit and propose")
	return cmd
}

// printCharterView describes the charter in force and the motions to
// change it.
func printCharterView(w io.Writer, v api.CharterView) error {
	c := v.Charter
	fmt.Fprintf(w, "Charter %q, version %d\n", c.Name, c.Version)
	by := "the genesis"
	if c.Version > 1 {
		by = "the enactment of version " + fmt.Sprint(c.Version)
		if v.EpochAuthor != "" {
			by += " by " + memberLabel(v.EpochAuthorName, v.EpochAuthor)
		}
	}
	since := ""
	if !v.InForceSince.IsZero() {
		since = ", " + v.InForceSince.Format(time.RFC3339)
	}
	fmt.Fprintf(w, "  in force since %s (epoch op %s%s)\n", by, short(v.Epoch), since)
	if p := v.Pending; p != nil {
		fmt.Fprintf(w, "  version %d enacted (motion %s): in force once the members' acknowledgements settle it\n", p.Charter.Version, short(p.ID))
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  admit\t%d\tendorsements to admit an applicant\n", c.Admit)
	fmt.Fprintf(tw, "  suspend\t%d\tvotes to suspend a member\n", c.Suspend)
	fmt.Fprintf(tw, "  revoke\t%d\tvotes to revoke a member, or to lift a suspension\n", c.Revoke)
	fmt.Fprintf(tw, "  change\t%s\tvotes to change the charter\n", changeText(c.Change))
	fmt.Fprintf(tw, "  ack_interval\t%s\ta node that has signed nothing for this long signs an acknowledgement\n", formatSeconds(c.AckIntervalSeconds))
	fmt.Fprintf(tw, "  cadence\t%s\n", orDash(c.Cadence))
	fmt.Fprintf(tw, "  tlp_policy\t%s\n", orDash(oneLineText(c.TLPPolicy)))
	if len(c.Requirements) == 0 {
		fmt.Fprintf(tw, "  requirements\t-\n")
	}
	for i, r := range c.Requirements {
		label := ""
		if i == 0 {
			label = "requirements"
		}
		fmt.Fprintf(tw, "  %s\t%s: %s\n", label, r.ID, oneLineText(r.Text))
	}
	fmt.Fprintf(tw, "  topics\t%s\n", orDash(strings.Join(c.Topics, "; ")))
	if err := tw.Flush(); err != nil {
		return err
	}

	t := v.Thresholds
	fmt.Fprintf(w, "\nToday, with %d member%s (the floors applied):\n", t.Members, plural(t.Members))
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "  k′ = %d\t%s\n", t.Admit, votes(t.Admit, "endorsement admits an applicant", "endorsements admit an applicant"))
	fmt.Fprintf(tw, "  s′ = %d\t%s\n", t.Suspend, "members' votes suspend a member")
	fmt.Fprintf(tw, "  r′ = %d\t%s\n", t.Revoke, "members' votes revoke a member, or lift a suspension")
	fmt.Fprintf(tw, "  c′ = %d\t%s\n", t.Change, votes(t.Change, "member's vote changes the charter", "members' votes change the charter"))
	fmt.Fprintf(tw, "  q  = %d\t%s (the rules hold while fewer than f = %d members are hostile)\n", t.Settle,
		votes(t.Settle, "member's acknowledgement settles an op", "members' acknowledgements settle an op"), t.Hostile)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Limits) > 0 {
		fmt.Fprintln(w, "At this size:")
		for _, l := range v.Limits {
			fmt.Fprintf(w, "  - %s\n", l)
		}
	}

	if len(v.Motions) == 0 {
		_, err := fmt.Fprintln(w, "\nNo open charter motion: propose one with `kring charter propose FILE`.")
		return err
	}
	fmt.Fprintln(w, "\nOpen charter motions:")
	inForce := c.Charter()
	for _, m := range v.Motions {
		var names []string
		for _, vt := range m.Voters {
			names = append(names, memberLabel(vt.Name, vt.Key))
		}
		you := "you have not voted: kring charter vote " + short(m.ID)
		if m.Voted {
			you = "you voted for it"
		}
		fmt.Fprintf(w, "  %s  version %d  %d of %d votes (%s); %s\n", short(m.ID), m.Charter.Version, m.Votes, m.Needed, strings.Join(names, ", "), you)
		lines := charterDiff(inForce, m.Charter.Charter())
		if len(lines) == 0 {
			lines = []string{"  nothing changes but the version"}
		}
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	return nil
}

func votes(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (a *app) charterProposeCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "propose FILE",
		Short: "Propose a new charter: show it as a diff against the one in force, then sign a vote for it",
		Long: `Propose reads FILE, the whole new charter as a charter.toml (the keys of
kring genesis template; kring charter show --toml prints the one in force to
start from). version may be left out: it is the version in force + 1, and
any other version is refused. Propose prints what changes against the
charter in force, field by field, and asks before anything is signed
(--yes skips the question); then the daemon signs your vote for the
Charter motion that carries it. It prints the motion's ID: the other
members vote for it with kring charter vote ID, and the daemons enact it
once c' members have voted.`,
		Example: `  kring charter show --toml > charter.toml
  kring charter propose charter.toml
  kring charter propose charter.toml --yes`,
		Args: exactArgs(1, "FILE (the new charter as TOML)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return usageErrorf("charter propose: %v: write the new charter with `kring charter show --toml > charter.toml` and edit it", err)
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			v, err := cn.c.Charter(ctx)
			if err != nil {
				return cn.explain("charter propose", err)
			}
			inForce := v.Charter.Charter()
			var pending uint64
			if v.Pending != nil {
				pending = v.Pending.Charter.Version
			}
			next, old, err := parseProposalAfter(b, inForce, pending)
			if err != nil {
				return usageErrorf("charter %s: %v", args[0], err)
			}
			warnOldNames(a.stderr, args[0], old)
			diff := charterDiff(inForce, next)
			if len(diff) == 0 {
				return usageErrorf("charter %s changes nothing in the charter in force (version %d): edit it first", args[0], inForce.Version)
			}
			id := (&protocol.Motion{Kind: protocol.MotionCharter, Charter: &next}).Hash().String()
			votes := 1
			w := a.promptWriter()
			fmt.Fprintf(w, "Proposing charter version %d (in force: version %d):\n", next.Version, inForce.Version)
			writeDiff(w, diff)
			for _, m := range v.Motions {
				if m.ID == id {
					if m.Voted {
						return usageErrorf("charter propose: you already voted for this charter: it is open motion %s with %d of %d votes", short(id), m.Votes, m.Needed)
					}
					fmt.Fprintf(w, "This is the charter of open motion %s (%d of %d votes): your vote joins it.\n", short(id), m.Votes, m.Needed)
					votes = m.Votes + 1
				}
			}
			if err := a.confirm(yes, "charter propose", fmt.Sprintf("Sign your vote for charter version %d?", next.Version)); err != nil {
				return err
			}
			op, err := cn.c.ProposeCharter(ctx, api.CharterDocOf(next))
			if err != nil {
				return cn.explain("charter propose", err)
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			fmt.Fprintf(a.stdout, "Proposed charter version %d: motion %s, %d of %d votes (c′).\n", next.Version, short(op.MotionID), votes, v.Thresholds.Change)
			return a.charterNext(op.MotionID, votes, v.Thresholds.Change)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "sign without asking")
	return cmd
}

func (a *app) charterVoteCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "vote ID",
		Short: "Vote for an open charter motion, after seeing what it changes",
		Long: `Vote finds the open charter motion ID (its full ID, or a unique prefix of
8+ hex digits, as kring charter show lists them), prints what it changes
against the charter in force, asks before anything is signed (--yes skips
the question), and has the daemon sign your vote. The daemons that voted
enact it once c' members have.`,
		Example: "  kring charter vote 3fa2c1d0\n  kring charter vote 3fa2c1d09b7e --yes",
		Args:    exactArgs(1, "ID (a charter motion's ID, or a unique prefix of 8+ hex digits)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			v, err := cn.c.Charter(ctx)
			if err != nil {
				return cn.explain("charter vote", err)
			}
			m, err := matchMotion(args[0], v.Motions)
			if err != nil {
				return err
			}
			if m.Voted {
				return usageErrorf("charter vote: you already voted for motion %s (%d of %d votes)", short(m.ID), m.Votes, m.Needed)
			}
			w := a.promptWriter()
			fmt.Fprintf(w, "Motion %s: charter version %d (in force: version %d), %d of %d votes:\n", short(m.ID), m.Charter.Version, v.Charter.Version, m.Votes, m.Needed)
			writeDiff(w, charterDiff(v.Charter.Charter(), m.Charter.Charter()))
			if err := a.confirm(yes, "charter vote", fmt.Sprintf("Sign your vote for charter version %d?", m.Charter.Version)); err != nil {
				return err
			}
			op, err := cn.c.VoteCharter(ctx, m.ID)
			if err != nil {
				return cn.explain("charter vote", err)
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			fmt.Fprintf(a.stdout, "Voted for charter version %d: motion %s, %d of %d votes (c′).\n", m.Charter.Version, short(m.ID), m.Votes+1, m.Needed)
			return a.charterNext(m.ID, m.Votes+1, m.Needed)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "sign without asking")
	return cmd
}

// charterNext says what happens to a charter motion after a vote.
func (a *app) charterNext(id string, votes, needed int) error {
	var err error
	if votes >= needed {
		_, err = fmt.Fprintln(a.stdout, "That is enough: the daemons that voted enact it now, and every node then runs it (`kring charter show`).")
	} else {
		_, err = fmt.Fprintf(a.stdout, "It needs %d more: the other members vote with `kring charter vote %s`.\n", needed-votes, short(id))
	}
	return err
}

// matchMotion finds the open charter motion an ID or a unique prefix of
// 8+ hex digits names.
func matchMotion(arg string, motions []api.CharterMotion) (api.CharterMotion, error) {
	s := strings.ToLower(strings.TrimSpace(arg))
	if len(s) < minPrefix || !isHex(s) {
		return api.CharterMotion{}, usageErrorf("motion %q: give its ID or a prefix of at least %d hex digits (`kring charter show` lists the open motions)", arg, minPrefix)
	}
	var found []api.CharterMotion
	for _, m := range motions {
		if strings.HasPrefix(m.ID, s) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return api.CharterMotion{}, usageErrorf("no open charter motion %q: it was enacted, another change came first, or nobody proposed it (`kring charter show` lists the open ones)", arg)
	case 1:
		return found[0], nil
	}
	return api.CharterMotion{}, usageErrorf("motion prefix %q matches %d open motions: give more of the ID", arg, len(found))
}

// writeDiff prints a charter diff, or that nothing but the version changes.
func writeDiff(w io.Writer, lines []string) {
	if len(lines) == 0 {
		fmt.Fprintln(w, "  nothing changes but the version")
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// promptWriter is where a verb that asks before signing shows what it
// would sign: stdout, or stderr when stdout carries JSON.
func (a *app) promptWriter() io.Writer {
	if a.output == "json" {
		return a.stderr
	}
	return a.stdout
}

// confirm asks question on the prompt writer and reads the answer from
// stdin, unless yes is set. Only "y" or "yes" goes on.
func (a *app) confirm(yes bool, verb, question string) error {
	if yes {
		return nil
	}
	w := a.promptWriter()
	fmt.Fprintf(w, "%s [y/N] ", question)
	answer, err := bufio.NewReader(a.stdin).ReadString('\n')
	if errors.Is(err, io.EOF) && strings.TrimSpace(answer) == "" {
		fmt.Fprintln(w)
		return usageErrorf("%s: no answer on stdin: nothing signed; pass --yes to sign without the question", verb)
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return failuref("%s: nothing signed (you answered %q)", verb, strings.TrimSpace(answer))
}
