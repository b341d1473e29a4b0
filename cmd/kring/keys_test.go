package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// flipKeyBit flips one bit of the private key in the PEM PKCS#8 file at
// path, so that it still parses as a key of its type, but another key.
func flipKeyBit(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s is not PEM", path)
	}
	blk.Bytes[len(blk.Bytes)-1] ^= 0x01 // the key's last byte
	if _, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		t.Fatalf("the flipped key no longer parses: %v", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedKeyRefused: a key file with one flipped bit is a valid key,
// but not the organisation's. kring refuses it (exit 3) by member.json,
// names both keys, and says to restore it from the backup, instead of
// starting as a stranger that is told to apply.
func TestDamagedKeyRefused(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{identityFile, "the key file is damaged or replaced; restore it from your backup"},
		{encryptionFile, "is not the one"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			d := initOrgs(t, t.TempDir(), "a")[0]
			card, err := readCard(d)
			if err != nil {
				t.Fatal(err)
			}
			flipKeyBit(t, filepath.Join(d, tc.file))
			kring(t, "--data-dir", d, "card").fails(t, exitIdentity, tc.want)
			if tc.file == identityFile {
				kring(t, "--data-dir", d, "card").fails(t, exitIdentity, card.Key.Short())
			}
			if after, err := readCard(d); err != nil || after.Key != card.Key || after.EncKey != card.EncKey {
				t.Errorf("member.json changed under a damaged key: %v", err)
			}
		})
	}
}

// TestLostIdentityNotReinitialised: a data dir that lost identity.key but
// holds the organisation's member card (or store, genesis, application)
// is not told to run kring init, and kring init refuses it: a new identity
// would be a stranger to the circle.
func TestLostIdentityNotReinitialised(t *testing.T) {
	d := initOrgs(t, t.TempDir(), "a")[0]
	card, err := readCard(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(d, identityFile)); err != nil {
		t.Fatal(err)
	}
	r := kring(t, "--data-dir", d, "card")
	r.fails(t, exitIdentity, "restore identity.key and encryption.key from your backup")
	if strings.Contains(r.stderr, "run `kring init --org") {
		t.Errorf("a data dir that lost its key is told to run kring init: %s", r.stderr)
	}
	kring(t, "--data-dir", d, "init", "--org", "A").fails(t, exitIdentity, "Do not run `kring init` here")
	if _, err := os.Stat(filepath.Join(d, identityFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("init wrote an identity into a data dir that lost its own: %v", err)
	}
	if after, err := readCard(d); err != nil || after.Key != card.Key {
		t.Errorf("member.json changed: %v", err)
	}
	// A fresh data dir is still told to run kring init.
	kring(t, "--data-dir", filepath.Join(t.TempDir(), "fresh"), "card").fails(t, exitIdentity, "run `kring init --org NAME` first")
}

// TestDataDirModeRefused: a data dir that others can list or enter is
// refused with the chmod that mends it.
func TestDataDirModeRefused(t *testing.T) {
	d := initOrgs(t, t.TempDir(), "a")[0]
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", d, "card").fails(t, exitIdentity, "chmod 700 "+d)
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	kring(t, "--data-dir", d, "card").must(t)
}

// TestTokenRotateMends: kring token rotate writes a fresh, strong token
// with mode 0600, in place of a weak one or none; the verbs' errors about
// the token point to it.
func TestTokenRotateMends(t *testing.T) {
	d := initOrgs(t, t.TempDir(), "a")[0]
	path := filepath.Join(d, tokenFile)
	old, err := loadToken(dataDir(d))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func() error{
		func() error { return os.Remove(path) },
		func() error { return os.WriteFile(path, []byte("abc\n"), 0o600) },
	} {
		if err := bad(); err != nil {
			t.Fatal(err)
		}
		kring(t, "--data-dir", d, "--api", "127.0.0.1:1", "status").fails(t, exitIdentity, "kring token rotate")
		r := kring(t, "--data-dir", d, "token", "rotate").must(t)
		if !strings.Contains(r.stdout, "Wrote a new API token to "+path) {
			t.Errorf("token rotate said %q", r.stdout)
		}
		tok, err := loadToken(dataDir(d))
		if err != nil {
			t.Fatalf("the rotated token does not load: %v", err)
		}
		if tok == old || api.CheckToken(tok) != nil {
			t.Errorf("rotated token %q: old %q, CheckToken %v", tok, old, api.CheckToken(tok))
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("token file mode: %v %v, want 0600", fi.Mode().Perm(), err)
		}
		old = tok
	}
}

// TestTokenRotateLive: a token rotated while kring run serves is in force
// within seconds, without a restart: the old token is refused and the new
// one accepted. A weak token written by hand is not put in force.
func TestTokenRotateLive(t *testing.T) {
	_, dirs, gpath := finishedCircle(t)
	d := dirs[0]
	kring(t, "--data-dir", d, "genesis", "install", gpath).must(t)
	editConfig(t, d, `listen = ["/ip4/0.0.0.0/tcp/4001","/ip4/0.0.0.0/udp/4001/quic-v1"]`, `listen = ["/ip4/127.0.0.1/tcp/0"]`)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stop := startDaemon(t, d, addr)
	defer stop()

	old, err := loadToken(dataDir(d))
	if err != nil {
		t.Fatal(err)
	}
	status := func(tok string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := api.NewClient("http://"+addr, tok).Status(ctx)
		return err
	}
	if err := status(old); err != nil {
		t.Fatalf("status with the first token: %v", err)
	}
	kring(t, "--data-dir", d, "token", "rotate").must(t)
	rotated, err := loadToken(dataDir(d))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the rotated token to be in force", func() bool {
		return status(rotated) == nil && errors.Is(status(old), api.ErrUnauthorized)
	})
	kring(t, "--data-dir", d, "--api", addr, "status").must(t)

	// A weak token written by hand leaves the rotated one in force.
	if err := os.WriteFile(filepath.Join(d, tokenFile), []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * tokenWatchInterval) // the watcher's turn: nothing may change
	if err := status(rotated); err != nil {
		t.Errorf("a weak token written by hand replaced the one in force: %v", err)
	}
	if err := status("abc"); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("the weak token was put in force: %v", err)
	}
}
