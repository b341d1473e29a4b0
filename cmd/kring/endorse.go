package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

func (a *app) endorseCommand() *cobra.Command {
	var evidence string
	cmd := &cobra.Command{
		Use:     "endorse APPLICATION --evidence TEXT|FILE",
		GroupID: "act",
		Short:   "Endorse an applicant, citing the evidence you vetted",
		Long: `Endorse publishes your vote to admit the applicant of APPLICATION (the file
kring apply wrote). --evidence is your vetting evidence: a file (e.g. your
notes or a signed statement), or the text itself. It stays on this machine,
in the data dir's evidence/ directory under its SHA-256; only the hash goes
into the vote. The applicant's node enacts its admission once the charter's
k members have endorsed it.`,
		Example: `  kring endorse application.kring --evidence "Met their CISO on 3 March; references from two grid operators"
  kring endorse application.kring --evidence vetting-notes.pdf`,
		Args: exactArgs(1, "the application file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if evidence == "" {
				return usageErrorf("endorse needs --evidence TEXT or FILE: what you vetted (it stays on this machine)")
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return usageErrorf("application: %v: pass the application.kring the applicant sent", err)
			}
			app, err := protocol.DecodeApplication(b)
			if err != nil {
				return usageErrorf("application %s: %v: ask the applicant for the file kring apply wrote", args[0], err)
			}
			sum, err := a.keepEvidence(evidence)
			if err != nil {
				return err
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			op, err := cn.c.Endorse(ctx, api.EndorseRequest{Application: b, Evidence: sum})
			if err != nil {
				return cn.explain("endorse", err)
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			_, err = fmt.Fprintf(a.stdout, "Endorsed %s (%s), application %s: vote %s; evidence kept as %s\n",
				app.Member.Profile.Name, app.Member.Key.Short(), app.ID().Short(), short(op.ID), a.dir().path(evidenceDir+"/"+sum))
			return err
		},
	}
	cmd.Flags().StringVar(&evidence, "evidence", "", "the vetting evidence: a file, or the text itself")
	return cmd
}

// keepEvidence stores the evidence (a file's bytes, or the text) under
// evidence/<sha256> in the data dir and returns the hash in hex.
func (a *app) keepEvidence(arg string) (string, error) {
	data := []byte(arg)
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
		if data, err = os.ReadFile(arg); err != nil {
			return "", usageErrorf("evidence: %v", err)
		}
	} else if strings.TrimSpace(arg) == "" {
		return "", usageErrorf("the evidence is empty: say what you vetted")
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	d := a.dir()
	if err := d.check(); err != nil {
		return "", err
	}
	if err := os.MkdirAll(d.path(evidenceDir), 0o700); err != nil {
		return "", failuref("evidence: %v", err)
	}
	p := d.path(evidenceDir + "/" + h)
	if _, err := os.Stat(p); err == nil {
		return h, nil
	}
	if err := writeFileAtomic(p, data, 0o600); err != nil {
		return "", failuref("keeping the evidence: %v", err)
	}
	return h, nil
}
