package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"

	"github.com/kring-circle/kring/node/api"
)

// Reloading on SIGHUP.
//
// kring run takes SIGHUP as "read your files again": it puts api.token in
// force again (as it does by itself within a second of a change), sets the
// log level from config.toml's log.level (unless --log-level set it), and
// names the other settings that changed in config.toml, which take effect
// at the next start. It logs what it did at INFO. SIGHUP never stops the
// daemon.

// hangups returns a channel of the SIGHUPs that reach this process from
// now on, and the function that stops them; until then a SIGHUP no longer
// stops the process.
func hangups() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	return c, func() { signal.Stop(c) }
}

// reloadOnHangup reloads on every SIGHUP from hup until ctx ends.
func (dm *daemon) reloadOnHangup(ctx context.Context, hup <-chan os.Signal, srv *api.Server) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			dm.reload(srv)
		}
	}
}

// reload puts the token and the log level of the data dir's files in
// force, and names what else changed.
func (dm *daemon) reload(srv *api.Server) {
	dm.reloadToken(srv, "SIGHUP")
	cfg, err := loadConfig(dm.configPath)
	if err != nil {
		dm.log.Error("SIGHUP: config.toml not reloaded: the settings in force stay", "err", err)
		return
	}
	switch {
	case dm.levelFlag:
		dm.log.Info("SIGHUP: the log level stays as --log-level set it", "level", dm.level.Level().String())
	default:
		l, err := parseLevel(cfg.Log.Level)
		if err != nil {
			dm.log.Error("SIGHUP: log.level not reloaded", "err", err)
			break
		}
		dm.level.Set(l)
		dm.log.Info("SIGHUP: log level set from config.toml", "level", strings.ToLower(cfg.Log.Level))
	}
	if changed := restartSettings(dm.fileCfg, cfg); len(changed) > 0 {
		dm.log.Warn("SIGHUP: these sections of config.toml changed and take effect at the next start of kring run",
			"sections", strings.Join(changed, ", "), "config", dm.configPath)
	}
}

// restartSettings names the sections of config.toml that differ between
// the running config and the file now, apart from what reload puts in
// force.
func restartSettings(running, now fileConfig) []string {
	running.Log.Level, now.Log.Level = "", ""
	var changed []string
	for _, s := range []struct {
		name     string
		old, new any
	}{
		{"organisation", running.Organisation, now.Organisation},
		{"node", running.Node, now.Node},
		{"api", running.API, now.API},
		{"log", running.Log, now.Log},
		{"store", running.Store, now.Store},
		{"limits", running.Limits, now.Limits},
	} {
		if !reflect.DeepEqual(s.old, s.new) {
			changed = append(changed, s.name)
		}
	}
	return changed
}

// levelVar returns a level variable set to level.
func levelVar(level slog.Level) *slog.LevelVar {
	var lv slog.LevelVar
	lv.Set(level)
	return &lv
}
