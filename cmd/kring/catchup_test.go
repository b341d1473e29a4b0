package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// syncBuffer is a bytes.Buffer safe for a daemon writing its log while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCatchUpLogsProgress: B's node, started empty beside A's, which holds
// 3,000 advisories, catches up with its log going to a file (no
// terminal): once caught up, it logs how many ops arrived, every one of
// them, and how long it took, even when the catch-up is over before the
// progress watch looks (TestBacklogWatch covers the lines of a long one).
func TestCatchUpLogsProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two daemons and a catch-up of 3,000 ops")
	}
	const advisories = 3000
	c, err := trusttest.NewCircle(protocol.DefaultCharter("catch-up"), "A", "B", "C")
	if err != nil {
		t.Fatal(err)
	}
	for i := range advisories {
		if _, err := c.Do("A", &protocol.Advisory{Title: fmt.Sprint("advisory ", i), TLP: protocol.TLPGreen}); err != nil {
			t.Fatal(err)
		}
	}
	root := t.TempDir()
	gen := filepath.Join(root, "genesis.kring")
	if err := os.WriteFile(gen, c.Genesis.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{"A": freePort(t), "B": freePort(t)}
	dirs := map[string]string{}
	for _, name := range []string{"A", "B"} {
		d := filepath.Join(root, name)
		kring(t, "--data-dir", d, "init", "--org", name, "--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", ports[name]),
			"--api", fmt.Sprintf("127.0.0.1:%d", freePort(t))).must(t)
		pem, err := marshalPrivateKey(trusttest.KeyFor(name))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(filepath.Join(d, identityFile), pem, 0o600); err != nil {
			t.Fatal(err)
		}
		// The card names init's key: a key put in place on purpose goes
		// with its own card, which kring card writes again.
		if err := os.Remove(filepath.Join(d, memberFile)); err != nil {
			t.Fatal(err)
		}
		kring(t, "--data-dir", d, "genesis", "install", gen).must(t)
		dirs[name] = d
	}
	idA, err := node.PeerID(protocol.KeyOf(trusttest.KeyFor("A")))
	if err != nil {
		t.Fatal(err)
	}
	editConfig(t, dirs["B"], "peers = []", fmt.Sprintf("peers = [%q]", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", ports["A"], idA)))
	editConfig(t, dirs["A"], "peers = []", "peers = []")
	s, err := store.Open(filepath.Join(dirs["A"], storeDir), store.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(c.Ops...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	logs := map[string]*syncBuffer{"A": {}, "B": {}}
	for _, name := range []string{"A", "B"} {
		wg.Go(func() {
			run(ctx, []string{"--data-dir", dirs[name], "run"}, bytes.NewReader(nil), &bytes.Buffer{}, logs[name])
		})
	}
	caught := regexp.MustCompile(`msg="caught up with the circle" ops=(\d+) took=\S+ ops_per_second=\d+`)
	var m []string
	start := time.Now()
	for m == nil {
		if time.Since(start) > 45*time.Second {
			t.Fatalf("B never logged that it caught up; log of B:\n%s\nlog of A:\n%s", logs["B"], logs["A"])
		}
		time.Sleep(100 * time.Millisecond)
		m = caught.FindStringSubmatch(logs["B"].String())
	}
	t.Log(m[0])
	if n, _ := strconv.Atoi(m[1]); n < advisories {
		t.Errorf("B says %d ops arrived, want at least %d:\n%s", n, advisories, logs["B"])
	}
}
