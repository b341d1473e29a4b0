package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

func TestDefaultConfigsValidate(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	for name, cfg := range map[string]Config{"DefaultConfig": DefaultConfig(), "DefaultLocalConfig": DefaultLocalConfig()} {
		cfg.Key = trusttest.KeyFor("A")
		cfg.Genesis = c.Genesis.Bytes()
		cfg.DataDir = t.TempDir()
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s with Key, Genesis and DataDir: %v", name, err)
		}
		// In memory, no DataDir is needed.
		cfg.DataDir = ""
		cfg.Store = store.DefaultLocalOptions()
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s in memory: %v", name, err)
		}
	}
}

func TestConfigValidateRefuses(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	good := func() Config {
		cfg := DefaultLocalConfig()
		cfg.Key = trusttest.KeyFor("A")
		cfg.Genesis = c.Genesis.Bytes()
		cfg.DataDir = "/nonexistent/kring"
		return cfg
	}
	if err := func() *Config { g := good(); return &g }().Validate(); err != nil {
		t.Fatalf("the base config: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*Config)
	}{
		{"short key", func(c *Config) { c.Key = c.Key[:31] }},
		{"no key", func(c *Config) { c.Key = nil }},
		{"no genesis", func(c *Config) { c.Genesis = nil }},
		{"no data dir, not in memory", func(c *Config) { c.DataDir = "" }},
		{"no listen addrs", func(c *Config) { c.ListenAddrs = nil }},
		{"bad listen multiaddr", func(c *Config) { c.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/notaport"} }},
		{"listen addr not a multiaddr", func(c *Config) { c.ListenAddrs = []string{"127.0.0.1:4001"} }},
		{"bad peer multiaddr", func(c *Config) { c.Peers = []string{"/ip4/127.0.0.1/tcp/4001"} }}, // no /p2p/ part
		{"peer garbage", func(c *Config) { c.Peers = []string{"not a multiaddr"} }},
		{"zero validate queue", func(c *Config) { c.ValidateQueue = 0 }},
		{"zero outbound queue", func(c *Config) { c.OutboundQueue = 0 }},
		{"negative commit batch", func(c *Config) { c.CommitBatch = -1 }},
		{"zero heartbeat", func(c *Config) { c.Heartbeat = 0 }},
		{"zero stream timeout", func(c *Config) { c.StreamTimeout = 0 }},
		{"zero max memory", func(c *Config) { c.MaxMemory = 0 }},
		{"ConnLow above ConnHigh", func(c *Config) { c.ConnLow, c.ConnHigh = 10, 9 }},
		{"RedialMin above RedialMax", func(c *Config) { c.RedialMin = c.RedialMax + 1 }},
		{"negative SyncBeforePublish", func(c *Config) { c.SyncBeforePublish = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Validate = %v, want an error wrapping ErrConfig", err)
			}
		})
	}
}

// validLocalConfig is DefaultLocalConfig with a key, a genesis and a
// data dir: a config Validate accepts.
func validLocalConfig(t *testing.T) Config {
	cfg := DefaultLocalConfig()
	cfg.Key = trusttest.KeyFor("A")
	cfg.Genesis = newCircle(t, "A", "B", "C").Genesis.Bytes()
	cfg.DataDir = t.TempDir()
	return cfg
}

// TestConfigValidateNamesEveryBadField: a config with several fields
// that must be positive and are not names them all, in the same order on
// every call (it named a random one of them before).
func TestConfigValidateNamesEveryBadField(t *testing.T) {
	cfg := validLocalConfig(t)
	cfg.Heartbeat, cfg.ValidateQueue, cfg.CommitBatch = 0, -1, 0
	const want = "node: bad config: ValidateQueue, Heartbeat, CommitBatch must be positive"
	for range 50 {
		if err := cfg.Validate(); !errors.Is(err, ErrConfig) || err.Error() != want {
			t.Fatalf("Validate = %v, want %q", err, want)
		}
	}
	cfg.Heartbeat, cfg.CommitBatch = time.Second, 1
	if err := cfg.Validate(); err == nil || err.Error() != "node: bad config: ValidateQueue must be positive" {
		t.Fatalf("Validate with one bad field = %v", err)
	}
}

func TestConfigValidateChecksStoreOptions(t *testing.T) {
	cfg := validLocalConfig(t)
	cfg.Store.PendingMax = 0
	if err := cfg.Validate(); !errors.Is(err, store.ErrInvalidOptions) {
		t.Fatalf("Validate with PendingMax 0 = %v, want ErrInvalidOptions", err)
	}
}

func TestNewRefusesBadConfigAndGenesis(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	cfg := testConfig(c, "A")
	cfg.ConnLow = cfg.ConnHigh + 1
	if _, err := New(context.Background(), cfg); !errors.Is(err, ErrConfig) {
		t.Fatalf("New with ConnLow > ConnHigh = %v, want ErrConfig", err)
	}
	cfg = testConfig(c, "A")
	// Not a genesis: another op of the circle.
	cfg.Genesis = must(t)(c.Advise("A", "not a genesis", "CLEAR")).Bytes()
	if n, err := New(context.Background(), cfg); err == nil {
		n.Close()
		t.Fatal("New accepted an advisory as the genesis")
	}
	cfg = testConfig(c, "A")
	g := append([]byte(nil), c.Genesis.Bytes()...)
	g[len(g)-1] ^= 1 // the signature
	cfg.Genesis = g
	if n, err := New(context.Background(), cfg); !errors.Is(err, protocol.ErrBadSignature) {
		if err == nil {
			n.Close()
		}
		t.Fatalf("New with a forged genesis = %v, want ErrBadSignature", err)
	}
}

// TestSecondNodeOnOnePortFails: a node's TCP transport listens without
// SO_REUSEPORT, so a second node given only a port another node holds
// fails to start instead of listening beside it.
func TestSecondNodeOnOnePortFails(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	a := startNode(t, c, "A", nil)
	var taken string
	for _, m := range a.host.Network().ListenAddresses() {
		if strings.HasPrefix(m.String(), "/ip4/127.0.0.1/tcp/") {
			taken = m.String()
		}
	}
	if taken == "" {
		t.Fatal("A listens on no loopback TCP address")
	}
	cfg := testConfig(c, "B")
	cfg.ListenAddrs = []string{taken}
	b, err := New(context.Background(), cfg)
	if err == nil {
		_ = b.Close()
		t.Fatalf("a second node started on %s, which A holds", taken)
	}
}
