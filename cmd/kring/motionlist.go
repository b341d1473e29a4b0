package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
)

func (a *app) motionsCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "motions",
		GroupID: "read",
		Short:   "List the decisions in progress: votes as n of threshold, who voted, what enacting would do",
		Long: `Motions lists every decision in progress, the oldest first: each admit,
suspend, unsuspend, revoke, charter and disavow motion that has counting
votes and no enactment yet, and a charter change enacted that waits to
settle. For each: its votes as "n of threshold" (the charter's threshold
today, floors applied), who voted and when, when it opened, what enacting
it would do, and what it waits for. --output json prints the API's JSON.`,
		Example: "  kring motions\n  kring motions -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return show(a, cmd, "motions", (*api.Client).Motions, func(ms []api.MotionInfo) error {
				return printMotions(a.stdout, ms)
			})
		},
	}
}

// printMotions describes each motion in a short block.
func printMotions(w io.Writer, ms []api.MotionInfo) error {
	if len(ms) == 0 {
		_, err := fmt.Fprintln(w, "No motions in progress: no votes wait for an enactment.")
		return err
	}
	for i, m := range ms {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s: %s, opened %s\n", m.Kind, motionSubject(m), votesOf(m), stamp(m.OpenedAt))
		for _, v := range m.Voters {
			note := ""
			if v.AwaitsSettlement {
				note = "  (counts, not yet settled)"
			}
			fmt.Fprintf(w, "  voted  %s at %s%s\n", memberLabel(v.Name, v.Key), stamp(v.At), note)
		}
		fmt.Fprintf(w, "  effect %s\n", m.Effect)
		next := m.Next
		if m.State == api.MotionOpen {
			if how := howToVote(m); how != "" && !m.Voted {
				next += " (to vote: " + how + ")"
			}
		}
		fmt.Fprintf(w, "  next   %s\n", next)
		fmt.Fprintf(w, "  motion %s\n", m.ID)
	}
	return nil
}

// votesOf renders a motion's count, "1 of 2 votes", and says whether this
// organisation voted.
func votesOf(m api.MotionInfo) string {
	noun := "votes"
	if m.Kind == "admit" {
		noun = "endorsements"
	}
	s := fmt.Sprintf("%d of %d %s", m.Votes, m.Needed, noun)
	if m.State == api.MotionSettling {
		s += ", enacted, waits to settle"
	}
	if m.Voted {
		s += " (you voted)"
	}
	return s
}

// motionSubject names what a motion is about: the organisation and short
// key, or the charter version.
func motionSubject(m api.MotionInfo) string {
	if m.Subject != "" {
		return memberLabel(m.SubjectName, m.Subject)
	}
	if m.Charter != nil {
		return fmt.Sprintf("v%d", m.Charter.Version)
	}
	return "-"
}

// howToVote is the command that adds this organisation's vote.
func howToVote(m api.MotionInfo) string {
	switch m.Kind {
	case "unsuspend":
		if m.Keep != "" {
			return fmt.Sprintf("kring unsuspend %s --keep %s", short(m.Subject), short(m.Keep))
		}
		return "kring unsuspend " + short(m.Subject)
	case "suspend", "revoke":
		return fmt.Sprintf("kring %s %s", m.Kind, short(m.Subject))
	case "disavow":
		return fmt.Sprintf("kring disavow %s --from-seq %d", short(m.Subject), m.From)
	case "charter":
		return "kring charter vote " + m.ID
	case "admit":
		return "kring endorse APPLICATION --evidence …"
	}
	return ""
}

// stamp renders a time in UTC to the second; a zero time is "-".
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// motionsBrief renders a member's open motions in a few words, e.g.
// "suspend 1 of 2, revoke 1 of 2"; admissions are left out (the
// endorsements column counts them).
func motionsBrief(ms []api.MotionInfo) string {
	var parts []string
	for _, m := range ms {
		if m.Kind == "admit" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d of %d", m.Kind, m.Votes, m.Needed))
	}
	return strings.Join(parts, ", ")
}
