package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/internal/cli"
	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

type runFlags struct {
	logFormat, logLevel string
}

func (a *app) runCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:     "run",
		GroupID: "daemon",
		Short:   "Run the node: join the circle, sync, gossip, serve the local API",
		Long: `Run starts this organisation's node with the data dir's identity, genesis
and config.toml, and serves the local API (api.listen) that the other verbs,
your SIEM and scripts use. While this organisation is not a member and an
application is installed (kring apply), it enacts its own admission as soon
as the charter's k members have endorsed it.

Logs go to stderr (log/slog, text or JSON). While the node catches up a
backlog of 500 ops or more, a progress bar with count, rate and ETA shows on
stderr when stderr is a terminal; when stderr goes to a file or a journal,
a log line gives the backlog and the rate every 5 s instead. Either way,
"caught up with the circle" logs how many ops arrived and how long it took.
SIGINT or SIGTERM stops it gracefully. SIGHUP reloads: it puts api.token
in force again (a changed token file is taken within a second anyway),
sets the log level from config.toml's log.level (unless --log-level set
it), and logs which other sections of config.toml changed: those take
effect at the next start.

One data dir is one running node. Never start a copy of it on a second
host (a standby, a restored VM snapshot, a failover) while this one may
still run: both sign with the same key and seqs, an equivocation, and
every member's node suspends this organisation until the members vote to
lift it. For failover, stop the first node for good before starting the
copy, and let the copy sync (node.sync_before_publish) before it
publishes: a node refuses to sign while a member holds more of its chain
than it does, and fetches those ops first. kring run logs an ERROR when it
sees its key sign what it did not.

Exit status:
  0  stopped cleanly by SIGINT or SIGTERM
  1  runtime failure (the node or the API stopped on an error)
  2  usage or configuration error (config.toml, flags, a port in use)
  3  identity, genesis or store problem (missing or unreadable key,
     wrong or unsigned genesis, application for another circle or key,
     store locked by another kring run or corrupt)
  5  this organisation is suspended, revoked or gone from the circle and
     node.exit_when_cut_off is set
  70 the daemon crashed (a panic or a fatal runtime error, such as SIGBUS
     from a full disk) or was killed by a signal: kring run runs the node
     in a process of its own and logs one ERROR line in the configured
     format as the goroutine dump starts; systemd restarts it`,
		Example: `  kring run
  kring --data-dir /var/lib/kring run --log-format json
  kring run --log-level debug`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDaemon(cmd.Context(), f) },
	}
	cmd.Flags().StringVar(&f.logFormat, "log-format", "", "text or json (default: log.format in the config)")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "", "trace, debug, info, warn or error (default: log.level in the config); trace adds the store's internals")
	_ = cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions([]string{"trace", "debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// daemon is what kring run puts together.
type daemon struct {
	cfg fileConfig
	// fileCfg is config.toml as kring run read it, before its flags;
	// configPath where; SIGHUP compares the file with it (reload.go).
	fileCfg    fileConfig
	configPath string
	// level is the logger's level, which SIGHUP sets from the file
	// unless --log-level set it (levelFlag).
	level     *slog.LevelVar
	levelFlag bool
	dir       dataDir
	log       *slog.Logger
	node      *node.Node
	app       *protocol.Application // nil unless applying
	apiAddr   string
	stderr    io.Writer
	// helpers run beside the node while it serves, each until its
	// context ends: the enrolment (when applying) and the progress watch.
	helpers []func(context.Context)
}

// testHelpers are more helpers for every daemon, set by tests only.
var testHelpers []func(context.Context, *node.Node)

// notifyContext is signal.NotifyContext; a test replaces it to stand in
// for a signal.
var notifyContext = signal.NotifyContext

// interrupted reports whether ctx, made by notifyContext from parent,
// ended because a signal came: it ended and its parent did not.
func interrupted(parent, ctx context.Context) bool {
	return ctx.Err() != nil && parent.Err() == nil
}

func (a *app) runDaemon(parent context.Context, f runFlags) error {
	ctx, stop := notifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup, stopHup := hangups()
	defer stopHup()
	cfg, err := a.config()
	if err != nil {
		return err
	}
	fileCfg := cfg
	if f.logFormat != "" {
		cfg.Log.Format = f.logFormat
	}
	if f.logLevel != "" {
		cfg.Log.Level = f.logLevel
	}
	level, err := parseLevel(cfg.Log.Level)
	if err != nil {
		return usageErrorf("%v", err)
	}
	lv := levelVar(level)
	logger, err := cli.NewLevelLogger(a.stderr, cfg.Log.Format, lv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if supervise && !inSupervisedChild() {
		return a.runSupervised(ctx, hup, a.args, logger)
	}
	d := a.dir()
	priv, err := loadIdentity(d)
	if err != nil {
		return err
	}
	tokenSeen := statToken(d) // before reading it: a rotation from now on is the watcher's
	token, err := loadToken(d)
	if err != nil {
		return err
	}
	gen, err := readGenesis(d.resolve(cfg.Node.Genesis))
	if err != nil {
		return err
	}
	application, err := readOwnApplication(d.resolve(cfg.Node.Application), gen.Hash(), protocol.KeyOf(priv))
	if err != nil {
		return err
	}
	if a.apiFlag != "" {
		cfg.API.Listen = a.apiFlag
		if err := checkLoopback(cfg.API.Listen); err != nil {
			return usageErrorf("--api: %v", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.API.Listen)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return usageErrorf("api.listen %s: %v: is another kring run using it? change api.listen in %s", cfg.API.Listen, err, a.configPath())
	case err != nil:
		return usageErrorf("api.listen %s: %v: change api.listen in %s", cfg.API.Listen, err, a.configPath())
	}
	defer ln.Close()

	if err := checkListenFree(cfg.Node.Listen, a.configPath()); err != nil {
		return err
	}

	cfg.warnUnset(logger, a.configPath())
	cfg.warnNoFork(logger, a.configPath())

	nc := cfg.nodeConfig(d, priv, gen.Bytes())
	nc.Logger = logger
	delay := api.NewStoreDelay(protocol.KeyOf(priv))
	nc.OnStored = delay.Observe
	limitMemory()
	n, err := node.New(ctx, nc)
	if err != nil {
		if interrupted(parent, ctx) { // SIGINT or SIGTERM while starting: a clean stop
			logger.Info("stopped while starting", "reason", context.Cause(ctx), "err", err)
			return nil
		}
		return startError(err, d, a.configPath())
	}
	if err := checkListening(n, cfg.Node.Listen, a.configPath()); err != nil {
		_ = n.Close()
		return err
	}
	// Loading the log decoded every op once; what the engine keeps is a
	// fraction of it. Hand the rest back now rather than idle on it.
	debug.FreeOSMemory()
	logger.Debug("memory limit", "bytes", fitMemoryLimit())
	dm := &daemon{cfg: cfg, fileCfg: fileCfg, configPath: a.configPath(), level: lv, levelFlag: f.logLevel != "",
		dir: d, log: logger, node: n, app: application, apiAddr: ln.Addr().String(), stderr: a.stderr}
	if dm.app != nil {
		dm.helpers = append(dm.helpers, func(ctx context.Context) { dm.enrol(ctx, time.Duration(cfg.Node.EnrolInterval)) })
	}
	dm.helpers = append(dm.helpers, func(ctx context.Context) { dm.progress(ctx, a.stderr) }, dm.watchOwnKey)
	srv := api.NewServer(n, api.ServerOptions{
		Token: token, Version: version, Logger: logger.With("component", "api"), StoreDelay: delay,
	})
	dm.helpers = append(dm.helpers, func(ctx context.Context) { dm.watchToken(ctx, srv, tokenSeen) },
		func(ctx context.Context) { dm.reloadOnHangup(ctx, hup, srv) })
	for _, h := range testHelpers {
		dm.helpers = append(dm.helpers, func(ctx context.Context) { h(ctx, n) })
	}
	return dm.serve(ctx, ln, srv)
}

// serve runs the API and the node's helpers until ctx ends or the node or
// the API stops on an error; then it shuts both down.
func (dm *daemon) serve(ctx context.Context, ln net.Listener, srv *api.Server) error {
	reqCtx, cancelReqs := context.WithCancel(context.Background())
	hs := srv.HTTPServer(reqCtx)
	apiErr := make(chan error, 1)
	go func() { apiErr <- hs.Serve(srv.Listener(ln)) }()
	n := dm.node
	dm.log.Info("kring running", "version", version, "key", n.Key().String(), "api", "http://"+dm.apiAddr,
		"addrs", strings.Join(n.P2PAddrs(), " "))
	if st := n.State(); dm.app == nil && !st.IsMember(n.Key()) {
		dm.log.Warn("this organisation is not a member of the circle and has no application: run `kring apply --genesis FILE`",
			"status", st.Key(n.Key()).Status.String())
	}
	// The helpers use the node: serve waits for them before closing it.
	helpers, cancelHelpers := context.WithCancel(ctx)
	defer cancelHelpers()
	var running sync.WaitGroup
	for _, h := range dm.helpers {
		running.Go(func() { h(helpers) })
	}

	var failure error
	select {
	case <-ctx.Done():
	case <-n.Done():
		if err := n.Err(); err != nil {
			failure = nodeStopped(err, dm.dir.path(storeDir))
		} else if ctx.Err() == nil {
			failure = failuref("the node stopped")
		}
	case err := <-apiErr:
		failure = failuref("the API server stopped: %v", err)
	}
	if failure == nil {
		dm.log.Info("stopping", "reason", context.Cause(ctx))
	}
	// Stop the helpers and end the requests in flight (follow streams
	// included: their context is reqCtx), stop serving, and only then
	// close the node that all of them use.
	cancelHelpers()
	cancelReqs()
	running.Wait()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		_ = hs.Close()
	}
	if err := n.Close(); err != nil && failure == nil {
		failure = failuref("closing the node: %v", err)
	}
	if failure == nil {
		dm.log.Info("stopped")
	}
	return failure
}

// startError classifies why node.New failed.
func startError(err error, d dataDir, configPath string) error {
	msg := err.Error()
	switch {
	case errors.Is(err, node.ErrAddrInUse):
		return usageErrorf("node.listen: %v: is another kring run using it? change node.listen in %s", err, configPath)
	case errors.Is(err, node.ErrConfig):
		return usageErrorf("%v: fix %s", err, configPath)
	case errors.Is(err, store.ErrInUse):
		return identityErrorf("the store in %s is in use: is another kring run using this data dir? (%v)", d.path(storeDir), err)
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrFormat), strings.Contains(msg, "store:"):
		return identityErrorf("the store in %s cannot be opened: %v", d.path(storeDir), err)
	}
	return failuref("starting the node: %v", err)
}

// readOwnApplication reads the installed application, if any, and checks
// that it is this organisation's, for this circle.
func readOwnApplication(path string, group protocol.Hash, self protocol.Key) (*protocol.Application, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, identityErrorf("application: %v", err)
	}
	app, err := decodeApplication(b)
	if err != nil {
		return nil, identityErrorf("application %s: %v: write it again with `kring apply`", path, err)
	}
	if app.Group != group {
		return nil, identityErrorf("application %s is for another circle (%s, the genesis is %s): run `kring apply` with this circle's genesis", path, app.Group.Short(), group.Short())
	}
	if app.Member.Key != self {
		return nil, identityErrorf("application %s is another organisation's (%s): run `kring apply` in this data dir", path, app.Member.Key.Short())
	}
	return app, nil
}

// nodeStopped is kring run's error when the node stopped on err: exit 5
// when this organisation was cut off and node.exit_when_cut_off asked the
// node to stop, exit 3 (check the store) otherwise.
func nodeStopped(err error, store string) error {
	if errors.Is(err, node.ErrCutOff) {
		return &exitError{Code: exitCutOff, Err: fmt.Errorf("the node stopped: %w: this organisation is no longer in the circle's sharing set (kring status says why)", err)}
	}
	return identityErrorf("the node stopped: %v: check the disk and the store in %s", err, store)
}
