package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
)

// Backups.
//
// kring backup writes one tar archive (mode 0600: it holds the private
// keys) with the data dir's files that cannot be had again from the
// circle (the keys, config.toml, the member card, the genesis and the
// application) and, unless --keys-only, a consistent copy of the running
// node's store (GET /v1/backup). The API token is left out: kring restore
// writes a new one.
//
// kring restore FILE makes a new data dir from such an archive: the files,
// and a store loaded from the copy, or, with --keys-only or an archive of
// the keys alone, an empty one. Either way the store is marked restored:
// the node signs nothing until it has synced with every member of the
// sharing set and holds its own chain as they do, because ops it signed
// after the backup was taken would otherwise be signed again (a fork,
// which suspends the organisation). Restoring the keys alone is as safe
// and needs no copy of the store at all: the node learns the whole log
// back by sync.

// backupFiles are the data dir's files a backup archive holds, when they
// exist, beside the store.
var backupFiles = []string{identityFile, encryptionFile, configFile, memberFile, genesisFile, applicationFile}

// backupStore is the name of the store's copy in a backup archive.
const backupStore = "store.backup"

func (a *app) backupCommand() *cobra.Command {
	var out string
	var keysOnly bool
	cmd := &cobra.Command{
		Use:     "backup --out FILE [--keys-only]",
		GroupID: "daemon",
		Short:   "Write a backup of this organisation: its keys and files, and a copy of the running node's store",
		Long: `Backup writes a tar archive (mode 0600: it holds the private keys) with
identity.key, encryption.key, config.toml, member.json, genesis.kring and
application.kring (those that exist) and, unless --keys-only, a consistent
copy of the running node's store, taken through the daemon's API while it
runs. The API token is left out. Keep it where you keep other private keys.

With --keys-only, kring run need not be running, and the archive is small:
a node restored from it learns the whole log back from the members, which
is as safe as a full copy (see kring restore).`,
		Example: "  kring backup --out /secure/kring-$(date +%F).tar\n  kring backup --out keys.tar --keys-only",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return a.runBackup(cmd.Context(), out, keysOnly) },
	}
	cmd.Flags().StringVar(&out, "out", "", "the archive to write (required; not overwritten)")
	cmd.Flags().BoolVar(&keysOnly, "keys-only", false, "leave out the store: the keys and files only")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func (a *app) runBackup(ctx context.Context, out string, keysOnly bool) error {
	d := a.dir()
	if err := d.check(); err != nil {
		return err
	}
	var cn *conn
	if !keysOnly {
		var err error
		if cn, err = a.client(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return failuref("backup: %v", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(out)
		}
	}()
	tw := tar.NewWriter(f)
	files := 0
	for _, name := range backupFiles {
		b, err := os.ReadFile(d.path(name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return failuref("backup: %v", err)
		}
		if err := addFile(tw, name, b); err != nil {
			return failuref("backup: %v", err)
		}
		files++
	}
	storeBytes := int64(0)
	if !keysOnly {
		tmp, err := os.CreateTemp(filepath.Dir(out), ".kring-store-*")
		if err != nil {
			return failuref("backup: %v", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if err := cn.c.Backup(ctx, tmp); err != nil {
			return cn.explain("backup", err)
		}
		if storeBytes, err = tmp.Seek(0, io.SeekCurrent); err != nil {
			return failuref("backup: %v", err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return failuref("backup: %v", err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: backupStore, Mode: 0o600, Size: storeBytes, ModTime: time.Now()}); err != nil {
			return failuref("backup: %v", err)
		}
		if _, err := io.Copy(tw, tmp); err != nil {
			return failuref("backup: %v", err)
		}
	}
	if err := tw.Close(); err != nil {
		return failuref("backup: %v", err)
	}
	if err := f.Sync(); err != nil {
		return failuref("backup: %v", err)
	}
	if err := f.Close(); err != nil {
		return failuref("backup: %v", err)
	}
	ok = true
	what := fmt.Sprintf("%d files and a copy of the store (%d bytes)", files, storeBytes)
	if keysOnly {
		what = fmt.Sprintf("%d files, the keys among them; no store", files)
	}
	_, err = fmt.Fprintf(a.stdout, "Wrote %s: %s. It holds the private keys: keep it as you keep them.\n"+
		"Restore it into a new data dir with: kring --data-dir NEW_DIR restore %s\n", out, what, out)
	return err
}

// addFile adds one file of mode 0600 to an archive.
func addFile(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}
