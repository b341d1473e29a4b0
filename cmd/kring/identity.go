package main

import (
	"crypto/ed25519"

	"github.com/kring-circle/kring/protocol"
)

// ownIdentity loads the config and keys and returns this organisation's
// member identity, refreshing member.json if the config changed it.
func (a *app) ownIdentity() (protocol.Member, ed25519.PrivateKey, error) {
	d := a.dir()
	priv, err := loadIdentity(d)
	if err != nil {
		return protocol.Member{}, nil, err
	}
	cfg, err := a.config()
	if err != nil {
		return protocol.Member{}, nil, err
	}
	enc, err := loadEncryption(d)
	if err != nil {
		return protocol.Member{}, nil, err
	}
	m := ownMember(cfg, priv, enc)
	if err := writeCard(d, m); err != nil {
		return protocol.Member{}, nil, failuref("writing %s: %v", memberFile, err)
	}
	return m, priv, nil
}
