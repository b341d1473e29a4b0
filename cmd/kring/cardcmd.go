package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// cardCommand writes member.json afresh from config.toml and the keys, so
// that a founder who edited its profile after `kring init` sends the
// initiator the card the genesis will carry.
func (a *app) cardCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "card",
		GroupID: "setup",
		Short:   "Write member.json afresh from config.toml, for the circle's initiator",
		Long: `Card writes this organisation's public member card (member.json in the
data dir) from config.toml's [organisation] and node.announce and the
organisation's keys, and prints it. Run it after editing config.toml and
before sending member.json to the initiator: kring init wrote the card
from the config as it was then. It holds no secret.`,
		Example: "  kring card\n  kring card -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, _, err := a.ownIdentity()
			if err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(cardOf(m))
			}
			_, err = fmt.Fprintf(a.stdout, "Wrote %s for %s (key %s): send it to the circle's initiator.\n",
				a.dir().path(memberFile), m.Profile.Name, m.Key)
			return err
		},
	}
}
