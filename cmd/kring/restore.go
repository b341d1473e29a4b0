package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/store"
)

// maxBackupFile bounds each file of a backup archive but the store.
const maxBackupFile = 1 << 20

func (a *app) restoreCommand() *cobra.Command {
	var keysOnly, clearMark bool
	cmd := &cobra.Command{
		Use:     "restore FILE [--keys-only] | restore --clear-mark",
		GroupID: "setup",
		Short:   "Make a new data dir from a backup; the node re-syncs its own chain from the members before it signs",
		Long: `Restore makes a new data dir (--data-dir, which must hold no identity and no
store) from an archive kring backup wrote: the keys and files, a fresh API
token, and a store loaded from the archive's copy, or, with --keys-only or
an archive of the keys alone, an empty store.

Either way the store is marked restored. The node may have signed ops after
the backup was taken; signing their seqs again would fork the chain, which
suspends the organisation in every member's log. So a restored node signs
nothing until it has synced with every member of the sharing set and holds
its own chain as they do; kring status says what it waits for, and the mark
goes once it has. A restore of the keys alone is as safe as a full one: the
node learns the whole log back by sync.

--clear-mark removes the mark from the data dir's store, with kring run
stopped: the node then signs after the usual syncs, even if a member it
could not reach holds newer ops of its chain. Use it only when such a
member is gone for good.`,
		Example: "  kring --data-dir /var/lib/kring restore /secure/kring-2026-12-01.tar\n" +
			"  kring --data-dir /var/lib/kring restore keys.tar --keys-only\n" +
			"  kring --data-dir /var/lib/kring restore --clear-mark",
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			switch {
			case clearMark && len(args) == 0:
				return a.clearRestoreMark()
			case clearMark || len(args) == 0:
				return usageErrorf("restore takes a backup FILE, or --clear-mark alone: see `kring restore --help`")
			}
			return a.runRestore(args[0], keysOnly)
		},
	}
	cmd.Flags().BoolVar(&keysOnly, "keys-only", false, "restore the keys and files, not the archive's store: the node learns the log back by sync")
	cmd.Flags().BoolVar(&clearMark, "clear-mark", false, "remove the restore mark from the store (kring run stopped)")
	return cmd
}

func (a *app) runRestore(path string, keysOnly bool) (err error) {
	d := a.dir()
	if d.exists(identityFile) || len(d.memberData()) > 0 {
		return identityErrorf("%s holds an organisation's data already: restore into a new data dir (--data-dir)", d)
	}
	f, err := os.Open(path)
	if err != nil {
		return usageErrorf("restore: %v", err)
	}
	defer f.Close()
	_, statErr := os.Stat(string(d))
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return failuref("restore: %v", err)
	}
	if err := os.Chmod(string(d), 0o700); err != nil {
		return failuref("restore: %v", err)
	}
	defer func() {
		if err != nil && errors.Is(statErr, os.ErrNotExist) {
			_ = os.RemoveAll(string(d)) // a restore that failed leaves nothing half made
		}
	}()
	files, withStore, err := a.extract(tar.NewReader(f), d, keysOnly)
	if err != nil {
		return err
	}
	if !slices.Contains(files, identityFile) || !slices.Contains(files, encryptionFile) {
		return identityErrorf("restore: %s holds no identity.key and encryption.key: is it an archive of kring backup?", path)
	}
	if !withStore {
		if err := store.Restore(d.path(storeDir), nil, store.DefaultOptions()); err != nil {
			return identityErrorf("restore: %v", err)
		}
	}
	token, err := newToken()
	if err != nil {
		return failuref("restore: %v", err)
	}
	if err := writeFileAtomic(d.path(tokenFile), []byte(token+"\n"), 0o600); err != nil {
		return failuref("restore: %v", err)
	}
	if _, err := loadIdentity(d); err != nil {
		return err
	}
	what := "its copy of the store"
	if !withStore {
		what = "an empty store: the node learns the log back by sync"
	}
	_, err = fmt.Fprintf(a.stdout, "Restored %s from %s: %d files, a new API token, and %s.\n"+
		"The store is marked restored: kring run signs nothing until it has synced with every member of the\n"+
		"sharing set and holds this organisation's chain as they do (kring status shows what it waits for).\n"+
		"Never run the old data dir again, and never two copies of one data dir.\n", d, path, len(files), what)
	return err
}

// extract writes the archive's files into d and loads its store copy,
// unless keysOnly; it returns the files written and whether the store was
// loaded. It refuses names a backup does not hold.
func (a *app) extract(tr *tar.Reader, d dataDir, keysOnly bool) (files []string, withStore bool, err error) {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, withStore, nil
		}
		if err != nil {
			return nil, false, identityErrorf("restore: the archive is damaged: %v", err)
		}
		switch {
		case h.Name == backupStore && keysOnly:
			continue
		case h.Name == backupStore:
			if err := store.Restore(d.path(storeDir), tr, store.DefaultOptions()); err != nil {
				return nil, false, identityErrorf("restore: the archive's store: %v", err)
			}
			withStore = true
		case slices.Contains(backupFiles, h.Name) && h.Typeflag == tar.TypeReg && h.Size <= maxBackupFile && !slices.Contains(files, h.Name):
			b, err := io.ReadAll(io.LimitReader(tr, maxBackupFile))
			if err != nil {
				return nil, false, identityErrorf("restore: the archive is damaged: %v", err)
			}
			if err := writeFileAtomic(d.path(h.Name), b, backupMode(h.Name)); err != nil {
				return nil, false, failuref("restore: %v", err)
			}
			files = append(files, h.Name)
		default:
			return nil, false, identityErrorf("restore: the archive holds %q, which kring backup never writes: is it an archive of kring backup?", h.Name)
		}
	}
}

// backupMode is the mode of a restored file: the member card is public.
func backupMode(name string) os.FileMode {
	if name == memberFile {
		return 0o644
	}
	return 0o600
}

// clearRestoreMark removes the restore mark of the data dir's store.
func (a *app) clearRestoreMark() error {
	d := a.dir()
	if err := d.check(); err != nil {
		return err
	}
	st, err := store.Open(d.path(storeDir), store.DefaultOptions())
	if err != nil {
		if errors.Is(err, store.ErrInUse) {
			return identityErrorf("the store in %s is in use: stop kring run first", d.path(storeDir))
		}
		return identityErrorf("the store in %s: %v", d.path(storeDir), err)
	}
	defer st.Close()
	was, err := st.Restored()
	if err == nil && was {
		err = st.ClearRestored()
	}
	if err != nil {
		return failuref("clearing the restore mark: %v", err)
	}
	if !was {
		_, err = fmt.Fprintln(a.stdout, "The store carries no restore mark: nothing to do.")
		return err
	}
	_, err = fmt.Fprintln(a.stdout, "Cleared the restore mark: kring run signs after the usual syncs, even if a member it cannot reach holds newer ops of this organisation's chain.")
	return err
}
