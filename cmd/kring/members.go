package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

func (a *app) membersCommand() *cobra.Command {
	var explainKey string
	cmd := &cobra.Command{
		Use:     "members [--explain KEY]",
		GroupID: "read",
		Short:   "List members and applicants: status, endorsements, open motions, what each still needs",
		Long: `Members lists every key the circle's log knows: members, applicants, lapsed,
suspended, revoked and departed organisations, with their endorsements and
what each still needs, and the motions open about each (votes as "n of
threshold"; kring motions shows them in full). --explain KEY tells the story of one key: the ops
that made its standing (founding, endorsements, admission, suspensions,
revocation), and which of them count; for a member that a fork of its
chain suspends (it signed two ops with one seq, e.g. after a restore from a
backup), both twins, which members' later ops cite each (as far as this
node's log tells), and the vote that lifts it (kring unsuspend KEY --keep OP).
KEY is a full key, a unique prefix of 8+ hex digits, or an organisation name.`,
		Example: `  kring members
  kring members --explain "Example MSP"
  kring members --explain 5363535c --output json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			members, err := cn.c.Members(ctx)
			if err != nil {
				return cn.explain("members", err)
			}
			if explainKey != "" {
				k, err := matchKey(explainKey, members)
				if err != nil {
					return err
				}
				d, err := cn.c.Member(ctx, k.String())
				if err != nil {
					return cn.explain("members --explain", err)
				}
				if a.output == "json" {
					return a.printJSON(d)
				}
				return a.printMemberDetail(d)
			}
			if a.output == "json" {
				return a.printJSON(sortedMembers(members))
			}
			return a.printMembers(sortedMembers(members))
		},
	}
	cmd.Flags().StringVar(&explainKey, "explain", "", "explain one key's standing: key, prefix or organisation name")
	return cmd
}

// standing describes a member's status in a few words.
func standing(m api.MemberInfo) string {
	s := m.Status
	if m.Founder {
		s += " (founder)"
	}
	if m.Suspended {
		s += ", suspended"
	}
	if m.Blocked {
		s += ", blocked here"
	}
	if m.Self {
		s += ", you"
	}
	return s
}

func (a *app) printMembers(members []api.MemberInfo) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tKEY\tSTATUS\tENDORSEMENTS\tOPEN MOTIONS\tNEEDS")
	for _, m := range members {
		endorse := "-"
		if m.Needed > 0 && !m.Founder {
			endorse = fmt.Sprintf("%d/%d", m.Endorsements, m.Needed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", orDash(m.Name), short(m.Key), standing(m), endorse, orDash(motionsBrief(m.Motions)), orDash(m.Needs))
	}
	return tw.Flush()
}

func (a *app) printMemberDetail(d api.MemberDetail) error {
	w := a.stdout
	fmt.Fprintf(w, "%s  %s\n", orDash(d.Name), d.Key)
	fmt.Fprintf(w, "  %s\n", d.Summary)
	fmt.Fprintf(w, "  status: %s\n", standing(d.MemberInfo))
	if d.Needs != "" {
		fmt.Fprintf(w, "  needs: %s\n", d.Needs)
	}
	if d.Fork != nil {
		if k, err := protocol.ParseKey(d.Key); err == nil {
			printFork(w, "  ", memberLabel(d.Name, d.Key), k, d.Fork)
		}
	}
	for _, m := range d.Motions {
		var voters []string
		for _, v := range m.Voters {
			voters = append(voters, memberLabel(v.Name, v.Key))
		}
		fmt.Fprintf(w, "  open motion: %s, %s, opened %s, voted by %s\n", m.Kind, votesOf(m), stamp(m.OpenedAt), strings.Join(voters, ", "))
		fmt.Fprintf(w, "    if enacted: %s; %s\n", m.Effect, m.Next)
	}
	if p := d.Profile; p != nil {
		var parts []string
		for _, f := range [][2]string{{"sector", p.Sector}, {"role", p.Role}, {"contact", p.Contact}} {
			if f[1] != "" {
				parts = append(parts, f[0]+" "+f[1])
			}
		}
		if len(p.Expertise) > 0 {
			parts = append(parts, "expertise "+strings.Join(p.Expertise, ", "))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "  profile: %s\n", strings.Join(parts, "; "))
		}
		for _, c := range p.Claims {
			fmt.Fprintf(w, "  claim %s: %s\n", c.Requirement, c.Statement)
		}
	}
	fmt.Fprintln(w, "History:")
	for _, ev := range d.Events {
		void := ""
		if !ev.Counts {
			void = "  (does not count)"
		}
		fmt.Fprintf(w, "  %s  by %s: %s%s\n", short(ev.Op), memberLabel(ev.AuthorName, ev.Author), ev.What, void)
	}
	return nil
}
