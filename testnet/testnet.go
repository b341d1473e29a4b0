package testnet

import (
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
)

// Options shape a test circle.
type Options struct {
	// Dir holds one badger directory per member; a test passes t.TempDir().
	Dir string
	// Founders names the founding organisations, initiator first.
	Founders []string
	// Charter is the genesis charter; the zero value means
	// protocol.DefaultCharter("testnet").
	Charter protocol.Charter
	// Genesis, if set, is a genesis op signed elsewhere (e.g. by the
	// draft, sign and finalize flow) that the circle starts from instead
	// of one New signs. Founders must then name its founders in order,
	// each with the key KeyFor(name); Charter is ignored.
	Genesis *protocol.Op
	// Config, if set, adjusts each member's node configuration (which
	// starts as node.DefaultLocalConfig) before it starts.
	Config func(name string, c *node.Config)
	// Logger receives every node's logs; nil discards them.
	Logger *slog.Logger
}

// Net is a circle of real nodes in one process, on loopback. Members are
// addressed by name. Links can be cut and healed; nodes stopped and
// restarted on the same directory and ports.
type Net struct {
	opts Options
	// Genesis founds the circle; every node starts from it.
	Genesis *protocol.Op

	mu      sync.Mutex
	members map[string]*Member
	order   []string
	cuts    map[[2]peer.ID]bool
}

// Member is one organisation of the test circle and its node.
type Member struct {
	// Name is the organisation's name in the test.
	Name string
	// Priv is its signing key, derived from the name.
	Priv ed25519.PrivateKey
	// Key is its member key.
	Key protocol.Key
	// ID is its node's peer ID.
	ID peer.ID
	// Dir is its node's badger directory.
	Dir string

	net    *Net
	node   *node.Node
	listen []string // the addresses of the first start, reused on restart
	peers  []string // Config.Peers
}

// KeyFor returns the deterministic signing key of the organisation name.
func KeyFor(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kring testnet member " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// EncKeyFor returns the X25519 encryption key of organisation name's test
// identity, derived from its name like KeyFor.
func EncKeyFor(name string) [32]byte {
	seed := sha256.Sum256([]byte("kring testnet encryption " + name))
	priv, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		panic(fmt.Sprintf("testnet: encryption key for %s: %v", name, err)) // any 32 bytes make an X25519 key
	}
	var k [32]byte
	copy(k[:], priv.PublicKey().Bytes())
	return k
}

// Profile returns the test profile of organisation name.
func Profile(name string) protocol.Profile {
	return protocol.Profile{Name: "Org " + name, Sector: "energy", Contact: "soc@" + name + ".example", Role: "CISO"}
}

// New founds a circle: it signs a genesis by every founder. No node runs
// until Start.
func New(opts Options) (*Net, error) {
	if opts.Charter.Name == "" {
		opts.Charter = protocol.DefaultCharter("testnet")
	}
	n := &Net{opts: opts, members: map[string]*Member{}, cuts: map[[2]peer.ID]bool{}}
	if opts.Genesis != nil {
		if err := n.adopt(opts.Genesis); err != nil {
			return nil, err
		}
		return n, nil
	}
	g := &protocol.Genesis{Charter: opts.Charter}
	for _, name := range opts.Founders {
		m, err := n.Add(name)
		if err != nil {
			return nil, err
		}
		g.Founders = append(g.Founders, protocol.Member{Key: m.Key, EncKey: EncKeyFor(name), Profile: Profile(name)})
	}
	op := &protocol.Op{Kind: protocol.KindGenesis, Seq: 1} // founders sign this op, its ts (0) included
	for _, name := range opts.Founders {
		if err := protocol.SignGenesis(g, op.TS, n.members[name].Priv); err != nil {
			return nil, fmt.Errorf("testnet: genesis: %w", err)
		}
	}
	if len(opts.Founders) == 0 {
		return nil, errors.New("testnet: no founders")
	}
	if err := protocol.Sign(op, g, n.members[opts.Founders[0]].Priv); err != nil {
		return nil, fmt.Errorf("testnet: genesis: %w", err)
	}
	n.Genesis = op
	return n, nil
}

// adopt starts the circle from a genesis op signed elsewhere, after
// checking that it is a genesis of the named founders.
func (n *Net) adopt(op *protocol.Op) error {
	g, ok := op.Content().(*protocol.Genesis)
	if !ok || !op.IsGenesis() {
		return fmt.Errorf("testnet: %s is not a genesis", op)
	}
	if len(g.Founders) != len(n.opts.Founders) {
		return fmt.Errorf("testnet: the genesis has %d founders, Options.Founders names %d", len(g.Founders), len(n.opts.Founders))
	}
	for i, name := range n.opts.Founders {
		m, err := n.Add(name)
		if err != nil {
			return err
		}
		if g.Founders[i].Key != m.Key {
			return fmt.Errorf("testnet: founder #%d of the genesis is not %s (key %s)", i+1, name, m.Key.Short())
		}
	}
	n.Genesis = op
	return nil
}

// Add creates an organisation that is not (yet) a member: an applicant or
// a stranger. Its node starts with Start like any other.
func (n *Net) Add(name string) (*Member, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.members[name]; ok {
		return nil, fmt.Errorf("testnet: %s exists", name)
	}
	priv := KeyFor(name)
	m := &Member{Name: name, Priv: priv, Key: protocol.KeyOf(priv), Dir: filepath.Join(n.opts.Dir, name), net: n}
	id, err := peerID(m.Key)
	if err != nil {
		return nil, err
	}
	m.ID = id
	n.members[name] = m
	n.order = append(n.order, name)
	return m, nil
}

