package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// check returns an identity error unless the data dir holds an identity.
func (d dataDir) check() error {
	if _, err := os.Stat(d.path(identityFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return identityErrorf("no identity in %s: run `kring init --org NAME` first, or pass --data-dir (or set KRING_DIR)", d)
		}
		return identityErrorf("data dir %s: %v", d, err)
	}
	return nil
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
