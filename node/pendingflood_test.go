package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// orphans returns n advisories of group, each citing preds random hashes
// that no log holds and carrying pad bytes of content. A nil key signs
// each with a fresh key (a stranger); otherwise key signs them all, as
// ops of seq 2, 3, … whose prev is missing too.
func orphans(t testing.TB, group protocol.Hash, key ed25519.PrivateKey, n, preds, pad int) []*protocol.Op {
	t.Helper()
	out := make([]*protocol.Op, n)
	for i := range out {
		priv := key
		if priv == nil {
			_, priv, _ = ed25519.GenerateKey(rand.Reader)
		}
		ps := make([]protocol.Hash, preds)
		for j := range ps {
			rand.Read(ps[j][:])
		}
		op := &protocol.Op{Group: group, Seq: uint64(i) + 2, Preds: protocol.SortPreds(ps), Kind: protocol.KindAdvisory, TS: 1}
		op.Prev = &op.Preds[0]
		body := &protocol.Advisory{Title: "orphan", TLP: protocol.TLPGreen, Content: bytes.Repeat([]byte{'x'}, pad)}
		if err := protocol.Sign(op, body, priv); err != nil {
			t.Fatalf("signing an orphan: %v", err)
		}
		out[i] = op
	}
	return out
}

// pendingFigures are what the loop's pending set holds.
type pendingFigures struct{ ops, bytes, index int }