// M returns the member called name; it panics on an unknown name, which
// is a mistake in the test itself.
func (n *Net) M(name string) *Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	m, ok := n.members[name]
	if !ok {
		panic("testnet: no member " + name)
	}
	return m
}

// Names returns every organisation's name in the order they were added.
func (n *Net) Names() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.order...)
}

// Running returns the members whose nodes run.
func (n *Net) Running() []*Member {
	var out []*Member
	for _, name := range n.Names() {
		if m := n.M(name); m.Node() != nil {
			out = append(out, m)
		}
	}
	return out
}

// Application returns the organisation's signed application to the circle.
func (m *Member) Application() *protocol.Application {
	app := &protocol.Application{Group: m.net.Genesis.Hash(), Member: protocol.Member{EncKey: EncKeyFor(m.Name), Profile: Profile(m.Name)}}
	if err := protocol.SignApplication(app, m.Priv); err != nil {
		panic(fmt.Sprintf("testnet: signing %s's application: %v", m.Name, err))
	}
	return app
}

// Node returns the member's running node, or nil.
func (m *Member) Node() *node.Node {
	m.net.mu.Lock()
	defer m.net.mu.Unlock()
	return m.node
}

// SetPeers sets the peers the member's node dials at start.
func (m *Member) SetPeers(others ...*Member) {
	var addrs []string
	for _, o := range others {
		if nd := o.Node(); nd != nil {
			addrs = append(addrs, nd.P2PAddrs()...)
		}
	}
	m.net.mu.Lock()
	m.peers = addrs
	m.net.mu.Unlock()
}

// Start starts the member's node on its directory: on the ports of its
// first start, if it ran before.
func (m *Member) Start(ctx context.Context) error {
	n := m.net
	cfg := node.DefaultLocalConfig()
	cfg.Key = m.Priv
	cfg.Genesis = n.Genesis.Bytes()
	cfg.DataDir = m.Dir
	cfg.Logger = n.opts.Logger
	n.mu.Lock()
	if m.node != nil {
		n.mu.Unlock()
		return fmt.Errorf("testnet: %s already runs", m.Name)
	}
	if m.listen != nil {
		cfg.ListenAddrs = m.listen
	}
	cfg.Peers = m.peers
	n.mu.Unlock()
	self := m.ID
	cfg.Refuse = func(p peer.ID) bool { return n.isCut(self, p) }
	if n.opts.Config != nil {
		n.opts.Config(m.Name, &cfg)
	}
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return fmt.Errorf("testnet: %w", err)
	}
	nd, err := node.New(ctx, cfg)
	if err != nil {
		return fmt.Errorf("testnet: starting %s: %w", m.Name, err)
	}
	n.mu.Lock()
	m.node = nd
	if m.listen == nil {
		for _, a := range nd.AddrInfo().Addrs {
			m.listen = append(m.listen, a.String())
		}
	}
	n.mu.Unlock()
	return nil
}

// NewPorts makes the member's next Start listen on fresh ports, as a
// server that moved would: the others cannot redial it, it must dial them
// from what it remembers.
func (m *Member) NewPorts() {
	m.net.mu.Lock()
	m.listen = nil
	m.net.mu.Unlock()
}

// Stop stops the member's node; its directory stays for a restart.
func (m *Member) Stop() error {
	m.net.mu.Lock()
	nd := m.node
	m.node = nil
	m.net.mu.Unlock()
	if nd == nil {
		return nil
	}
	return nd.Close()
}

// Start starts every founder's node and connects each to all others.
func (n *Net) Start(ctx context.Context) error {
	return n.StartNodes(ctx, n.opts.Founders...)
}

// StartNodes starts the named members' nodes and connects every running
// node to all others.
func (n *Net) StartNodes(ctx context.Context, names ...string) error {
	for _, name := range names {
		if err := n.M(name).Start(ctx); err != nil {
			return err
		}
	}
	return n.ConnectAll(ctx)
}

// ConnectAll dials every running node from every other one.
func (n *Net) ConnectAll(ctx context.Context) error {
	ms := n.Running()
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			if err := connect(ctx, a, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// connect dials b from a until they are connected. A dial may meet the
// nodes' own redials half-way and fail; the next one, or the redial, gets
// through. Both nodes must run.
func connect(ctx context.Context, a, b *Member) error {
	var err error
	for try := 0; try < 20; try++ {
		if a.Connected(b) {
			return nil
		}
		an, bn := a.Node(), b.Node()
		if an == nil || bn == nil {
			return fmt.Errorf("testnet: connecting %s to %s: both must run", a.Name, b.Name)
		}
		if err = an.Connect(ctx, bn.AddrInfo()); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("testnet: connecting %s to %s: %w", a.Name, b.Name, err)
}

// Close stops every node.
func (n *Net) Close() error {
	var errs []error
	for _, m := range n.Running() {
		errs = append(errs, m.Stop())
	}
	return errors.Join(errs...)
}

func peerID(k protocol.Key) (peer.ID, error) {
	id, err := node.PeerID(k)
	if err != nil {
		return "", fmt.Errorf("testnet: %w", err)
	}
	return id, nil
}
