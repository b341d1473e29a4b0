package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

func (a *app) endorseCommand() *cobra.Command {
	var ev evidenceFlags
	cmd := &cobra.Command{
		Use:     "endorse APPLICATION --evidence TEXT|FILE",
		GroupID: "act",
		Short:   "Endorse an applicant, citing the evidence you vetted",
		Long: `Endorse publishes your vote to admit the applicant of APPLICATION (the file
kring apply wrote). The evidence is what you vetted: a file (e.g. your notes
or a signed statement) or the text itself. It stays on this machine, in the
data dir's evidence/ directory under its SHA-256; only the hash goes into the
vote. The applicant's node enacts its admission once the charter's k members
have endorsed it.

--evidence takes a file or the text: an existing file is read; an argument
that looks like a file name (no spaces, and a "/" or an extension such as
.pdf) but names no file is refused, so that a mistyped path is never taken
as the evidence. --evidence-file takes a file only, --evidence-text the text
only.`,
		Example: `  kring endorse application.kring --evidence "Met their CISO on 3 March; references from two grid operators"
  kring endorse application.kring --evidence vetting-notes.pdf
  kring endorse application.kring --evidence-file vetting/notes.pdf
  kring endorse application.kring --evidence-text "approved-v2.pdf"`,
		Args: exactArgs(1, "the application file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ev.check(); err != nil {
				return err
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return usageErrorf("application: %v: pass the application.kring the applicant sent", err)
			}
			app, err := decodeApplication(b)
			if errors.Is(err, protocol.ErrBadSignature) {
				return identityErrorf("application %s: its signature does not verify: it was altered after the applicant signed it, or damaged; ask the applicant for the file kring apply wrote", args[0])
			}
			if err != nil {
				return identityErrorf("application %s: %v: ask the applicant for the file kring apply wrote", args[0], err)
			}
			data, err := ev.read()
			if err != nil {
				return err
			}
			sum, err := a.keepEvidence(data)
			if err != nil {
				return err
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			op, err := cn.c.Endorse(ctx, api.EndorseRequest{Application: app.Bytes(), Evidence: sum})
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
	fl := cmd.Flags()
	fl.StringVar(&ev.either, "evidence", "", "the vetting evidence: an existing file, or the text itself")
	fl.StringVar(&ev.file, "evidence-file", "", "the vetting evidence as a file")
	fl.StringVar(&ev.text, "evidence-text", "", "the vetting evidence as text, even if it looks like a file name")
	cmd.MarkFlagsMutuallyExclusive("evidence", "evidence-file", "evidence-text")
	return cmd
}

// evidenceFlags are endorse's three ways to give the evidence.
type evidenceFlags struct {
	either, file, text string
}

// check requires one of the flags.
func (ev evidenceFlags) check() error {
	if ev.either == "" && ev.file == "" && ev.text == "" {
		return usageErrorf("endorse needs --evidence TEXT or FILE (or --evidence-file, --evidence-text): what you vetted (it stays on this machine)")
	}
	return nil
}

// extension matches a file name's extension, such as ".pdf".
var extension = regexp.MustCompile(`\.[A-Za-z][A-Za-z0-9]{0,5}$`)

// looksLikePath reports whether an argument reads as a file name: no white
// space, and a "/" or an extension.
func looksLikePath(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsSpace) && (strings.ContainsRune(s, '/') || extension.MatchString(s))
}

// read returns the evidence's bytes.
func (ev evidenceFlags) read() ([]byte, error) {
	switch {
	case ev.text != "":
		if strings.TrimSpace(ev.text) == "" {
			return nil, usageErrorf("the evidence is empty: say what you vetted")
		}
		return []byte(ev.text), nil
	case ev.file != "":
		return readEvidenceFile("--evidence-file", ev.file)
	}
	arg := ev.either
	if _, err := os.Stat(arg); err == nil {
		return readEvidenceFile("--evidence", arg)
	}
	if looksLikePath(arg) {
		return nil, usageErrorf("--evidence %q looks like a file name, but there is no such file: check the path, or pass --evidence-text %q if it is the text itself", arg, arg)
	}
	if strings.TrimSpace(arg) == "" {
		return nil, usageErrorf("the evidence is empty: say what you vetted")
	}
	return []byte(arg), nil
}

// readEvidenceFile reads an evidence file named by flag.
func readEvidenceFile(flag, path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usageErrorf("%s: %v: give the file you vetted with", flag, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, usageErrorf("%s %s is not a regular file: give the file you vetted with", flag, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("%s: %v", flag, err)
	}
	if len(b) == 0 {
		return nil, usageErrorf("%s %s is empty: give the file you vetted with", flag, path)
	}
	return b, nil
}

// keepEvidence stores the evidence under evidence/<sha256> in the data
// dir and returns the hash in hex.
func (a *app) keepEvidence(data []byte) (string, error) {
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
