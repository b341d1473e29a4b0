package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
)

func (a *app) ackCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "ack",
		GroupID: "act",
		Short:   "Acknowledge now every op the node holds, so decisions settle sooner",
		Long: `Ack has the daemon sign an acknowledgement now: it tells the circle that this
organisation has seen every op its node holds. A decision (a charter change,
an admission, a revocation) settles once a quorum of members has
acknowledged it, and a node acknowledges on its own only after the charter's
interval has passed since its last op (` + "`kring status`" + ` says when). Run it
after a vote that the circle should settle without waiting.

With nothing new to acknowledge it says so and succeeds.`,
		Example: `  kring ack`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			op, err := cn.c.Acknowledge(ctx)
			var ae *api.APIError
			if errors.As(err, &ae) && ae.Code == api.CodeNothingNew {
				_, err = fmt.Fprintln(a.stdout, "Nothing new to acknowledge: this organisation's last op already cites every op the node holds.")
				return err
			}
			if err != nil {
				return cn.explain("ack", err)
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			_, err = fmt.Fprintf(a.stdout, "Acknowledged every op the node holds (op %s).\n", short(op.ID))
			return err
		},
	}
}
