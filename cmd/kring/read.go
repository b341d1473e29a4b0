package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
)

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		GroupID: "read",
		Short:   "Show this node: membership, sync, peers, addresses",
		Example: "  kring status\n  kring status --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return show(a, cmd, "status", (*api.Client).Status, func(st api.Status) error { return printStatus(a.stdout, st) })
		},
	}
}

func printStatus(w io.Writer, st api.Status) error {
	standing := st.Status
	if st.Suspended {
		standing += ", suspended"
	}
	if st.Sharing {
		standing += ", sharing"
	}
	ready := readyText(st)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "organisation\t%s\n", orDash(st.Name))
	fmt.Fprintf(tw, "key\t%s\n", st.Key)
	fmt.Fprintf(tw, "circle\t%s (charter v%d, group %s)\n", st.Circle, st.Charter.Version, short(st.Group))
	fmt.Fprintf(tw, "charter\tadmit=%d suspend=%d revoke=%d change=%d\n", st.Charter.Admit, st.Charter.Suspend, st.Charter.Revoke, st.Charter.Change)
	if st.Application != nil && st.Status == "stranger" {
		standing = "applicant, not yet admitted" // the log here holds none of its endorsements yet
	}
	fmt.Fprintf(tw, "standing\t%s\n", standing)
	if f := st.Fork; f != nil {
		fmt.Fprintf(tw, "FORKED\tat seq %d: %s\n", f.Seq, f.Advice)
		for _, l := range twinLines(&f.ForkInfo, f.Held) {
			fmt.Fprintf(tw, "twin\t%s\n", l)
		}
	}
	printApplicationProgress(tw, st.Application)
	fmt.Fprintf(tw, "node\t%s\n", ready)
	fmt.Fprintf(tw, "log\t%d ops, %d pending, %s\n", st.Ops, st.Pending, backlogText(st))
	if st.DiskLow {
		fmt.Fprintf(tw, "DISK LOW\t%d MiB free, below store.min_free_mib: advisories are deferred, membership ops still come in; free space\n", st.DiskFreeBytes>>20)
	}
	if st.Unsettled == 0 {
		fmt.Fprintf(tw, "settled\tevery op that can settle\n")
	} else {
		fmt.Fprintf(tw, "settled\tall but %d op%s, which wait for the members' acknowledgements\n", st.Unsettled, plural(st.Unsettled))
	}
	if st.NextAck != nil {
		fmt.Fprintf(tw, "acknowledges	next at %s, if it has signed nothing by then and holds new ops\n", st.NextAck.Local().Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "members\t%d (%d sharing)\n", st.Members, st.SharingSet)
	fmt.Fprintf(tw, "peers\t%d connected\n", st.Peers)
	for i, addr := range st.ListenAddrs {
		label := ""
		if i == 0 {
			label = "addresses"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, addr)
	}
	fmt.Fprintf(tw, "version\t%s, up %s\n", st.Version, (time.Duration(st.UptimeSeconds) * time.Second).String())
	if st.Error != "" {
		fmt.Fprintf(tw, "ERROR\t%s\n", st.Error)
	}
	return tw.Flush()
}

// printApplicationProgress prints an applicant's own view of its application:
// endorsements n of k and by whom, what is missing, what happens next.
func printApplicationProgress(w io.Writer, ap *api.ApplicationProgress) {
	if ap == nil {
		return
	}
	if !ap.Known {
		fmt.Fprintf(w, "application\t%s: no member's node has answered yet (%d endorsements needed)\n", short(ap.ID), ap.Needed)
	} else {
		var names []string
		for _, e := range ap.Endorsers {
			names = append(names, memberLabel(e.Name, e.Key))
		}
		by := ""
		if len(names) > 0 {
			by = " by " + strings.Join(names, ", ")
		}
		missing := "none missing"
		if ap.Missing > 0 {
			missing = fmt.Sprintf("%d more needed", ap.Missing)
		}
		fmt.Fprintf(w, "application\t%s: %d of %d endorsements%s; %s\n", short(ap.ID), ap.Endorsements, ap.Needed, by, missing)
	}
	if ap.Problem != "" {
		fmt.Fprintf(w, "problem\t%s\n", ap.Problem)
	}
	fmt.Fprintf(w, "next\t%s\n", ap.Next)
}

