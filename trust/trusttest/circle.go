package trusttest

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// EncKeyFor returns the deterministic X25519 encryption key of the actor
// called name.
func EncKeyFor(name string) [32]byte {
	seed := sha256.Sum256([]byte("kring/test/enc/" + name))
	priv, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		panic(fmt.Sprintf("trusttest: encryption key for %s: %v", name, err)) // any 32 bytes make an X25519 key
	}
	var k [32]byte
	copy(k[:], priv.PublicKey().Bytes())
	return k
}

// KeyFor returns the deterministic private key of the actor called name.
func KeyFor(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kring test actor " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Actor is one organisation in a test circle: its key, its node's engine,
// and its author chain.
type Actor struct {
	// Name is the actor's name in the test.
	Name string
	// Priv is the actor's signing key, derived from its name.
	Priv ed25519.PrivateKey
	// Key is the actor's public key.
	Key protocol.Key
	// Engine is what the actor's node has seen; nil until it has the
	// genesis.
	Engine *trust.Engine

	seq  uint64
	last *protocol.Hash
	app  *protocol.Application
}

// Circle is a set of actors sharing one genesis. Names map to actors.
type Circle struct {
	// Genesis founds the circle.
	Genesis *protocol.Op
	// Actors are the organisations, by name.
	Actors map[string]*Actor
	// Ops is every op any actor created, in creation order.
	Ops []*protocol.Op
	// TS is the timestamp the next op carries; it only rises.
	TS int64
}

// NewCircle founds a circle whose founders are the named actors, in order
// (founders[0] is the initiator), under charter.
func NewCircle(charter protocol.Charter, founders ...string) (*Circle, error) {
	c := &Circle{Actors: map[string]*Actor{}}
	g := &protocol.Genesis{Charter: charter}
	for _, name := range founders {
		a := c.Actor(name)
		g.Founders = append(g.Founders, protocol.Member{Key: a.Key, EncKey: EncKeyFor(name), Profile: Profile(name)})
	}
	for _, name := range founders {
		if err := protocol.SignGenesis(g, 0, c.Actors[name].Priv); err != nil {
			return nil, err
		}
	}
	op := &protocol.Op{Kind: protocol.KindGenesis, Seq: 1}
	if err := protocol.Sign(op, g, c.Actors[founders[0]].Priv); err != nil {
		return nil, err
	}
	c.Genesis = op
	c.Ops = append(c.Ops, op)
	for _, name := range founders {
		if err := c.Actors[name].join(op); err != nil {
			return nil, err
		}
	}
	init := c.Actors[founders[0]]
	init.seq, init.last = 1, hashPtr(op.Hash())
	return c, nil
}

// Profile returns the test profile of the organisation called name (the
// name cut to valid UTF-8 of at most 64 bytes, so the profile is always
// valid).
func Profile(name string) protocol.Profile {
	name = strings.ToValidUTF8(name, "?")
	if len(name) > 64 {
		name = strings.ToValidUTF8(name[:64], "")
	}
	return protocol.Profile{Name: "Org " + name, Sector: "energy", Contact: name + "@example.org", Role: "CISO"}
}

// Actor returns the actor called name, creating it (without the genesis)
// if it is new.
func (c *Circle) Actor(name string) *Actor {
	if a, ok := c.Actors[name]; ok {
		return a
	}
	priv := KeyFor(name)
	a := &Actor{Name: name, Priv: priv, Key: protocol.KeyOf(priv)}
	c.Actors[name] = a
	return a
}

// Names returns the actors' names, sorted.
func (c *Circle) Names() []string {
	var out []string
	for n := range c.Actors {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (a *Actor) join(genesis *protocol.Op) error {
	if a.Engine != nil {
		return nil
	}
	e, err := trust.New(genesis)
	if err != nil {
		return err
	}
	a.Engine = e
	return nil
}

// preds returns the heads plus the author's previous op, which an op must
// cite even when a later op of another author already cites it.
func preds(heads []protocol.Hash, prev *protocol.Hash) []protocol.Hash {
	if prev != nil {
		heads = append(heads, *prev)
	}
	return protocol.SortPreds(heads)
}

func hashPtr(h protocol.Hash) *protocol.Hash { return &h }

// Application returns the actor's signed application to the circle,
// creating it on first use. Profile keeps every field valid, so signing
// cannot fail; if it ever did, the application would carry no signature and
// every engine would refuse the ops citing it.
func (c *Circle) Application(name string) *protocol.Application {
	a := c.Actor(name)
	if a.app == nil {
		app := &protocol.Application{Group: c.Genesis.Hash(), Member: protocol.Member{EncKey: EncKeyFor(name), Profile: Profile(name)}}
		_ = protocol.SignApplication(app, a.Priv)
		a.app = app
	}
	return a.app
}

// Sign builds the actor's next op over body, citing the actor's heads, and
// returns it without applying it anywhere. The actor must have the genesis.
func (c *Circle) Sign(name string, body protocol.Body) (*protocol.Op, error) {
	a := c.Actor(name)
	if a.Engine == nil {
		if err := a.join(c.Genesis); err != nil {
			return nil, err
		}
	}
	c.TS++
	op := &protocol.Op{
		Group: c.Genesis.Hash(),
		Seq:   a.seq + 1,
		Prev:  a.last,
		Preds: preds(a.Engine.Heads(), a.last),
		Epoch: a.Engine.Epoch(),
		Kind:  body.Kind(),
		TS:    c.TS,
	}
	if err := protocol.Sign(op, body, a.Priv); err != nil {
		return nil, err
	}
	return op, nil
}

// Do signs the actor's next op over body and applies it to the actor's own
// engine. The actor's chain advances only when its engine accepts the op.
func (c *Circle) Do(name string, body protocol.Body) (*protocol.Op, error) {
	op, err := c.Sign(name, body)
	if err != nil {
		return nil, err
	}
	a := c.Actors[name]
	if err := a.Engine.Apply(op); err != nil {
		return op, err
	}
	a.seq, a.last = op.Seq, hashPtr(op.Hash())
	c.Ops = append(c.Ops, op)
	return op, nil
}

// Fork makes the actor sign a second op at its current seq, citing the
// same prev as its last op: an equivocation. The op is applied nowhere.
func (c *Circle) Fork(name string, body protocol.Body) (*protocol.Op, error) {
	a := c.Actor(name)
	if a.last == nil || a.Engine == nil {
		return nil, fmt.Errorf("trusttest: %s has signed nothing to fork", name)
	}
	i := slices.IndexFunc(c.Ops, func(o *protocol.Op) bool { return o.Hash() == *a.last })
	if i < 0 {
		return nil, fmt.Errorf("trusttest: %s has no last op", name)
	}
	last := c.Ops[i]
	c.TS++
	op := &protocol.Op{Group: last.Group, Seq: last.Seq, Prev: last.Prev, Preds: last.Preds, Epoch: last.Epoch, Kind: body.Kind(), TS: c.TS}
	if err := protocol.Sign(op, body, a.Priv); err != nil {
		return nil, err
	}
	c.Ops = append(c.Ops, op)
	return op, nil
}

// Deliver applies op to the named actor's engine.
func (c *Circle) Deliver(name string, op *protocol.Op) error {
	a := c.Actor(name)
	if a.Engine == nil {
		if err := a.join(c.Genesis); err != nil {
			return err
		}
	}
	return a.Engine.Apply(op)
}

// Sync delivers to actor to every op that actor from has and to lacks, in
// causal order. Ops to's engine refuses are returned, by hash.
func (c *Circle) Sync(to, from string) map[protocol.Hash]error {
	src := c.Actor(from)
	errs := map[protocol.Hash]error{}
	for _, op := range c.Ops {
		if src.Engine == nil || !src.Engine.Has(op.Hash()) || c.Actor(to).Engine != nil && c.Actor(to).Engine.Has(op.Hash()) {
			continue
		}
		if op.Kind == protocol.KindGenesis {
			if err := c.Actor(to).join(op); err != nil {
				errs[op.Hash()] = err
			}
			continue
		}
		if err := c.Deliver(to, op); err != nil {
			errs[op.Hash()] = err
		}
	}
	return errs
}

// SyncAll syncs every pair of the named actors (every actor when none is
// named), in two rounds: afterwards each has every op any of them had,
// except ops an engine refused, which are returned by hash.
func (c *Circle) SyncAll(names ...string) map[protocol.Hash]error {
	if len(names) == 0 {
		names = c.Names()
	}
	errs := map[protocol.Hash]error{}
	for range 2 {
		for _, to := range names {
			for _, from := range names {
				if to != from {
					for h, err := range c.Sync(to, from) {
						errs[h] = err
					}
				}
			}
		}
	}
	return errs
}

// Endorse makes name vote for the Admit of candidate's application, with
// evidence text hashed into the vote.
func (c *Circle) Endorse(name, candidate, evidence string) (*protocol.Op, error) {
	return c.Do(name, &protocol.Vote{
		Motion:   protocol.Motion{Kind: protocol.MotionAdmit, Application: c.Application(candidate)},
		Evidence: sha256.Sum256([]byte(evidence)),
	})
}

// Vote makes name vote for motion m.
func (c *Circle) Vote(name string, m protocol.Motion) (*protocol.Op, error) {
	return c.Do(name, &protocol.Vote{Motion: m})
}

// Enact makes name enact m citing every counting vote for m that name's
// engine knows (at most protocol.MaxVotes, one per voter).
func (c *Circle) Enact(name string, m protocol.Motion) (*protocol.Op, error) {
	a := c.Actor(name)
	if a.Engine == nil {
		if err := a.join(c.Genesis); err != nil {
			return nil, err
		}
	}
	return c.Do(name, &protocol.Enact{Motion: m, Votes: c.Votes(name, m)})
}

// Votes returns the counting votes for m in name's State, one per voter.
func (c *Circle) Votes(name string, m protocol.Motion) []protocol.Hash {
	t, _ := c.Actor(name).Engine.State().Tally(m.Hash())
	seen := map[protocol.Key]bool{}
	var votes []protocol.Hash
	for _, h := range t.Votes {
		op, _ := c.Actor(name).Engine.Op(h)
		if !seen[op.Author] && len(votes) < protocol.MaxVotes {
			seen[op.Author] = true
			votes = append(votes, h)
		}
	}
	return protocol.SortPreds(votes)
}

// Admit is the Admit motion of candidate's application.
func (c *Circle) Admit(candidate string) protocol.Motion {
	return protocol.Motion{Kind: protocol.MotionAdmit, Application: c.Application(candidate)}
}

// Suspend is a suspension motion against target; caseID tells rounds apart.
func (c *Circle) Suspend(target, caseID string) protocol.Motion {
	k := c.Actor(target).Key
	return protocol.Motion{Kind: protocol.MotionSuspend, Target: &k, Case: []byte(caseID)}
}

// Revoke is the revocation motion against target.
func (c *Circle) Revoke(target string) protocol.Motion {
	k := c.Actor(target).Key
	return protocol.Motion{Kind: protocol.MotionRevoke, Target: &k}
}

// Unsuspend is the motion lifting the named suspension motions of target.
func (c *Circle) Unsuspend(target string, suspensions ...protocol.Motion) protocol.Motion {
	k := c.Actor(target).Key
	var lifts []protocol.Hash
	for _, s := range suspensions {
		lifts = append(lifts, s.Hash())
	}
	return protocol.Motion{Kind: protocol.MotionUnsuspend, Target: &k, Lifts: protocol.SortPreds(lifts)}
}

// Advise makes name publish an advisory.
func (c *Circle) Advise(name, title string, tlp protocol.TLP) (*protocol.Op, error) {
	return c.Do(name, &protocol.Advisory{Title: title, TLP: tlp})
}

// Leave makes name leave the circle.
func (c *Circle) Leave(name string) (*protocol.Op, error) {
	return c.Do(name, &protocol.Leave{})
}
