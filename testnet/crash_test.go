package testnet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// The child process of the crash scenario: founder A's node on the
// directory and genesis the parent names, publishing advisories and
// printing "ack <hash>" once Publish has returned, until it is killed.
func TestCrashChild(t *testing.T) {
	dir, genesisFile := os.Getenv("KRING_CRASH_DIR"), os.Getenv("KRING_CRASH_GENESIS")
	if dir == "" {
		t.Skip("runs only as the child process of TestKilledNodeKeepsAcknowledgedOps")
	}
	genesis, err := os.ReadFile(genesisFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := node.DefaultLocalConfig()
	cfg.Key, cfg.Genesis, cfg.DataDir = KeyFor("A"), genesis, dir
	cfg.SyncBeforePublish = 0
	nd, err := node.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		op, err := nd.Publish(context.Background(), &protocol.Advisory{Title: fmt.Sprintf("sighting %d", i), TLP: protocol.TLPAmber})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %s\n", op.Hash())
	}
}

// Scenario 5: a node process killed with SIGKILL while publishing restarts
// with every acknowledged op intact and its store opening cleanly.
func TestKilledNodeKeepsAcknowledgedOps(t *testing.T) {
	net, ctx := circleStarting(t, []string{"A", "B", "C"}, nil)
	a := net.M("A")
	genesisFile := a.Dir + ".genesis"
	if err := os.WriteFile(genesisFile, net.Genesis.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	child.Env = append(os.Environ(), "KRING_CRASH_DIR="+a.Dir, "KRING_CRASH_GENESIS="+genesisFile)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []protocol.Hash
	lines := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for len(acked) < 300 && time.Now().Before(deadline) && lines.Scan() {
		if h, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			acked = append(acked, must[protocol.Hash](t)(protocol.ParseHash(h)))
		}
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = child.Wait()
	if len(acked) < 100 {
		t.Fatalf("the child acknowledged only %d ops before it was killed", len(acked))
	}

	net.opts.Config = func(_ string, c *node.Config) { c.SyncBeforePublish = 0 }
	if err := a.Start(ctx); err != nil {
		t.Fatalf("restarting after SIGKILL: %v", err)
	}
	st := a.Node().Store()
	for _, h := range acked {
		if ok, err := st.Has(h); err != nil || !ok {
			t.Fatalf("acknowledged op %s is gone after SIGKILL (err %v)", h.Short(), err)
		}
	}
	stored := must[int](t)(st.Len())
	t.Logf("killed after %d acknowledged ops; the store reopened with %d ops", len(acked), stored)
	next := must[*protocol.Op](t)(a.Advise(ctx, "first advisory after the crash"))
	tip := must[map[protocol.Key]trust.Tip](t)(st.Tips())[a.Key]
	// Every stored op is A's (the genesis is A's seq 1), so the next seq
	// follows the store's size: no seq is skipped or signed twice.
	if tip.Seq != next.Seq || len(tip.Hashes) != 1 || next.Seq != uint64(stored)+1 {
		t.Errorf("after the restart A signed seq %d; its chain tip is %d with %d ops there; want one op at seq %d", next.Seq, tip.Seq, len(tip.Hashes), stored+1)
	}
}
