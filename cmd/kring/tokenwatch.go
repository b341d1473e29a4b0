package main

import (
	"context"
	"os"
	"time"

	"github.com/kring-circle/kring/node/api"
)

// tokenWatchInterval is how often kring run looks at api.token for a
// rotated token.
const tokenWatchInterval = time.Second

// unchanged reports whether a and b (nil for a missing file) are one
// file with the same size, modification time and mode. kring token
// rotate renames a new file into place, so a rotation is a new file even
// within one mtime tick; a chmod 600 of a token file refused as open to
// others changes only its mode.
func unchanged(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode()
}

// statToken returns the data dir's api.token as it is now, nil when it
// cannot be read.
func statToken(d dataDir) os.FileInfo {
	fi, err := os.Stat(d.path(tokenFile))
	if err != nil {
		return nil
	}
	return fi
}

// watchToken puts a new api.token in force on srv whenever the file
// changes, looking every tokenWatchInterval (kring token rotate, or a
// token written by hand), until ctx ends. seen is the file as statToken
// found it before the token srv serves with was read from it: a token
// rotated while kring run was starting is put in force at the first look.
// A token file that cannot be used (gone, open to others, weak) leaves the
// token in force as it was and is logged as an error once per change.
func (dm *daemon) watchToken(ctx context.Context, srv *api.Server, seen os.FileInfo) {
	tick := time.NewTicker(tokenWatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		fi := statToken(dm.dir)
		if unchanged(seen, fi) {
			continue
		}
		seen = fi
		dm.reloadToken(srv, "the token file changed")
	}
}

// reloadToken reads api.token and puts it in force on srv, or logs why it
// cannot and keeps the token in force.
func (dm *daemon) reloadToken(srv *api.Server, why string) {
	t, err := loadToken(dm.dir)
	if err != nil {
		dm.log.Error("API token not reloaded: the token in force stays", "why", why, "err", err)
		return
	}
	if !srv.SetToken(t) {
		dm.log.Info("API token unchanged: the token in force stays", "why", why, "file", dm.dir.path(tokenFile))
		return
	}
	dm.log.Info("API token reloaded: the previous token is refused from now on", "why", why, "file", dm.dir.path(tokenFile))
}
