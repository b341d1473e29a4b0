package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) tokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "token",
		GroupID: "setup",
		Short:   "Manage the local API's bearer token",
		Example: "  kring token rotate",
		Args:    noArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Write a new API token; a running kring run takes it within a second",
		Long: `Rotate writes a fresh API token (32 random bytes in hex) into the data
dir's api.token (mode 0600), in place of the old one. A running kring run
watches the file and puts the new token in force within a second, without a
restart: from then on the old token is refused. Give the new token to the
tools that call the API (SIEM, scripts); the kring verbs read the file.

It also mends a missing, empty or weak token file. Writing a token into
api.token by hand works the same way, as long as it is strong enough (at
least 32 characters of a bearer token's alphabet, not repetitive).`,
		Example: "  kring token rotate\n  kring --data-dir /var/lib/kring token rotate",
		Args:    noArgs,
		RunE:    func(*cobra.Command, []string) error { return a.rotateToken() },
	})
	return cmd
}

// rotateToken writes a new token into the data dir's api.token.
func (a *app) rotateToken() error {
	d := a.dir()
	if err := d.check(); err != nil {
		return err
	}
	t, err := newToken()
	if err != nil {
		return failuref("generating API token: %v", err)
	}
	path := d.path(tokenFile)
	if err := writeFileAtomic(path, []byte(t+"\n"), 0o600); err != nil {
		return failuref("writing %s: %v", path, err)
	}
	_, err = fmt.Fprintf(a.stdout, "Wrote a new API token to %s (mode 0600).\n"+
		"A running kring run puts it in force within a second; the old token is refused from then on.\n"+
		"Give the new token to the tools that call the API.\n", path)
	return err
}
