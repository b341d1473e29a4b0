package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/protocol"
)

func (a *app) genesisCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "genesis",
		GroupID: "setup",
		Short:   "Found a circle: draft, co-sign and finalize its genesis",
		Long: `The founders co-sign the genesis by passing one file around; no network is
needed. The initiator (founder #1) drafts it from a charter and the other
founders' member cards, each founder signs it, and anyone finalizes it into
genesis.kring once all have signed. Each founder then runs
kring genesis install genesis.kring (finalize installs it for its caller).
genesis.kring is text (the genesis in base64 between -----BEGIN KRING
GENESIS----- and -----END KRING GENESIS----- lines), so it survives mail and
chat; kring reads the binary genesis.kring of earlier versions too.`,
		Example: `  kring genesis template > charter.toml
  kring genesis draft --charter charter.toml --founder b/member.json --founder c/member.json --out genesis.draft.json
  kring --data-dir b genesis sign genesis.draft.json
  kring genesis finalize genesis.draft.json --out genesis.kring
  kring genesis show genesis.kring`,
		Args: noArgs,
	}
	cmd.AddCommand(a.genesisTemplateCommand(), a.genesisDraftCommand(), a.genesisSignCommand(),
		a.genesisFinalizeCommand(), a.genesisShowCommand(), a.genesisInstallCommand())
	return cmd
}

func (a *app) genesisTemplateCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "template",
		Short:   "Print a commented charter.toml (thresholds, requirements, TLP policy, cadence, topics)",
		Example: "  kring genesis template > charter.toml",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := io.WriteString(a.stdout, charterTemplate)
			return err
		},
	}
}

func (a *app) genesisDraftCommand() *cobra.Command {
	var charterPath, out string
	var founders []string
	cmd := &cobra.Command{
		Use:   "draft --charter charter.toml --founder CARD... --out genesis.draft.json",
		Short: "Draft a genesis as founder #1 from a charter and the other founders' member cards",
		Long: `Draft makes you, the initiator, founder #1 (your profile comes from your
config.toml) and adds each --founder in order: a member.json, or a data dir
holding one. It signs the draft and writes it; pass it on to the next founder.`,
		Example: `  kring genesis draft --charter charter.toml --founder ../b/member.json --founder ../c/member.json --out genesis.draft.json`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.runDraft(charterPath, founders, out)
		},
	}
	cmd.Flags().StringVar(&charterPath, "charter", "", "the charter file (kring genesis template)")
	cmd.Flags().StringArrayVar(&founders, "founder", nil, "another founder's member.json or data dir (repeatable, in order)")
	cmd.Flags().StringVar(&out, "out", "genesis.draft.json", "where to write the draft")
	return cmd
}

func (a *app) runDraft(charterPath string, founderCards []string, out string) error {
	if charterPath == "" {
		return usageErrorf("genesis draft needs --charter FILE: write one with `kring genesis template > charter.toml`")
	}
	c, err := loadCharter(charterPath, a.stderr)
	if err != nil {
		return err
	}
	self, priv, err := a.ownIdentity()
	if err != nil {
		return err
	}
	founders := []protocol.Member{self}
	for _, p := range founderCards {
		m, err := readCard(p)
		if err != nil {
			return err
		}
		founders = append(founders, m)
	}
	if _, err := os.Stat(out); err == nil {
		return usageErrorf("%s exists: kring genesis draft does not replace a draft; remove it or pass another --out", out)
	}
	d, err := newDraft(c, founders, time.Now().UnixMilli(), priv)
	if err != nil {
		return usageErrorf("genesis draft: %v", err)
	}
	if err := writeDraft(out, d); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Drafted %s with %d founders, signed by you (#1).\n", out, len(founders))
	return a.nextSigner(d, out)
}

// nextSigner says who still has to sign.
func (a *app) nextSigner(d *draft, path string) error {
	for i, s := range d.Sigs {
		if s == "" {
			_, err := fmt.Fprintf(a.stdout, "Next: %s signs with `kring genesis sign %s`.\n", d.Founders[i].Profile.Name, path)
			return err
		}
	}
	_, err := fmt.Fprintf(a.stdout, "Every founder has signed: anyone can run `kring genesis finalize %s --out genesis.kring`.\n", path)
	return err
}

func (a *app) genesisSignCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sign DRAFT",
		Short: "Add your founder signature to a genesis draft",
		Long: `Sign checks every signature already in the draft (it refuses a draft that
changed after someone signed it) and that the draft lists you exactly as your
member card (from your config.toml and keys) does, shows what you sign, adds
your signature, and writes the draft back in place. Only founders named in
the draft sign.`,
		Example: "  kring genesis sign genesis.draft.json",
		Args:    exactArgs(1, "the draft file"),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := readDraft(args[0], a.stderr)
			if err != nil {
				return err
			}
			self, priv, err := a.ownIdentity()
			if err != nil {
				return err
			}
			if err := d.sign(priv, self); errors.Is(err, errNotYourCard) {
				return identityErrorf("genesis sign %s: %v: sign only your own card; send the initiator your current %s and have them draft again (or fix [organisation] and node.announce in %s if the draft is right)",
					args[0], err, a.dir().path(memberFile), a.configPath())
			} else if err != nil {
				return draftError("genesis sign", args[0], err)
			}
			if err := writeDraft(args[0], d); err != nil {
				return err
			}
			g, _ := d.genesis()
			_ = printGenesis(a.stdout, g, func(i int) bool { return d.Sigs[i] != "" })
			fmt.Fprintf(a.stdout, "Signed %s as %s.\n", args[0], protocol.KeyOf(priv).Short())
			return a.nextSigner(d, args[0])
		},
	}
}

