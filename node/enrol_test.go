package node

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// TestEnactmentKeepsItsSeq signs a newcomer's Admit enactment, which the
// node cannot store yet, and checks that the node never signs a second
// op with its seq: not on a second try, not after a restart, and only
// after dropping a refused enactment may it sign anew.
func TestEnactmentKeepsItsSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var votes []protocol.Hash
	for _, v := range []string{"A", "B", "C"} {
		votes = append(votes, must(t)(c.Endorse(v, "X", "vetted")).Hash())
	}
	adm := &protocol.SyncResponse{Votes: votes, Heads: votes, Epoch: c.Genesis.Hash()}
	dir := t.TempDir()

	l, n := newTestLoop(t, c, "X", dir, nil)
	first, err := l.signEnact(m, adm)
	if err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || l.outstanding() != first {
		t.Fatalf("signed %s, outstanding %v; want seq 1, outstanding", first, l.outstanding())
	}
	l.commit()
	if again, err := l.signEnact(m, adm); err != nil || again.Hash() != first.Hash() {
		t.Fatalf("a second try signed %v (%v); want the same enactment", again, err)
	}
	if _, err := l.sign(&protocol.Advisory{Title: "too early", TLP: protocol.TLPGreen}); err == nil {
		t.Fatal("the node signed an op while its enactment is outstanding")
	}
	if err := n.store.Close(); err != nil {
		t.Fatal(err)
	}

	l, n = newTestLoop(t, c, "X", dir, nil)
	if own := l.outstanding(); own == nil || own.Hash() != first.Hash() {
		t.Fatalf("after a restart the outstanding enactment is %v; want %s", own, first)
	}
	if again, err := l.signEnact(m, adm); err != nil || again.Hash() != first.Hash() {
		t.Fatalf("after a restart a try signed %v (%v); want the same enactment", again, err)
	}

	l.dropOwn(first)
	l.commit()
	if own, err := n.store.Outstanding(); err != nil || own != nil || l.outstanding() != nil {
		t.Fatalf("after dropping: store keeps %v (%v), loop %v", own, err, l.outstanding())
	}
	adm.Epoch = protocol.Hash{9} // a corrected answer yields another op
	second, err := l.signEnact(m, adm)
	if err != nil || second.Seq != 1 || second.Hash() == first.Hash() {
		t.Fatalf("after dropping, signed %v (%v); want a new seq-1 op", second, err)
	}
}

// TestInvalidEnactmentFreesItsSeq: once the node holds the past of its
// outstanding enactment and its own log refuses the op (here: a wrong
// epoch, as a lying member would have it sign), the seq is free again.
func TestInvalidEnactmentFreesItsSeq(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var votes []*protocol.Op
	var hashes []protocol.Hash
	for _, v := range []string{"A", "B", "C"} {
		op := must(t)(c.Endorse(v, "X", "vetted"))
		votes, hashes = append(votes, op), append(hashes, op.Hash())
	}
	l, n := newTestLoop(t, c, "X", t.TempDir(), nil)
	lie := &protocol.SyncResponse{Votes: hashes, Heads: hashes, Epoch: protocol.Hash{9}}
	bad, err := l.signEnact(m, lie)
	if err != nil {
		t.Fatal(err)
	}
	l.commit()
	for _, op := range votes {
		l.ingest(op, true)
	}
	l.commit()
	if l.outstanding() != nil {
		t.Fatalf("the refused enactment %s is still outstanding", bad)
	}
	if own, err := n.store.Outstanding(); err != nil || own != nil {
		t.Fatalf("the store still keeps %v (%v)", own, err)
	}
	if has, _ := n.store.Has(bad.Hash()); has {
		t.Fatal("the refused enactment was stored")
	}
	good, err := l.signEnact(m, &protocol.SyncResponse{Votes: hashes, Heads: hashes, Epoch: c.Genesis.Hash()})
	if err != nil || good.Seq != 1 {
		t.Fatalf("signing anew: %v (%v), want seq 1", good, err)
	}
	l.commit()
	if has, _ := n.store.Has(good.Hash()); !has || l.outstanding() != nil {
		t.Fatalf("the valid enactment is stored %v, outstanding %v; want stored and settled", has, l.outstanding())
	}
}