func figures(t *testing.T, n *Node) pendingFigures {
	t.Helper()
	var f pendingFigures
	err := n.do(context.Background(), func(l *loop) {
		f = pendingFigures{ops: l.pending.len(), bytes: l.pending.bytes}
		for _, ws := range l.pending.waiting {
			f.index += len(ws)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestStrangersOrphansAreNotParked is finding 1 of issue 12: a member
// floods ops signed by fresh keys, each citing 64 random preds, by sync
// push, by gossip and in sync answers, and a bootstrap peer that is no
// member does the same in its sync answers. None may be parked: their
// authors are strangers to the State. An orphan of a member is parked.
func TestStrangersOrphansAreNotParked(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	_, bootKey, _ := ed25519.GenerateKey(rand.Reader)
	boot, err := PeerID(protocol.KeyOf(bootKey))
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, c, "D", func(cfg *Config) {
		cfg.Peers = []string{"/ip4/127.0.0.1/tcp/9/p2p/" + boot.String()}
	})
	if s := n.Standing(boot); s != Bootstrap {
		t.Fatalf("the configured peer is %s, want bootstrap", s)
	}
	ctx := context.Background()
	b := peerOf(t, c, "B")
	ops := orphans(t, n.Group(), nil, 2000, 64, 0)

	for i := 0; i < 500; i += 100 {
		var raw [][]byte
		for _, op := range ops[i : i+100] {
			raw = append(raw, op.Bytes())
		}
		if resp := n.sync.servePush(ctx, b, Sharing, raw); resp.Refused != ReasonUnknownAuthor.String() || resp.Accepted != 0 {
			t.Fatalf("push of strangers' orphans: accepted %d, refused %q; want 0, unknown-author", resp.Accepted, resp.Refused)
		}
	}
	for _, op := range ops[500:1000] {
		if res := n.validate(ctx, b, &pubsub.Message{Message: &pb.Message{Data: op.Bytes()}}); res != pubsub.ValidationIgnore {
			t.Fatalf("gossip of a stranger's orphan: %v, want Ignore", res)
		}
	}
	if _, err := n.submit(withForwarder(ctx, b), ops[1000:1500]); err != nil {
		t.Fatal(err)
	}
	if _, err := n.submit(withForwarder(ctx, boot), ops[1500:]); err != nil {
		t.Fatal(err)
	}
	if f := figures(t, n); f != (pendingFigures{}) {
		t.Fatalf("after %d strangers' orphans: %d parked, %d bytes counted, %d index entries; want none", len(ops), f.ops, f.bytes, f.index)
	}
	if got := n.Verdicts()["ignore/unknown-author"]; got != uint64(len(ops)) {
		t.Errorf("ignore/unknown-author counted %d, want %d", got, len(ops))
	}

	mine := orphans(t, n.Group(), trusttest.KeyFor("A"), 1, 64, 0)
	if _, err := n.submit(withForwarder(ctx, b), mine); err != nil {
		t.Fatal(err)
	}
	if f := figures(t, n); f.ops != 1 || f.index != 64 {
		t.Fatalf("a member's orphan: %d parked with %d index entries, want 1 with 64", f.ops, f.index)
	}
}

// quotaLimits are pending limits whose forwarders may each park peerOps
// ops of the given cost; the whole set holds 4 times as much.
func quotaLimits(cost, peerOps int) pendingLimits {
	return pendingLimits{maxBytes: 4 * peerOps * cost, maxOps: 4 * peerOps, peerBytes: peerOps * cost, peerOps: 4 * peerOps, ttl: time.Minute}
}

// TestForwarderQuota floods the loop with a member's orphans through one
// forwarder, F: what F has parked never exceeds its quota, F loses its own
// oldest ops, and an op another forwarder, H, parked meanwhile stays and
// is applied once its preds arrive.
func TestForwarderQuota(t *testing.T) {
	d := newDiamond(t)
	l, _ := newTestLoop(t, d.c, "D", "", nil)
	flood := orphans(t, d.c.Genesis.Hash(), trusttest.KeyFor("C"), 400, 16, 0)
	cost := parkedCost(flood[len(flood)-1], 16) // the largest
	l.pending = newPendingSet(quotaLimits(cost, 50))
	const f, h = peer.ID("F"), peer.ID("H")

	if v := l.ingestFrom(d.x, h, true); v != ignore(ReasonMissingPreds) {
		t.Fatalf("X from H: %+v", v)
	}
	for i, op := range flood {
		if v := l.ingestFrom(op, f, true); v != ignore(ReasonMissingPreds) {
			t.Fatalf("orphan %d from F: %+v", i, v)
		}
		if n, b := l.pending.load(f); n > 50 || b > 50*cost {
			t.Fatalf("after %d orphans F holds %d ops, %d bytes; its quota is 50 ops, %d bytes", i+1, n, b, 50*cost)
		}
	}
	if n, _ := l.pending.load(f); n != 50 || !l.pending.has(flood[len(flood)-1].Hash()) || l.pending.has(flood[0].Hash()) {
		t.Fatalf("F holds %d ops; want its newest 50", n)
	}
	if !l.pending.has(d.x.Hash()) {
		t.Fatal("F's flood evicted X, which H parked")
	}
	l.ingestFrom(d.p1, h, true)
	if v := l.ingestFrom(d.p2, h, true); v != accept() || !l.eng.Has(d.x.Hash()) {
		t.Fatalf("P2: %+v; X applied %v, want X applied with its last pred", v, l.eng.Has(d.x.Hash()))
	}
}

// TestPendingSetFairShare fills the whole set through several forwarders:
// when it is full, the forwarder holding the most loses its oldest op, so
// a forwarder within its share keeps what it parked.
func TestPendingSetFairShare(t *testing.T) {
	ops := orphans(t, protocol.Hash{1}, trusttest.KeyFor("A"), 40, 4, 0)
	cost := parkedCost(ops[0], 4)
	lim := pendingLimits{maxBytes: 10 * cost, maxOps: 100, peerBytes: 8 * cost, peerOps: 100, ttl: time.Minute}
	p := newPendingSet(lim)
	now := time.Unix(0, 0)
	for _, op := range ops[:2] {
		p.add(op, op.Preds, "H", now)
	}
	for i, op := range ops[2:] {
		ev, ok := p.add(op, op.Preds, peer.ID("F"+string(rune('0'+i%3))), now)
		if !ok {
			t.Fatalf("op %d not parked", i)
		}
		for _, e := range ev {
			if e.from == "H" {
				t.Fatalf("op %d evicted one of H's 2 ops while three forwarders held more", i)
			}
		}
		if p.bytes > lim.maxBytes {
			t.Fatalf("the set holds %d bytes, over its bound %d", p.bytes, lim.maxBytes)
		}
	}
	if n, _ := p.load("H"); n != 2 {
		t.Fatalf("H holds %d ops, want 2", n)
	}
}

// TestPendingBoundCountsTheIndex parks members' orphans that cite 256
// missing preds each (the review's flood) under a 2 MiB bound: the index
// entries count in the bound, so the set holds as many as the bound
// allows for them, not as many as the ops' encodings alone would allow.
func TestPendingBoundCountsTheIndex(t *testing.T) {
	ops := orphans(t, protocol.Hash{1}, trusttest.KeyFor("A"), 400, protocol.MaxPreds, 0)
	const bound = 2 << 20
	p := newPendingSet(limitBytes(bound))
	now := time.Unix(0, 0)
	enc := 0
	for _, op := range ops {
		p.add(op, op.Preds, "F", now)
		enc += len(op.Bytes())
	}
	index := 0
	for _, ws := range p.waiting {
		index += len(ws)
	}
	if index*indexEntryBytes > p.bytes || p.bytes > bound {
		t.Fatalf("%d ops parked with %d index entries count %d bytes; want at least %d for the index, at most %d", p.len(), index, p.bytes, index*indexEntryBytes, bound)
	}
	if enc <= bound {
		t.Fatalf("the test's ops take %d bytes encoded, want more than the bound %d", enc, bound)
	}
	t.Logf("%d of %d orphans of %d bytes parked: %d index entries, %d bytes counted", p.len(), len(ops), len(ops[0].Bytes()), index, p.bytes)
}

// TestIncompleteParkedOpsCostTheForwarder parks a member's orphans from F
// and a completable op from H. F's orphans that its quota pushes out and
// those that expire are charged to F, which the gossip score then sees;
// H, whose op completed, is never charged.
func TestIncompleteParkedOpsCostTheForwarder(t *testing.T) {
	d := newDiamond(t)
	l, n := newTestLoop(t, d.c, "D", "", nil)
	flood := orphans(t, d.c.Genesis.Hash(), trusttest.KeyFor("C"), 700, 4, 0)
	cost := parkedCost(flood[len(flood)-1], 4) // the largest
	lim := quotaLimits(cost, 600)
	l.pending = newPendingSet(lim)
	const f, h = peer.ID("F"), peer.ID("H")

	l.ingestFrom(d.x, h, true)
	for _, op := range flood {
		l.ingestFrom(op, f, true)
	}
	l.ingestFrom(d.p1, h, true)
	l.ingestFrom(d.p2, h, true) // X completes
	now := time.Now()
	if got := n.penalties.of(f, now); math.Abs(got-100) > 0.01 {
		t.Fatalf("F's penalty after 100 orphans over its quota: %v, want 100", got)
	}
	later := now.Add(lim.ttl)
	l.expirePending(later)
	if l.pending.len() != 0 {
		t.Fatalf("%d ops still parked after their TTL", l.pending.len())
	}
	// The 100 charged first have decayed for one TTL; the 600 expired now.
	want := 600 + 100*math.Exp2(-float64(lim.ttl)/float64(penaltyHalfLife))
	pf, ph := n.penalties.of(f, later), n.penalties.of(h, later)
	if math.Abs(pf-want) > 0.01 || ph != 0 {
		t.Fatalf("penalties after expiry: F %v, H %v; want %v and 0", pf, ph, want)
	}
	if s := appScore(Sharing, pf); s > -500 {
		t.Errorf("F's app-specific score is %v, want it below the gossip threshold -500", s)
	}
	if s := appScore(Sharing, ph); s != 0 {
		t.Errorf("H's app-specific score is %v, want 0", s)
	}
	if got := n.penalties.of(f, later.Add(penaltyHalfLife)); math.Abs(got-want/2) > 0.01 {
		t.Errorf("F's penalty a half-life later: %v, want %v", got, want/2)
	}
	// Ops the node reloaded or parked itself are nobody's to pay for.
	l.ingestFrom(flood[0], restored, true)
	l.ingest(flood[1], true)
	l.expirePending(later.Add(lim.ttl))
	if got := n.penalties.snapshot(later); len(got) != 1 || l.pending.len() != 1 {
		t.Errorf("penalties %v, %d parked; want F's penalty alone, and the node's own op parked", got, l.pending.len())
	}
}

// BenchmarkParkedCost parks members' orphans citing 1, 64 and 256 missing
// preds and reports the heap the pending set takes per op beside what
// parkedCost counts for it (the op itself, held decoded, included).
func BenchmarkParkedCost(b *testing.B) {
	for _, preds := range []int{1, 64, protocol.MaxPreds} {
		b.Run(fmt.Sprint(preds, "-preds"), func(b *testing.B) {
			const n = 1000
			var heap, cost float64
			for range b.N {
				h0 := heapAlloc()
				ops := orphans(b, protocol.Hash{1}, trusttest.KeyFor("A"), n, preds, 0)
				p := newPendingSet(limitBytes(1 << 40))
				for _, op := range ops {
					p.add(op, op.Preds, "F", time.Time{})
				}
				heap += float64(heapAlloc()-h0) / n
				cost += float64(p.bytes) / n
				runtime.KeepAlive(p)
			}
			b.ReportMetric(heap/float64(b.N), "heap-B/op")
			b.ReportMetric(cost/float64(b.N), "counted-B/op")
		})
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestConfigPendingQuota refuses pending quotas the node cannot honour.
func TestConfigPendingQuota(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	for name, adjust := range map[string]func(*Config){
		"peer bytes under the largest op":  func(cfg *Config) { cfg.PendingPeerBytes = minPendingPeerBytes - 1 },
		"peer bytes over the node's bound": func(cfg *Config) { cfg.PendingPeerBytes = maxPendingBytes + 1 },
		"no peer ops":                      func(cfg *Config) { cfg.PendingPeerOps = 0 },
		"no TTL":                           func(cfg *Config) { cfg.PendingTTL = 0 },
	} {
		cfg := testConfig(c, "D")
		adjust(&cfg)
		if err := cfg.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: Validate = %v, want ErrConfig", name, err)
		}
	}
	cfg := testConfig(c, "D")
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the test config: %v", err)
	}
}

// TestManyBigParkedOpsAreWritten parks 600 members' ops of 8.9 KB, more
// than one badger transaction holds, and commits once they are due: all
// reach the store's pending buffer (finding 2 of issue 12: they failed
// with ErrTxnTooBig and were dropped from the to-write list).
func TestManyBigParkedOpsAreWritten(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D")
	l, n := newTestLoop(t, c, "D", "", nil)
	l.saveAt = 0
	ops := orphans(t, c.Genesis.Hash(), trusttest.KeyFor("A"), 600, 1, 8800)
	for _, op := range ops {
		if v := l.ingest(op, true); v != ignore(ReasonMissingPreds) { // no forwarder quota
			t.Fatalf("%s: %+v", op, v)
		}
	}
	l.commit()
	if got := n.store.PendingLen(); got != len(ops) || l.pending.len() != len(ops) {
		t.Fatalf("%d ops of %d bytes parked: %d in the store's buffer, %d in the loop; want all", len(ops), len(ops[0].Bytes()), got, l.pending.len())
	}
}
