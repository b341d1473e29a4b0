package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// card is an organisation's public member card (member.json): what a
// founder hands the initiator and what a genesis or application carries.
// Its profile is the API's.
type card struct {
	Key     string          `json:"key"`
	EncKey  string          `json:"enc_key"`
	Profile api.ProfileInfo `json:"profile"`
	Addrs   []string        `json:"addrs,omitempty"`
}

func cardOf(m protocol.Member) card {
	return card{Key: m.Key.String(), EncKey: hex.EncodeToString(m.EncKey[:]), Addrs: m.Addrs, Profile: api.ProfileOf(m.Profile)}
}

// member converts the card back, checking its keys.
func (c card) member() (protocol.Member, error) {
	k, err := protocol.ParseKey(c.Key)
	if err != nil {
		return protocol.Member{}, fmt.Errorf("key: %w", err)
	}
	m := protocol.Member{Key: k, Addrs: c.Addrs}
	e, err := hex.DecodeString(c.EncKey)
	if err != nil || len(e) != len(m.EncKey) {
		return protocol.Member{}, fmt.Errorf("enc_key is not 64 hex digits")
	}
	copy(m.EncKey[:], e)
	if c.Profile.Name == "" {
		return protocol.Member{}, fmt.Errorf("profile.name is empty")
	}
	m.Profile = c.Profile.Profile()
	return m, nil
}

// ownMember is this organisation's identity as config and keys give it.
func ownMember(cfg fileConfig, priv ed25519.PrivateKey, enc *ecdh.PrivateKey) protocol.Member {
	m := protocol.Member{Key: protocol.KeyOf(priv), Profile: cfg.profile(), Addrs: cfg.Node.Announce}
	copy(m.EncKey[:], enc.PublicKey().Bytes())
	return m
}

// marshalCard encodes a card as indented JSON.
func marshalCard(m protocol.Member) ([]byte, error) {
	b, err := json.MarshalIndent(cardOf(m), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeCard writes member.json if it differs from m.
func writeCard(d dataDir, m protocol.Member) error {
	b, err := marshalCard(m)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(d.path(memberFile)); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return writeFileAtomic(d.path(memberFile), b, 0o644)
}

// readCard reads a member card: a member.json file, or a data dir that
// holds one.
func readCard(path string) (protocol.Member, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, memberFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return protocol.Member{}, usageErrorf("member card: %v: pass a member.json (or the data dir holding it) that the founder made with `kring init`", err)
	}
	var c card
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return protocol.Member{}, usageErrorf("member card %s: %v: ask the founder for their member.json again", path, err)
	}
	m, err := c.member()
	if err != nil {
		return protocol.Member{}, usageErrorf("member card %s: %v: ask the founder for their member.json again", path, err)
	}
	return m, nil
}
