package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/protocol"
)

func (a *app) applyCommand() *cobra.Command {
	var genesisPath, out, show string
	var claims []string
	var force bool
	cmd := &cobra.Command{
		Use:     "apply --genesis genesis.kring --out application.kring",
		GroupID: "setup",
		Short:   "Write a signed application to join a circle",
		Long: `Apply writes your organisation's signed application: your profile from
config.toml ([organisation]) and your claims, answering the charter's
membership requirements (kring genesis show lists them). It also installs
the genesis and the application in your data dir: kring run then connects to
the configured peers and enacts your admission itself as soon as k members
have endorsed the application (it logs how many endorsements it still needs).

Send application.kring to the members who vet you; each runs
kring endorse application.kring --evidence "...". The file is text (the
application in base64 between -----BEGIN KRING APPLICATION----- and
-----END KRING APPLICATION----- lines), so it survives mail and chat; kring
apply --show FILE prints it readably.

Apply refuses to replace an application to the same circle that is installed
already: a new application has a new ID, and the endorsements of the old one
stop counting. Pass --force to apply afresh anyway.`,
		Example: `  kring apply --genesis genesis.kring --out application.kring
  kring apply --genesis genesis.kring --claim vital-clients="Serves five grid operators"
  kring apply --genesis genesis.kring --force
  kring apply --show application.kring`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if show != "" {
				if genesisPath != "" || len(claims) > 0 || force {
					return usageErrorf("apply --show prints a file and writes nothing: pass it without --genesis, --claim and --force")
				}
				return a.showFile("apply --show", show)
			}
			return a.runApply(genesisPath, out, claims, force)
		},
	}
	cmd.Flags().StringVar(&genesisPath, "genesis", "", "the circle's genesis file (required)")
	cmd.Flags().StringVar(&out, "out", applicationFile, "where to write the application")
	cmd.Flags().StringArrayVar(&claims, "claim", nil, "REQUIREMENT=STATEMENT, on top of organisation.claims (repeatable)")
	cmd.Flags().StringVar(&show, "show", "", "print an application (or a genesis, or a draft) readably and check its signatures; writes nothing")
	cmd.Flags().BoolVar(&force, "force", false, "replace an installed application to this circle (its endorsements stop counting)")
	return cmd
}

func (a *app) runApply(genesisPath, out string, claims []string, force bool) error {
	if genesisPath == "" {
		return usageErrorf("apply needs --genesis FILE: the circle's genesis.kring, from any member")
	}
	op, err := readGenesis(genesisPath)
	if err != nil {
		return err
	}
	g := op.Content().(*protocol.Genesis)
	self, priv, err := a.ownIdentity()
	if err != nil {
		return err
	}
	for _, f := range g.Founders {
		if f.Key == self.Key {
			return usageErrorf("you are a founder of circle %q: founders do not apply; run `kring genesis install %s` and `kring run`", g.Charter.Name, genesisPath)
		}
	}
	app, err := buildApplication(op.Hash(), g.Charter, self, claims, priv)
	if err != nil {
		return err
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	installed := a.dir().resolve(cfg.Node.Application)
	if old, err := readOwnApplication(installed, op.Hash(), self.Key); err == nil && old != nil && !force {
		return usageErrorf("%s holds your application %s to circle %q already: a new one would have a new ID, and the endorsements of %s would stop counting; send that file to the members who vet you (or pass --force to apply afresh)",
			installed, old.ID().Short(), g.Charter.Name, old.ID().Short())
	}
	if err := a.installGenesis(op); err != nil {
		return err
	}
	for _, p := range []string{out, installed} {
		if err := writeFileAtomic(p, armor(armorApplication, app.Bytes()), 0o644); err != nil {
			return failuref("writing application: %v", err)
		}
	}
	_, err = fmt.Fprintf(a.stdout, `Wrote %s: %s applies to %q (application %s).
The circle needs %d endorsements. Send the file to the members who vet you;
each runs: kring endorse %s --evidence "how we vetted them"
Then start your node with kring run: it enacts the admission once endorsed.
`, out, self.Profile.Name, g.Charter.Name, app.ID().Short(), g.Charter.Admit, out)
	for _, r := range unanswered(g.Charter, app.Member.Profile) {
		fmt.Fprintf(a.stderr, "kring: warning: the application answers no requirement %q (%s): endorsers vet your claims against the charter; add --claim %s=STATEMENT (or [[organisation.claims]] in config.toml) and apply again with --force\n",
			r.ID, r.Text, r.ID)
	}
	return err
}

// unanswered returns the charter's requirements that no claim of p
// answers.
func unanswered(c protocol.Charter, p protocol.Profile) []protocol.Requirement {
	claimed := map[string]bool{}
	for _, cl := range p.Claims {
		claimed[cl.Requirement] = true
	}
	var out []protocol.Requirement
	for _, r := range c.Requirements {
		if !claimed[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// buildApplication signs an application for circle group, adding claims
// ("requirement=statement") to the profile and checking them against the
// charter's requirements.
func buildApplication(group protocol.Hash, c protocol.Charter, self protocol.Member, claims []string, priv ed25519.PrivateKey) (*protocol.Application, error) {
	m := self
	m.Profile.Claims = append([]protocol.Claim(nil), self.Profile.Claims...)
	for _, s := range claims {
		req, stmt, ok := strings.Cut(s, "=")
		if !ok || req == "" || stmt == "" {
			return nil, usageErrorf("--claim %q: write it as REQUIREMENT=STATEMENT", s)
		}
		m.Profile.Claims = append(m.Profile.Claims, protocol.Claim{Requirement: req, Statement: stmt})
	}
	known := map[string]bool{}
	for _, r := range c.Requirements {
		known[r.ID] = true
	}
	for _, cl := range m.Profile.Claims {
		if !known[cl.Requirement] {
			return nil, usageErrorf("claim %q answers no requirement of the charter: use one of the ids `kring genesis show` lists", cl.Requirement)
		}
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, failuref("nonce: %v", err)
	}
	app := &protocol.Application{Group: group, Member: m, Nonce: nonce}
	if err := protocol.SignApplication(app, priv); err != nil {
		return nil, usageErrorf("application: %v: check the [organisation] section of config.toml", err)
	}
	return app, nil
}
