package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files in a data dir (the contract's layout).
const (
	configFile      = "config.toml"
	identityFile    = "identity.key"
	encryptionFile  = "encryption.key"
	tokenFile       = "api.token"
	memberFile      = "member.json"
	genesisFile     = "genesis.kring"
	applicationFile = "application.kring"
	evidenceDir     = "evidence"
	storeDir        = "store"
)

// defaultDataDir is $KRING_DIR, else $HOME/.kring.
func defaultDataDir() string {
	if d := os.Getenv("KRING_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".kring"
	}
	return filepath.Join(home, ".kring")
}

// dataDir is an organisation's data dir.
type dataDir string

// path returns the path of name inside the data dir.
func (d dataDir) path(name string) string { return filepath.Join(string(d), name) }

// resolve returns p relative to the data dir unless it is absolute.
func (d dataDir) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(string(d), p)
}

// exists reports whether name exists in the data dir.
func (d dataDir) exists(name string) bool {
	_, err := os.Stat(d.path(name))
	return err == nil
}

// memberData are the files that show a data dir has served a member of a
// circle (or is about to): a data dir holding any of them but no
// identity.key lost its key, and a new identity would be a stranger to
// the circle.
var memberData = []string{storeDir, genesisFile, applicationFile, memberFile}

// check returns an identity error unless the data dir holds an identity
// and is private to its owner.
func (d dataDir) check() error {
	fi, err := os.Stat(string(d))
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		return identityErrorf("data dir %s is open to others (mode %v): it holds the organisation's keys and log; run `chmod 700 %s`", d, fi.Mode().Perm(), d)
	}
	if _, err := os.Stat(d.path(identityFile)); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return identityErrorf("data dir %s: %v", d, err)
		}
		if held := d.memberData(); len(held) > 0 {
			return lostIdentity(d, held)
		}
		return identityErrorf("no identity in %s: run `kring init --org NAME` first, or pass --data-dir (or set KRING_DIR)", d)
	}
	return nil
}

// memberData returns the files of memberData the data dir holds.
func (d dataDir) memberData() []string {
	var held []string
	for _, name := range memberData {
		if d.exists(name) {
			held = append(held, name)
		}
	}
	return held
}

// lostIdentity is the error for a data dir that holds a member's files
// but no identity.key.
func lostIdentity(d dataDir, held []string) error {
	return identityErrorf("%s has no %s but holds this organisation's %s: restore %s and %s from your backup. "+
		"Do not run `kring init` here: a new identity is a stranger to the circle, which would have to admit it again",
		d, identityFile, strings.Join(held, ", "), identityFile, encryptionFile)
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so that a reader never sees half a file. The file
// gets mode perm and is synced before the rename, and the directory after
// it: until the directory is synced, a power loss may undo the rename (or
// leave neither name), so the new file is durable only once
// writeFileAtomic returns.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return syncDir(dir)
}

// syncDir fsyncs a directory, so that the names created, renamed or
// removed in it survive a power loss. A test replaces it to watch.
var syncDir = func(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
