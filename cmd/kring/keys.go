package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// pemType is the PEM block type of both key files (PKCS#8).
const pemType = "PRIVATE KEY"

// errKeyFile reports a key file that is not what kring init wrote.
var errKeyFile = errors.New("not a PEM PKCS#8 private key of the expected type")

// marshalPrivateKey encodes key (ed25519.PrivateKey or *ecdh.PrivateKey)
// as PEM PKCS#8.
func marshalPrivateKey(key any) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// parsePrivateKey decodes a PEM PKCS#8 private key.
func parsePrivateKey(b []byte) (any, error) {
	blk, rest := pem.Decode(b)
	if blk == nil || blk.Type != pemType || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errKeyFile
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errKeyFile, err)
	}
	return k, nil
}

// checkPrivate refuses a key file that others can read.
func checkPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is readable by others (mode %v): run `chmod 600 %s`", path, fi.Mode().Perm(), path)
	}
	return nil
}

// loadIdentity reads the organisation's Ed25519 signing key.
func loadIdentity(d dataDir) (ed25519.PrivateKey, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	path := d.path(identityFile)
	if err := checkPrivate(path); err != nil {
		return nil, identityErrorf("identity key: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, identityErrorf("identity key: %v", err)
	}
	k, err := parsePrivateKey(b)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, identityErrorf("identity key %s: %v (want Ed25519): restore it from your backup", path, errKeyFile)
	}
	if card, ok := ownCard(d); ok && card.Key != protocol.KeyOf(priv) {
		return nil, identityErrorf("identity key %s is key %s, but %s names this organisation's key %s: the key file is damaged or replaced; restore it from your backup "+
			"(if you put it there from a backup on purpose, restore member.json with it, or remove member.json: kring card writes it again)",
			path, protocol.KeyOf(priv).Short(), d.path(memberFile), card.Key.Short())
	}
	return priv, nil
}

// ownCard reads the data dir's member.json, the public card kring init
// wrote beside the keys: the anchor that tells a damaged or replaced key
// file from the organisation's own. A missing or unreadable card anchors
// nothing (it is public and rewritten from the keys).
func ownCard(d dataDir) (protocol.Member, bool) {
	m, err := readCard(d.path(memberFile))
	return m, err == nil
}

// loadEncryption reads the organisation's X25519 encryption key.
func loadEncryption(d dataDir) (*ecdh.PrivateKey, error) {
	path := d.path(encryptionFile)
	if err := checkPrivate(path); err != nil {
		return nil, identityErrorf("encryption key: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, identityErrorf("encryption key: %v", err)
	}
	k, err := parsePrivateKey(b)
	priv, ok := k.(*ecdh.PrivateKey)
	if err != nil || !ok || priv.Curve() != ecdh.X25519() {
		return nil, identityErrorf("encryption key %s: %v (want X25519): restore it from your backup", path, errKeyFile)
	}
	if card, ok := ownCard(d); ok && !bytes.Equal(card.EncKey[:], priv.PublicKey().Bytes()) {
		return nil, identityErrorf("encryption key %s is not the one %s names: the key file is damaged or replaced; restore it from your backup "+
			"(if you put it there from a backup on purpose, restore member.json with it, or remove member.json: kring card writes it again)",
			path, d.path(memberFile))
	}
	return priv, nil
}

// newToken returns a fresh API token: 32 random bytes in hex.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// loadToken reads the API token, refusing a token file that others can
// read (whoever holds the token acts for the organisation) and a token
// that api.CheckToken calls weak.
func loadToken(d dataDir) (string, error) {
	path := d.path(tokenFile)
	if err := checkPrivate(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if err := d.check(); err != nil {
				return "", err
			}
			return "", identityErrorf("no API token at %s: write a new one with `kring token rotate`", path)
		}
		return "", identityErrorf("API token: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", identityErrorf("API token: %v", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", identityErrorf("API token %s is empty: write a new one with `kring token rotate`", path)
	}
	if err := api.CheckToken(t); err != nil {
		return "", identityErrorf("API token %s: %v: write a new one with `kring token rotate`", path, err)
	}
	return t, nil
}