// TestRefusedEnactmentKeepsTheTrustError: an enactment the node's own
// log refuses at once (it holds the votes; the epoch is wrong) is an
// error that names the reason and wraps the trust error, for errors.Is.
func TestRefusedEnactmentKeepsTheTrustError(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: c.Application("X")}
	var hashes []protocol.Hash
	l, _ := newTestLoop(t, c, "X", t.TempDir(), nil)
	for _, v := range []string{"A", "B", "C"} {
		op := must(t)(c.Endorse(v, "X", "vetted"))
		l.ingest(op, true)
		hashes = append(hashes, op.Hash())
	}
	l.commit()
	op, err := l.signEnact(m, &protocol.SyncResponse{Votes: hashes, Heads: hashes, Epoch: protocol.Hash{9}})
	if !errors.Is(err, trust.ErrWrongEpoch) || !strings.Contains(err.Error(), "the enactment would be refused: wrong-epoch: ") {
		t.Fatalf("signing over a wrong epoch: %v, %v; want an error wrapping trust.ErrWrongEpoch", op, err)
	}
	if l.outstanding() != nil {
		t.Fatal("the refused enactment is outstanding")
	}
}

// TestEnrolAsksOnlySharingMembers: an applicant connected only to a peer
// its log does not hold as a member (here a configured bootstrap peer
// with a stranger's key, which holds the log and would answer) asks it
// nothing and signs nothing: the heads and epoch of an enactment come
// from members only. Connected to a member, it enrols.
func TestEnrolAsksOnlySharingMembers(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	for _, v := range []string{"A", "B", "C"} {
		must(t)(c.Endorse(v, "X", "vetted"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	holder := func(name string) *Node {
		n := startNode(t, c, name, nil)
		if _, err := n.submit(ctx, c.Ops[1:]); err != nil {
			t.Fatal(err)
		}
		return n
	}
	e := holder("E") // not in the circle: a stranger to every log
	x := startNode(t, c, "X", func(cfg *Config) { cfg.Peers = e.P2PAddrs() })
	waitUntil(t, ctx, "X to connect to E", func() bool {
		return x.host.Network().Connectedness(e.ID()) == network.Connected
	})
	if s := x.Standing(e.ID()); s != Bootstrap {
		t.Fatalf("X's standing of E is %s, want bootstrap", s)
	}
	if _, err := x.Enrol(ctx, app); !errors.Is(err, ErrNotEndorsed) || !strings.Contains(err.Error(), "no member of the sharing set") {
		t.Fatalf("Enrol with only a non-member connected: %v, want ErrNotEndorsed naming no member", err)
	}
	if own, err := x.store.Outstanding(); err != nil || own != nil {
		t.Fatalf("X signed %v (%v) on a non-member's word", own, err)
	}

	a := holder("A")
	if err := x.host.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	op, err := x.Enrol(ctx, app)
	if err != nil {
		t.Fatalf("Enrol with member A connected: %v", err)
	}
	waitUntil(t, ctx, "A to store X's enactment", func() bool {
		has, _ := a.store.Has(op.Hash())
		return has
	})
}

// TestEnrolmentShowsProgress: a member lets an applicant it endorsed in,
// so the applicant sees its progress before it has the k endorsements it
// needs (1 of 3, by A, though A endorsed it twice), signs nothing then,
// and once B and C endorse too enacts its admission citing each endorser
// once. A member's repeat endorsement, cited, counts once.
func TestEnrolmentShowsProgress(t *testing.T) {
	c := newCircle(t, "A", "B", "C")
	app := c.Application("X")
	m := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	a1 := must(t)(c.Endorse("A", "X", "met their CISO"))
	a2 := must(t)(c.Endorse("A", "X", "met their CISO, again"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startNode(t, c, "A", nil)
	if _, err := a.submit(ctx, c.Ops[1:]); err != nil {
		t.Fatal(err)
	}
	var logs lockedLog
	x := startNode(t, c, "X", func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	if _, ok := x.Enrolment(); ok {
		t.Fatal("an Enrolment before Enrol ran")
	}
	if s := a.Standing(x.ID()); s != Endorsed {
		t.Fatalf("A's standing of X, endorsed once: %s, want endorsed", s)
	}
	if err := x.host.Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatalf("X, endorsed by A, cannot connect to A: %v", err)
	}
	if _, err := x.Enrol(ctx, app); !errors.Is(err, ErrNotEndorsed) {
		t.Fatalf("Enrol with 1 of 3 endorsements: %v, want ErrNotEndorsed", err)
	}
	e, ok := x.Enrolment()
	if !ok || !e.Known || e.Enough || e.Needed != 3 || e.Missing() != 2 || len(e.Endorsers) != 1 || e.Endorsers[0] != c.Actor("A").Key {
		t.Fatalf("Enrolment after 1 of 3: %+v (%s), want A's endorsement known, 2 missing", e, e)
	}
	if own, err := x.store.Outstanding(); err != nil || own != nil {
		t.Fatalf("X signed %v (%v) with 1 of 3 endorsements", own, err)
	}
	// Short of endorsements, X may ask about its own application only.
	for _, req := range []*protocol.SyncRequest{
		{Kind: protocol.SyncPush, Ops: [][]byte{a1.Bytes()}},
		{Kind: protocol.SyncGet, Want: []protocol.Hash{a1.Hash(), c.Genesis.Hash()}},
		{Kind: protocol.SyncTips},
	} {
		req.Group = a.Group()
		if resp := a.sync.answer(ctx, x.ID(), req); resp.Refused != ReasonNotMember.String() || len(resp.Ops) != 0 {
			t.Errorf("%s by X short of endorsements: refused %q, %d ops; want not-member", req.Kind, resp.Refused, len(resp.Ops))
		}
	}
	other := &protocol.SyncRequest{Group: a.Group(), Kind: protocol.SyncAdmission, Application: c.Application("Y")}
	if resp := a.sync.answer(ctx, x.ID(), other); resp.Refused != ReasonNotOwnApplication.String() || len(resp.Ops) != 0 {
		t.Errorf("X asking about Y's application: refused %q, %d ops; want not-own-application", resp.Refused, len(resp.Ops))
	}

	// Asked directly, the applicant counts A's two endorsements once.
	b := must(t)(c.Endorse("B", "X", "references"))
	cc := must(t)(c.Endorse("C", "X", "site visit"))
	if _, err := a.submit(ctx, []*protocol.Op{b, cc}); err != nil {
		t.Fatal(err)
	}
	conn, err := x.sync.open(ctx, a.ID())
	if err != nil {
		t.Fatal(err)
	}
	votes, voters, err := x.checkEndorsements(conn, m, []protocol.Hash{a1.Hash(), a2.Hash(), b.Hash(), cc.Hash()})
	conn.close()
	if err != nil || len(votes) != 3 || len(voters) != 3 {
		t.Fatalf("checkEndorsements of A, A, B, C: %d votes by %d voters (%v), want 3 by 3", len(votes), len(voters), err)
	}

	op, err := x.Enrol(ctx, app)
	if err != nil {
		t.Fatalf("Enrol with 3 of 3 endorsements, one of them repeated: %v", err)
	}
	if cited := op.Content().(*protocol.Enact).Votes; len(cited) != 3 {
		t.Errorf("the enactment cites %d votes, want one per endorser (3)", len(cited))
	}
	if e, _ := x.Enrolment(); !e.Enough || len(e.Endorsers) != 3 || e.Missing() != 0 {
		t.Errorf("Enrolment after 3 of 3: %+v, want enough", e)
	}
	waitUntil(t, ctx, "A to store X's enactment", func() bool {
		has, _ := a.store.Has(op.Hash())
		return has
	})

	// A member shows enough endorsements, but this node cannot enact
	// with them (here: it has a chain already): the reason is kept and
	// logged at INFO, once.
	waitUntil(t, ctx, "X to hold its own enactment", func() bool {
		has, _ := x.store.Has(op.Hash())
		return has && x.do(ctx, func(l *loop) {}) == nil
	})
	for range 2 {
		if _, err := x.Enrol(ctx, app); err == nil {
			t.Fatal("X enacted its admission twice")
		}
	}
	if e, _ := x.Enrolment(); !e.Enough || !strings.Contains(e.Problem, "already has a chain") {
		t.Errorf("Enrolment when enacting fails: %+v, want enough and the reason", e)
	}
	const line = "a member shows enough endorsements, but this node cannot enact its admission with them"
	if got := strings.Count(logs.String(), line); got != 1 || !strings.Contains(logs.String(), "level=INFO msg=\""+line) {
		t.Errorf("the mismatch was logged %d times, want once at INFO:\n%s", got, logs.String())
	}
}

// lockedLog is a log buffer safe for the node's goroutines.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