func (a *app) genesisFinalizeCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "finalize DRAFT --out genesis.kring",
		Short: "Seal a fully signed draft into the circle's genesis (anyone may)",
		Long: `Finalize checks every signature and writes the genesis op. It refuses, naming
them, while founders have not signed. If you are a founder, it also installs
the genesis in your data dir.`,
		Example: "  kring genesis finalize genesis.draft.json --out genesis.kring",
		Args:    exactArgs(1, "the draft file"),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := readDraft(args[0], a.stderr)
			if err != nil {
				return err
			}
			op, err := d.finalize()
			if err != nil {
				return draftError("genesis finalize", args[0], err)
			}
			if err := writeFileAtomic(out, armor(armorGenesis, op.Bytes()), 0o644); err != nil {
				return failuref("writing genesis: %v", err)
			}
			fmt.Fprintf(a.stdout, "Wrote %s: circle %s (group %s).\n", out, d.Charter.Name, op.Hash())
			return a.installIfFounder(op)
		},
	}
	cmd.Flags().StringVar(&out, "out", genesisFile, "where to write the genesis")
	return cmd
}

// installIfFounder installs op in the caller's data dir when the caller is
// one of its founders and has no genesis yet.
func (a *app) installIfFounder(op *protocol.Op) error {
	priv, err := loadIdentity(a.dir())
	if err != nil {
		return nil // not an organisation's machine: nothing to install
	}
	g := op.Content().(*protocol.Genesis)
	for _, f := range g.Founders {
		if f.Key == protocol.KeyOf(priv) {
			return a.installGenesis(op)
		}
	}
	return nil
}

func (a *app) genesisInstallCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "install GENESIS",
		Short:   "Check a genesis and put it in your data dir for kring run",
		Example: "  kring genesis install genesis.kring",
		Args:    exactArgs(1, "the genesis file"),
		RunE: func(_ *cobra.Command, args []string) error {
			op, err := readGenesis(args[0])
			if err != nil {
				return err
			}
			return a.installGenesis(op)
		},
	}
}

// installGenesis writes op to the config's genesis path, refusing to
// replace another circle's genesis.
func (a *app) installGenesis(op *protocol.Op) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	path := a.dir().resolve(cfg.Node.Genesis)
	if old, err := os.ReadFile(path); err == nil {
		if prev, err := decodeGenesis(old); err == nil && prev.Hash() == op.Hash() {
			_, err := fmt.Fprintf(a.stdout, "%s already holds this genesis.\n", path)
			return err
		}
		return identityErrorf("%s holds another circle's genesis: one data dir serves one circle; use another --data-dir", path)
	}
	if err := writeFileAtomic(path, armor(armorGenesis, op.Bytes()), 0o644); err != nil {
		return failuref("installing genesis: %v", err)
	}
	_, err = fmt.Fprintf(a.stdout, "Installed the genesis in %s: start the node with `kring run`.\n", path)
	return err
}

func (a *app) genesisShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Show a genesis draft, a genesis or an application: charter, founders, signatures",
		Long: `Show prints any file that founders and applicants pass each other: a
genesis draft (genesis.draft.json), a genesis (genesis.kring) or an
application, in the armored text form that kring writes or the binary form
of earlier versions. It checks every signature.`,
		Example: "  kring genesis show genesis.draft.json\n  kring genesis show genesis.kring --output json\n  kring genesis show application.kring",
		Args:    exactArgs(1, "a draft, genesis or application file"),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.showFile("genesis show", args[0])
		},
	}
}

func (a *app) showDraft(path string) error {
	d, err := readDraft(path, a.stderr)
	if err != nil {
		return err
	}
	if a.output == "json" {
		return a.printJSON(d)
	}
	g, err := d.verify()
	if err != nil {
		return draftError("genesis draft", path, err)
	}
	fmt.Fprintf(a.stdout, "Genesis draft %s\n", path)
	if err := printGenesis(a.stdout, g, func(i int) bool { return d.Sigs[i] != "" }); err != nil {
		return err
	}
	return a.nextSigner(d, path)
}