// readyText says whether this node may publish: ready; waiting only for
// syncs, which a publish starts and waits for; or unable to, for a reason
// the standing line shows.
func readyText(st api.Status) string {
	switch {
	case st.Ready && st.Sync != nil:
		return "ready (synced with " + syncCount(st.Sync) + ")"
	case st.Ready:
		return "ready to publish"
	case strings.HasPrefix(st.NotReady, secondSigner):
		return "STOPPED SIGNING: " + st.NotReady
	case st.Sharing && (strings.HasPrefix(st.NotReady, noMember) || strings.HasPrefix(st.NotReady, ownBehind)):
		return "cannot publish: " + st.NotReady
	case st.Sharing:
		return "publishing waits for a sync: " + st.NotReady + " (kring publish starts the syncs and waits for them)"
	}
	return "cannot publish: not in the circle's sharing set"
}

// The reasons the node gives for not publishing that no wait for syncs
// mends by itself (node.ErrNoMemberReachable, node.ErrOwnChainBehind).
var (
	noMember  = strings.TrimPrefix(node.ErrNoMemberReachable.Error(), "node: ")
	ownBehind = strings.TrimPrefix(node.ErrOwnChainBehind.Error(), "node: ")
	// secondSigner stands until a restart (node.ErrSecondSigner).
	secondSigner = strings.TrimPrefix(node.ErrSecondSigner.Error(), "node: ")
)

// syncCount says how many members the node synced with, of how many,
// and how many it cannot reach: "1 of 4 members; 3 unreachable".
func syncCount(si *api.SyncInfo) string {
	s := fmt.Sprintf("%d of %d member%s", len(si.SyncedWith), si.Members, plural(si.Members))
	if si.Unreachable > 0 {
		s += fmt.Sprintf("; %d unreachable", si.Unreachable)
	}
	return s
}

// syncedText names the members the node synced with before it signed:
// "1 of 4 members: Org B (5363535c2100); 3 unreachable".
func syncedText(si *api.SyncInfo) string {
	var names []string
	for _, m := range si.SyncedWith {
		names = append(names, memberLabel(m.Name, m.Key))
	}
	s := fmt.Sprintf("%d of %d member%s", len(si.SyncedWith), si.Members, plural(si.Members))
	if len(names) > 0 {
		s += ": " + strings.Join(names, ", ")
	}
	if si.Unreachable > 0 {
		s += fmt.Sprintf("; %d unreachable", si.Unreachable)
	}
	return s
}

// backlogText says how many ops the node knows it lacks, or that it
// cannot know before its first sync.
func backlogText(st api.Status) string {
	if !st.BacklogKnown {
		return "backlog unknown until a first sync begins"
	}
	return fmt.Sprintf("backlog %d", st.Backlog)
}

func (a *app) peersCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "peers",
		GroupID: "read",
		Short:   "List the connected peers and how this node treats them",
		Example: "  kring peers\n  kring peers -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return show(a, cmd, "peers", (*api.Client).Peers, a.printPeers)
		},
	}
}

func (a *app) printPeers(peers []api.Peer) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tKEY\tSTANDING\tSTATUS\tADDRESS")
	for _, p := range peers {
		addr := ""
		if len(p.Addrs) > 0 {
			addr = p.Addrs[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", orDash(p.Name), short(p.Key), p.Standing, orDash(p.Status), addr)
	}
	return tw.Flush()
}

func (a *app) blocksCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "blocks",
		GroupID: "read",
		Short:   "List this node's local blocks",
		Example: "  kring blocks",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return show(a, cmd, "blocks", (*api.Client).Blocks, a.printBlocks)
		},
	}
}

func (a *app) printBlocks(blocks []api.BlockInfo) error {
	if len(blocks) == 0 {
		_, err := fmt.Fprintln(a.stdout, "No blocks: this node blocks no one (kring block KEY --reason TEXT adds one).")
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tKEY\tSINCE\tREASON")
	for _, b := range blocks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", orDash(b.Name), short(b.Key), b.Since.Format(time.RFC3339), b.Reason)
	}
	return tw.Flush()
}

// short returns the first 12 digits of a hex key or hash.
func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
