package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kring-circle/kring/protocol"
)

// needKeep refuses an unsuspend without --keep of a member that a fork of
// its chain suspends, after listing the twins: only a lift naming the twin
// to keep restores it (docs/membership.md §4.4), and which branch to keep
// is the members' choice, never the node's.
func (a *app) needKeep(ctx context.Context, cn *conn, k protocol.Key, who string) error {
	m, err := cn.c.Member(ctx, k.String())
	if err != nil {
		return cn.explain("unsuspend", err)
	}
	if m.Fork == nil {
		return nil
	}
	w := a.promptWriter()
	fmt.Fprintf(w, "%s signed %d ops at seq %d. The fork suspends it until a lift names the twin to keep:\n", who, len(m.Fork.Twins), m.Fork.Seq)
	for _, t := range m.Fork.Twins {
		var preds []string
		for _, p := range t.Preds {
			preds = append(preds, short(p))
		}
		fmt.Fprintf(w, "  %s  seq %d  %s, signed %s, cites %s\n", t.ID, t.Seq, t.What, stamp(t.Published), strings.Join(preds, " "))
	}
	fmt.Fprintln(w, "The kept twin's branch counts again, the other's stays void. Ask the member which branch its node continues.")
	return usageErrorf("unsuspend: %s forked its chain at seq %d: nothing signed; run again with --keep OP, OP one of the twins above (its ID or a unique prefix)", who, m.Fork.Seq)
}
