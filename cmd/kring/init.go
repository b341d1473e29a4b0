package main

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

type initFlags struct {
	org      api.ProfileInfo
	listen   []string
	announce []string
	peers    []string
}

func (a *app) initCommand() *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:     "init --org NAME",
		GroupID: "setup",
		Short:   "Create the data dir: identity, encryption key, API token, config",
		Long: `Init creates the organisation's data dir (mode 0700) with:

  identity.key    the Ed25519 signing key (PEM PKCS#8, 0600): your member
                  identity and your node's libp2p identity. Back it up.
  encryption.key  the X25519 key RED advisories will be encrypted to (0600)
  api.token       the local API's bearer token (0600)
  config.toml     the configuration, every default shown and commented
  member.json     your public member card, for the circle's initiator

The global --api flag sets the local API's loopback address (default
127.0.0.1:7717). Init never replaces an existing identity, and refuses a
data dir that lost its identity.key but holds a store, a genesis, an
application or a member card: restore the key from your backup instead.`,
		Example: `  kring init --org "Example Energy CERT" --sector energy --contact soc@example.org --role CISO
  kring --data-dir /var/lib/kring init --org "Example MSP" --expertise ics,malware
  kring --data-dir ./b init --org B --listen /ip4/127.0.0.1/tcp/4102 --api 127.0.0.1:7702`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runInit(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.org.Name, "org", "", "the organisation's name (required)")
	fl.StringVar(&f.org.Sector, "sector", "", "its sector, e.g. energy")
	fl.StringVar(&f.org.Contact, "contact", "", "how members reach its security team")
	fl.StringVar(&f.org.Role, "role", "", "its representative's role, e.g. CISO")
	fl.StringSliceVar(&f.org.Expertise, "expertise", nil, "areas of expertise, comma-separated")
	fl.StringSliceVar(&f.listen, "listen", nil, "multiaddrs to listen on (default TCP and QUIC on port 4001)")
	fl.StringSliceVar(&f.announce, "announce", nil, "multiaddrs where members can reach this node")
	fl.StringSliceVar(&f.peers, "peer", nil, "a member's node to dial, /ip4/…/tcp/…/p2p/ID (repeatable)")
	return cmd
}

func (a *app) runInit(f initFlags) error {
	d := a.dir()
	if f.org.Name == "" {
		return usageErrorf("init needs --org NAME: your organisation's name as the circle will see it")
	}
	if d.exists(identityFile) {
		return identityErrorf("%s already holds an identity: kring init never replaces one; use another --data-dir", d)
	}
	if held := d.memberData(); len(held) > 0 {
		return lostIdentity(d, held)
	}
	cfg := defaultFileConfig()
	cfg.Organisation = f.org
	if len(f.listen) > 0 {
		cfg.Node.Listen = f.listen
	}
	cfg.Node.Announce, cfg.Node.Peers = f.announce, f.peers
	if a.apiFlag != "" { // the global --api: where the daemon's API will listen
		cfg.API.Listen = a.apiFlag
	}
	ports := pickPorts(&cfg, len(f.listen) > 0, a.apiFlag != "")
	conf, err := renderConfig(cfg)
	if err != nil {
		return failuref("rendering config: %v", err)
	}
	if _, err := parseConfig(conf); err != nil {
		return usageErrorf("%v (from the flags of kring init)", err)
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return failuref("creating data dir: %v", err)
	}
	if err := os.Chmod(string(d), 0o700); err != nil {
		return failuref("data dir: %v", err)
	}
	if err := syncDir(filepath.Dir(filepath.Clean(string(d)))); err != nil { // the data dir's own name
		return failuref("creating data dir: %v", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return failuref("generating identity: %v", err)
	}
	enc, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return failuref("generating encryption key: %v", err)
	}
	token, err := newToken()
	if err != nil {
		return failuref("generating API token: %v", err)
	}
	idPEM, err := marshalPrivateKey(priv)
	if err != nil {
		return failuref("encoding identity: %v", err)
	}
	encPEM, err := marshalPrivateKey(enc)
	if err != nil {
		return failuref("encoding encryption key: %v", err)
	}
	m := ownMember(cfg, priv, enc)
	cardJSON, err := marshalCard(m)
	if err != nil {
		return failuref("encoding member card: %v", err)
	}
	// The identity goes last: a data dir with an identity is complete.
	for _, w := range []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{encryptionFile, encPEM, 0o600}, {tokenFile, []byte(token + "\n"), 0o600},
		{configFile, conf, 0o600}, {memberFile, cardJSON, 0o644}, {identityFile, idPEM, 0o600},
	} {
		if err := writeFileAtomic(d.path(w.name), w.data, w.perm); err != nil {
			return failuref("writing %s: %v", w.name, err)
		}
	}
	return a.printInit(d, m, ports)
}

func (a *app) printInit(d dataDir, m protocol.Member, ports []string) error {
	id, err := node.PeerID(m.Key)
	if err != nil {
		return failuref("peer ID: %v", err)
	}
	announce := "node.announce is empty: set it to the address where other members reach this\n" +
		"     node (e.g. \"/dns4/kring.example.org/tcp/4001\"), unless they reach it on a listen address"
	if len(m.Addrs) > 0 {
		announce = "node.announce: members dial " + strings.Join(m.Addrs, ", ")
	}
	for _, p := range ports {
		announce += "\n     " + p
	}
	_, err = fmt.Fprintf(a.stdout, `Initialised %s for %s
  member key  %s
  peer ID     %s
Next:
  1. Check %s:
     [organisation]: the profile the circle sees and endorsers vet (name, sector,
     contact, role, expertise; claims answer the charter's requirements)
     %s
  2. Then, as the case may be:
     initiator of a new circle:  kring genesis template > charter.toml, collect the
       other founders' member.json, and kring genesis draft --charter charter.toml
       --founder THEIR_member.json ...
     another founder:            kring card (after any edit of config.toml), then
                                 send %s to the initiator
     joining a running circle:   get genesis.kring from a member, then
       kring apply --genesis genesis.kring --out application.kring
`, d, m.Profile.Name, m.Key, id, d.path(configFile), announce, d.path(memberFile))
	return err
}
