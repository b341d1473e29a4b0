package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// needKeep refuses an unsuspend without --keep of a member that a fork of
// its chain suspends, after describing the fork (printFork): only a lift
// naming the twin to keep restores it (docs/membership.md §4.4), and which
// branch to keep is the members' choice, never the node's.
func (a *app) needKeep(ctx context.Context, cn *conn, k protocol.Key, who string) error {
	m, err := cn.c.Member(ctx, k.String())
	if err != nil {
		return cn.explain("unsuspend", err)
	}
	if m.Fork == nil {
		return nil
	}
	printFork(a.promptWriter(), "", who, k, m.Fork)
	return usageErrorf("unsuspend: %s forked its chain at seq %d: nothing signed; run again with --keep OP, OP one of the twins above (its ID or a unique prefix)", who, m.Fork.Seq)
}

// printFork describes the fork f that suspends who (key k), each line
// after indent: the twins (twinLines), how this node tells who holds
// which, and the vote that lifts it. kring unsuspend without --keep and
// kring members --explain print it.
func printFork(w io.Writer, indent, who string, k protocol.Key, f *api.ForkInfo) {
	fmt.Fprintf(w, "%s%s signed %d ops at seq %d. The fork suspends it until a lift names the twin to keep:\n", indent, who, len(f.Twins), f.Seq)
	for _, l := range twinLines(f, "") {
		fmt.Fprintf(w, "%s  %s\n", indent, l)
	}
	if f.HoldersKnown {
		fmt.Fprintf(w, "%sWho holds which, as this node's log tells: a member holds a twin when one of its later ops cites it, directly or through other ops; a member that has signed nothing since is not listed.\n", indent)
	}
	fmt.Fprintf(w, "%sTo lift it, %d members vote: kring unsuspend %s --keep OP, OP one of the twins (its ID or a unique prefix).\n", indent, f.Votes, k.Short())
	fmt.Fprintf(w, "%sThe kept twin's branch counts again, the other's stays void. Ask the member which branch its node continues.\n", indent)
}

// twinLines describes each twin of fork f on a line: ID, seq, what it is,
// when it was signed, what it cites, and who holds it when that is known;
// held marks the twin this node's own chain continues from.
func twinLines(f *api.ForkInfo, held string) []string {
	var out []string
	for _, t := range f.Twins {
		var preds []string
		for _, p := range t.Preds {
			preds = append(preds, short(p))
		}
		l := fmt.Sprintf("%s  seq %d  %s, signed %s, cites %s", t.ID, t.Seq, t.What, stamp(t.Published), strings.Join(preds, " "))
		if held != "" && t.ID == held {
			l += "; this node's chain continues from it"
		}
		if f.HoldersKnown {
			var names []string
			for _, h := range t.HeldBy {
				names = append(names, memberLabel(h.Name, h.Key))
			}
			if len(names) == 0 {
				l += "; no member's later op cites it yet"
			} else {
				l += "; held by " + strings.Join(names, ", ")
			}
		}
		out = append(out, l)
	}
	return out
}
