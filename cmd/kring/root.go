package main

import (
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/internal/cli"
)

// app holds what every command shares: the streams and the global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string // the command line, for kring run's daemon process

	dataDirFlag string // --data-dir
	configFlag  string // --config
	apiFlag     string // --api
	output      string // --output: text or json
}

// dir returns the data dir.
func (a *app) dir() dataDir {
	if a.dataDirFlag != "" {
		return dataDir(a.dataDirFlag)
	}
	return dataDir(defaultDataDir())
}

// configPath returns the config file's path.
func (a *app) configPath() string {
	if a.configFlag != "" {
		return a.configFlag
	}
	return filepath.Join(string(a.dir()), configFile)
}

// config loads and validates the config file.
func (a *app) config() (fileConfig, error) {
	return loadConfig(a.configPath())
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "kring",
		Short: "Kring: a peer-to-peer trust circle for sharing security advisories",
		Long: `Kring is one binary for a member organisation of a trust circle: the daemon
(kring run), the verbs that found a circle and admit members, and the verbs
that publish and read advisories through the daemon's local API.

Every organisation keeps its identity and configuration in a data dir:
--data-dir, else $KRING_DIR, else ~/.kring.

Errors are one line on stderr: what is wrong and what to do. Each exit
status has one meaning:
  0  success
  1  the command ran and failed: the circle or the daemon refused it, or a
     file could not be written
  2  usage or configuration error: fix the command line or config.toml
  3  a file does not hold up: the data dir's identity, genesis or store is
     missing or unusable, or a genesis, draft or application is damaged,
     altered after it was signed, or lacks a founder's signature; get a
     good copy
  4  the daemon (kring run) is not running
  5  kring run stopped: this organisation is cut off from the circle and
     node.exit_when_cut_off is set
  70 kring run: the daemon crashed or was killed by a signal; systemd
     restarts it`,
		Example: `  kring init --org "Example Energy CERT"
  kring genesis template > charter.toml
  kring run
  kring advisories list`,
		Version:           version,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	cli.Prepare(root)
	root.SetVersionTemplate("kring {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.dataDirFlag, "data-dir", "", "the organisation's data dir (default $KRING_DIR, else ~/.kring)")
	pf.StringVar(&a.configFlag, "config", "", "the config file (default DATA_DIR/config.toml)")
	pf.StringVar(&a.apiFlag, "api", "", "the daemon's API address, host:port on loopback; verbs that call the daemon also take an https:// URL (default: api.listen in the config)")
	pf.StringVarP(&a.output, "output", "o", "text", "output of read verbs: text or json (the API's JSON)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	root.AddGroup(&cobra.Group{ID: "setup", Title: "Set up an organisation and a circle:"},
		&cobra.Group{ID: "daemon", Title: "Run the node:"},
		&cobra.Group{ID: "read", Title: "Read (through the daemon):"},
		&cobra.Group{ID: "act", Title: "Act (through the daemon):"})
	for _, c := range a.commands() {
		root.AddCommand(c)
	}
	return root
}

// commands lists kring's verbs.
func (a *app) commands() []*cobra.Command {
	cmds := []*cobra.Command{
		a.versionCommand(),
		a.initCommand(),
		a.tokenCommand(),
		a.cardCommand(),
		a.genesisCommand(),
		a.applyCommand(),
		a.runCommand(),
		a.backupCommand(),
		a.restoreCommand(),
		a.statusCommand(),
		a.peersCommand(),
		a.membersCommand(),
		a.motionsCommand(),
		a.blocksCommand(),
		a.advisoriesCommand(),
		a.publishCommand(),
		a.endorseCommand(),
		a.blockCommand(),
		a.unblockCommand(),
		a.leaveCommand(),
		a.ackCommand(),
		a.charterCommand(),
	}
	return append(cmds, a.motionCommands()...)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print kring's version",
		Example: "  kring version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(a.stdout, "kring "+version+"\n")
			return err
		},
	}
}
