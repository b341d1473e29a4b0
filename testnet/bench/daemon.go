package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kring-circle/kring/internal/loopback"
	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// daemonRSS sets up three organisations with the kring binary, runs their
// daemons on loopback until they have been idle for a while, and returns
// each one's resident memory in MiB and how many peers each had.
func daemonRSS(ctx context.Context, e *env) ([]float64, []int, error) {
	bin, err := kringBinary(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	root, err := e.dir("daemons")
	if err != nil {
		return nil, nil, err
	}
	orgs, err := setupOrgs(ctx, bin, root)
	if err != nil {
		return nil, nil, err
	}
	var ds []*daemon
	defer func() { stopDaemons(ds) }()
	for _, dir := range orgs {
		d, err := startDaemon(bin, dir)
		if err != nil {
			return nil, nil, err
		}
		ds = append(ds, d)
	}
	select {
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-time.After(10 * time.Second):
	}
	var out []float64
	var peers []int
	for i, d := range ds {
		rss := daemonBytes(d.cmd.Process.Pid)
		if rss == 0 {
			return nil, nil, fmt.Errorf("bench: no resident memory for daemon %d (exited?); its log: %s", i, tail(d.log.String()))
		}
		out = append(out, float64(rss)/(1<<20))
		var st struct {
			Peers int `json:"peers"`
		}
		if js, err := cli(ctx, bin, "--data-dir", orgs[i], "status", "--output", "json"); err == nil && json.Unmarshal([]byte(js), &st) == nil {
			peers = append(peers, st.Peers)
		}
	}
	return out, peers, nil
}

// stopDaemons stops the daemons, killing those that take over 10 s.
func stopDaemons(ds []*daemon) {
	for _, d := range ds {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, d := range ds {
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = d.cmd.Process.Kill()
			<-done
		}
	}
}

// kringBinary returns the kring binary beside this process's executable
// (bin/kring beside bin/kring-testnet, as `make build` leaves them), else
// builds ./cmd/kring of the module it runs in.
func kringBinary(ctx context.Context, e *env) (string, error) {
	if exe, err := os.Executable(); err == nil {
		if bin, ok := kringBeside(exe); ok {
			return bin, nil
		}
	}
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(gomod))
	if err != nil || mod == "" || mod == os.DevNull {
		return "", errors.New("the kring binary is not running this and no Go module is at hand to build it")
	}
	bin := filepath.Join(e.tmp, "kring")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kring")
	build.Dir = filepath.Dir(mod)
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ./cmd/kring: %v: %s", err, tail(string(out)))
	}
	return bin, nil
}

// kringBeside returns the regular file named kring in exe's directory.
func kringBeside(exe string) (string, bool) {
	bin := filepath.Join(filepath.Dir(exe), "kring")
	fi, err := os.Stat(bin)
	return bin, err == nil && fi.Mode().IsRegular()
}

// setupOrgs founds a circle of three organisations with the CLI, each
// listing the others as peers, and returns their data dirs.
func setupOrgs(ctx context.Context, bin, root string) ([]string, error) {
	type org struct {
		dir string
		p2p int
	}
	var orgs []*org
	for _, name := range []string{"a", "b", "c"} {
		o := &org{dir: filepath.Join(root, name)}
		p2p, api := freePort(), freePort()
		if p2p == 0 || api == 0 {
			return nil, errors.New("bench: no free port")
		}
		o.p2p = p2p
		if _, err := cli(ctx, bin, "--data-dir", o.dir, "init", "--org", "Bench "+name,
			"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", p2p), "--api", fmt.Sprintf("127.0.0.1:%d", api)); err != nil {
			return nil, err
		}
		orgs = append(orgs, o)
	}
	charter, err := cli(ctx, bin, "genesis", "template")
	if err != nil {
		return nil, err
	}
	chPath, draft, gen := filepath.Join(root, "charter.toml"), filepath.Join(root, "genesis.draft.json"), filepath.Join(root, "genesis.kring")
	if err := os.WriteFile(chPath, []byte(charter), 0o600); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	steps := [][]string{
		{"--data-dir", orgs[0].dir, "genesis", "draft", "--charter", chPath, "--founder", orgs[1].dir, "--founder", orgs[2].dir, "--out", draft},
		{"--data-dir", orgs[1].dir, "genesis", "sign", draft},
		{"--data-dir", orgs[2].dir, "genesis", "sign", draft},
		{"--data-dir", orgs[2].dir, "genesis", "finalize", draft, "--out", gen},
		{"--data-dir", orgs[0].dir, "genesis", "install", gen},
		{"--data-dir", orgs[1].dir, "genesis", "install", gen},
	}
	for _, s := range steps {
		if _, err := cli(ctx, bin, s...); err != nil {
			return nil, err
		}
	}
	// Each lists the others as peers, so that they connect.
	var dirs []string
	for _, o := range orgs {
		var peers []string
		for _, p := range orgs {
			if p != o {
				id, err := cardPeerID(p.dir)
				if err != nil {
					return nil, err
				}
				peers = append(peers, fmt.Sprintf("%q", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", p.p2p, id)))
			}
		}
		if len(peers) > 0 {
			path := filepath.Join(o.dir, "config.toml")
			b, err := os.ReadFile(path)
			if err == nil {
				s := strings.Replace(string(b), "peers = []", "peers = ["+strings.Join(peers, ", ")+"]", 1)
				_ = os.WriteFile(path, []byte(s), 0o600)
			}
		}
		dirs = append(dirs, o.dir)
	}
	return dirs, nil
}

// cardPeerID reads the peer ID of the organisation in dir from its member
// card (member.json).
func cardPeerID(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "member.json"))
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	var card struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &card); err != nil {
		return "", fmt.Errorf("bench: member.json: %w", err)
	}
	k, err := protocol.ParseKey(card.Key)
	if err != nil {
		return "", fmt.Errorf("bench: member.json: %w", err)
	}
	id, err := node.PeerID(k)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// cli runs the kring binary and returns its standard output.
func cli(ctx context.Context, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	c := exec.CommandContext(ctx, bin, args...)
	c.Env = append(os.Environ(), "KRING_DIR=")
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("kring %s: %v: %s", strings.Join(args, " "), err, tail(errOut.String()))
	}
	return out.String(), nil
}

// freePort returns a loopback TCP port that was free a moment ago and that
// no earlier call returned, or 0.
func freePort() int {
	p, err := loopback.FreePort()
	if err != nil {
		return 0
	}
	return p
}

// tail is the end of a log, for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 400 {
		s = "…" + s[len(s)-400:]
	}
	return s
}
