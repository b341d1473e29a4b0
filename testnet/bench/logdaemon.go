package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kring-circle/kring/internal/proc"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// logFigures are what a circle of daemons holding many advisories shows:
// the resident memory of two idle daemons holding them, and the peak
// resident memory of a third that catches them up from an empty store.
type logFigures struct {
	idle    []float64 // MiB, one per daemon holding the log
	peak    float64   // MiB, the catching-up daemon's peak
	catchup time.Duration
	opSize  int // mean encoded size of the advisories, bytes
}

// logDaemons sets up three organisations with the kring binary, writes
// count small advisories of the first into the first two's stores (as if
// they had received them), runs those two until they settle, then starts
// the third with only the genesis and waits until it holds every op.
func logDaemons(ctx context.Context, e *env, count int) (logFigures, error) {
	var f logFigures
	bin, err := kringBinary(ctx, e)
	if err != nil {
		return f, err
	}
	root, err := e.dir("logdaemons")
	if err != nil {
		return f, err
	}
	orgs, err := setupOrgs(ctx, bin, root)
	if err != nil {
		return f, err
	}
	genesis, ops, err := orgAdvisories(orgs[0], count)
	if err != nil {
		return f, err
	}
	for _, op := range ops {
		f.opSize += len(op.Bytes())
	}
	f.opSize /= max(1, len(ops))
	for _, dir := range orgs[:2] {
		if err := putLog(filepath.Join(dir, "store"), genesis, ops); err != nil {
			return f, err
		}
	}
	ops = nil
	var ds []*daemon
	defer func() { stopDaemons(ds) }()
	for _, dir := range orgs[:2] {
		d, err := startDaemon(bin, dir)
		if err != nil {
			return f, err
		}
		ds = append(ds, d)
	}
	for _, d := range ds {
		if err := d.waitOps(ctx, bin, count+1, 2*e.limit); err != nil {
			return f, err
		}
	}
	select {
	case <-ctx.Done():
		return f, ctx.Err()
	case <-time.After(e.logSettle):
	}
	for i, d := range ds {
		rss := daemonBytes(d.cmd.Process.Pid)
		if rss == 0 {
			return f, fmt.Errorf("bench: no resident memory for daemon %d (exited?); its log: %s", i, tail(d.log.String()))
		}
		f.idle = append(f.idle, float64(rss)/(1<<20))
	}
	t0 := time.Now()
	c, err := startDaemon(bin, orgs[2])
	if err != nil {
		return f, err
	}
	ds = append(ds, c)
	if err := c.waitOps(ctx, bin, count+1, 2*e.limit); err != nil {
		return f, err
	}
	f.catchup = time.Since(t0)
	peak := daemonPeak(c.cmd.Process.Pid)
	if peak == 0 {
		return f, fmt.Errorf("bench: no peak memory for the catching-up daemon; its log: %s", tail(c.log.String()))
	}
	f.peak = float64(peak) / (1 << 20)
	return f, nil
}

// orgAdvisories reads the genesis and the identity key in an
// organisation's data dir and signs count small advisories with the key.
func orgAdvisories(dir string, count int) (*protocol.Op, []*protocol.Op, error) {
	genesis, err := pemFile(filepath.Join(dir, "genesis.kring"))
	if err != nil {
		return nil, nil, err
	}
	g, err := protocol.Decode(genesis)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: genesis: %w", err)
	}
	der, err := pemFile(filepath.Join(dir, "identity.key"))
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, nil, fmt.Errorf("bench: identity key: not Ed25519 (%v)", err)
	}
	ops, err := chainOf(g, priv, 0, nil, count, smallAdvisory)
	return g, ops, err
}

// pemFile returns the bytes of the first PEM block in the file at path.
func pemFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("bench: %s holds no PEM block", path)
	}
	return blk.Bytes, nil
}

// putLog writes the genesis and ops into the store in dir, which no node
// holds open.
func putLog(dir string, genesis *protocol.Op, ops []*protocol.Op) error {
	st, err := store.Open(dir, store.DefaultOptions())
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	err = st.Put(genesis)
	for i := 0; err == nil && i < len(ops); i += 1000 {
		err = st.Put(ops[i:min(i+1000, len(ops))]...)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("bench: writing the log: %w", err), st.Close())
	}
	return st.Close()
}

// daemon is a `kring run` process and its output.
type daemon struct {
	dir string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// startDaemon starts `kring run` on the data dir.
func startDaemon(bin, dir string) (*daemon, error) {
	d := &daemon{dir: dir, log: &bytes.Buffer{}}
	d.cmd = exec.Command(bin, "--data-dir", dir, "run")
	d.cmd.Env = append(os.Environ(), "KRING_DIR=")
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: kring run: %w", err)
	}
	return d, nil
}

// waitOps waits until the daemon's status shows at least n ops stored.
func (d *daemon) waitOps(ctx context.Context, bin string, n int, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	have := 0
	for {
		var st struct {
			Ops int `json:"ops"`
		}
		if js, err := cli(ctx, bin, "--data-dir", d.dir, "status", "--output", "json"); err == nil && json.Unmarshal([]byte(js), &st) == nil {
			have = st.Ops
			if have >= n {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: waiting for %d ops in %s (has %d): %w; its log: %s", n, filepath.Base(d.dir), have, ctx.Err(), tail(d.log.String()))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// daemonPeak returns the peak resident memory of the daemon that the
// `kring run` process pid watches (VmHWM), plus the watcher's own
// anonymous memory, in bytes; 0 if unknown.
func daemonPeak(pid int) int64 {
	child := proc.ChildOf(pid)
	if child == 0 {
		return 0
	}
	var hwm, anon int64
	if _, err := fmt.Sscanf(procField(fmt.Sprintf("/proc/%d/status", child), "VmHWM"), "%d", &hwm); err != nil {
		return 0
	}
	if _, err := fmt.Sscanf(procField(fmt.Sprintf("/proc/%d/status", pid), "RssAnon"), "%d", &anon); err != nil {
		return 0
	}
	return (hwm + anon) << 10
}
