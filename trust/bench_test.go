package trust_test

// Benchmarks of the trust bookkeeping beside the signature check it rides
// with. The goal: for a typical op, Apply costs less than
// protocol's Op.Verify.
//
//	go test ./trust -run '^$' -bench . -count 6
//
// The circles are built once per process, outside the timing: one node's
// engine sees every op, 200 members admitted by endorsements, then
// advisories and some membership ops, a share of them signed on stale heads
// so that they are concurrent with what came just before.

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

const (
	benchMembers = 200
	benchContent = 800 // advisory content bytes: a typical op of about 1 KiB
)

// benchCircle is one node's view of a circle built for benchmarks: every
// op is signed by a named actor and applied to the one engine.
type benchCircle struct {
	c       *trusttest.Circle // genesis, keys, applications, motions
	e       *trust.Engine
	members []string // admitted, founders first
	seq     map[string]uint64
	last    map[string]protocol.Hash
	ops     []*protocol.Op // every op applied, genesis first
	recent  [][]protocol.Hash
	names   map[protocol.Key]string
	rng     *rand.Rand
	ts      int64
}

func newBenchCircle(tb testing.TB) *benchCircle {
	founders := []string{"M000", "M001", "M002", "M003", "M004"}
	c, err := trusttest.NewCircle(protocol.DefaultCharter("bench"), founders...)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := trust.New(c.Genesis)
	if err != nil {
		tb.Fatal(err)
	}
	bc := &benchCircle{c: c, e: e, members: founders, seq: map[string]uint64{}, last: map[string]protocol.Hash{},
		ops: []*protocol.Op{c.Genesis}, rng: rand.New(rand.NewPCG(1, 2))}
	bc.seq[founders[0]], bc.last[founders[0]] = 1, c.Genesis.Hash()
	return bc
}

// sign signs name's next op over body citing heads (and name's previous
// op), without applying it or advancing name's chain.
func (bc *benchCircle) sign(tb testing.TB, name string, body protocol.Body, heads []protocol.Hash) *protocol.Op {
	bc.ts++
	op := &protocol.Op{Group: bc.c.Genesis.Hash(), Seq: bc.seq[name] + 1, Epoch: bc.e.State().Epoch, Kind: body.Kind(), TS: bc.ts}
	preds := slices.Clone(heads)
	if last, ok := bc.last[name]; ok {
		op.Prev = &last
		preds = append(preds, last)
	}
	op.Preds = protocol.SortPreds(preds)
	if err := protocol.Sign(op, body, bc.c.Actor(name).Priv); err != nil {
		tb.Fatal(err)
	}
	return op
}

// commit advances the author's chain past op.
func (bc *benchCircle) commit(op *protocol.Op, name string) {
	bc.seq[name], bc.last[name] = op.Seq, op.Hash()
}

// do signs name's next op over body on heads lag ops old (0: the current
// heads) and applies it; it reports whether the engine accepted it.
func (bc *benchCircle) do(tb testing.TB, name string, body protocol.Body, lag int) (*protocol.Op, bool) {
	heads := bc.e.Heads()
	if lag > 0 && lag <= len(bc.recent) {
		heads = bc.recent[len(bc.recent)-lag]
	}
	op := bc.sign(tb, name, body, heads)
	if err := bc.e.Apply(op); err != nil {
		if trust.IsTransient(err) {
			tb.Fatalf("%s: %v", op, err)
		}
		return op, false
	}
	bc.commit(op, name)
	bc.ops = append(bc.ops, op)
	bc.recent = append(bc.recent, bc.e.Heads())
	if len(bc.recent) > 16 {
		bc.recent = bc.recent[1:]
	}
	return op, true
}

func (bc *benchCircle) must(tb testing.TB, name string, body protocol.Body, lag int) *protocol.Op {
	op, ok := bc.do(tb, name, body, lag)
	if !ok {
		tb.Fatalf("%s refused: %v", op, bc.e.Check(op))
	}
	return op
}

func benchAdvisory(i int) *protocol.Advisory {
	content := make([]byte, benchContent)
	for j := range content {
		content[j] = byte('a' + (i+j)%26)
	}
	return &protocol.Advisory{Title: fmt.Sprintf("CVE-2026-%05d in a widely used VPN appliance", i), Summary: "Pre-auth RCE; patch now.",
		TLP: protocol.TLPAmber, Content: content}
}

func (bc *benchCircle) endorse(name, candidate string) *protocol.Vote {
	return &protocol.Vote{Motion: bc.c.Admit(candidate), Evidence: sha256.Sum256([]byte(name + " vetted " + candidate))}
}

func (bc *benchCircle) member() string { return bc.members[bc.rng.IntN(len(bc.members))] }

// voter returns a random member whose admission is settled: only such
// members' votes count (docs/membership.md §4.1, L of the settled State).
func (bc *benchCircle) voter() string {
	es := bc.endorsers()
	return es[bc.rng.IntN(len(es))]
}

// endorsers returns the members whose admission is settled: only they
// may endorse (docs/membership.md §5, draft 27).
func (bc *benchCircle) endorsers() []string {
	st := bc.e.State()
	var out []string
	for _, m := range bc.members {
		if trust.SettledMemberForTest(st, bc.c.Actor(m).Key) {
			out = append(out, m)
		}
	}
	return out
}

// admitAll admits members until there are n: three endorsements by random
// members whose admission is settled, then the candidate's Admit.
func (bc *benchCircle) admitAll(tb testing.TB, n int) {
	for i := len(bc.members); i < n; i++ {
		cand := fmt.Sprintf("M%03d", i)
		var votes []protocol.Hash
		endorsers := bc.endorsers()
		for _, e := range bc.rng.Perm(len(endorsers))[:3] {
			votes = append(votes, bc.must(tb, endorsers[e], bc.endorse(endorsers[e], cand), 0).Hash())
		}
		bc.must(tb, cand, &protocol.Enact{Motion: bc.c.Admit(cand), Votes: protocol.SortPreds(votes)}, 0)
		bc.members = append(bc.members, cand)
	}
}

// grow adds ops until there are total: mostly advisories, a quarter of
// them on stale heads; now and then a new applicant's endorsements, or a
// suspension of a member (concurrent with its advisories) that is later
// lifted, or a revocation.
func (bc *benchCircle) grow(tb testing.TB, total int) {
	applicants := 0
	for len(bc.ops) < total {
		lag := 0
		if bc.rng.IntN(4) == 0 {
			lag = 1 + bc.rng.IntN(8)
		}
		switch r := bc.rng.IntN(200); {
		case r == 0 && total-len(bc.ops) > 20:
			bc.suspendAndLift(tb)
		case r == 1 && total-len(bc.ops) > 10:
			bc.revokeOne(tb)
		case r < 12:
			cand := fmt.Sprintf("N%04d", applicants/2)
			applicants++
			e := bc.member()
			bc.do(tb, e, bc.endorse(e, cand), lag)
		default:
			bc.do(tb, bc.member(), benchAdvisory(len(bc.ops)), lag)
		}
	}
}

func (bc *benchCircle) votes(tb testing.TB, m protocol.Motion, target string, n int) []protocol.Hash {
	var votes []protocol.Hash
	voted := map[string]bool{target: true}
	for len(votes) < n {
		v := bc.voter()
		if voted[v] {
			continue
		}
		if op, ok := bc.do(tb, v, &protocol.Vote{Motion: m}, bc.rng.IntN(3)); ok {
			votes = append(votes, op.Hash())
			voted[v] = true
		}
	}
	return protocol.SortPreds(votes)
}

func (bc *benchCircle) suspendAndLift(tb testing.TB) {
	target := bc.member()
	m := bc.c.Suspend(target, fmt.Sprint(len(bc.ops)))
	votes := bc.votes(tb, m, target, 2)
	bc.do(tb, target, benchAdvisory(len(bc.ops)), 2) // concurrent with its suspension: void
	if _, ok := bc.do(tb, bc.member(), &protocol.Enact{Motion: m, Votes: votes}, 0); !ok {
		return
	}
	u := bc.c.Unsuspend(target, m)
	var uv []protocol.Hash
	voted := map[string]bool{target: true}
	for len(uv) < 3 {
		v := bc.voter()
		if voted[v] || !bc.e.State().InSharingSet(bc.c.Actor(v).Key) {
			continue
		}
		if op, ok := bc.do(tb, v, &protocol.Vote{Motion: u}, 0); ok {
			uv = append(uv, op.Hash())
			voted[v] = true
		}
	}
	bc.must(tb, bc.member(), &protocol.Enact{Motion: u, Votes: protocol.SortPreds(uv)}, 0)
}

func (bc *benchCircle) revokeOne(tb testing.TB) {
	target := bc.members[len(bc.members)-1]
	m := bc.c.Revoke(target)
	votes := bc.votes(tb, m, target, 3)
	bc.do(tb, target, benchAdvisory(len(bc.ops)), 3)
	bc.members = bc.members[:len(bc.members)-1]
	bc.must(tb, bc.member(), &protocol.Enact{Motion: m, Votes: votes}, 0)
}

var (
	benchOnce  = map[int]*sync.Once{}
	benchOps   = map[int][]*protocol.Op{}
	benchMu    sync.Mutex
	benchTotal = map[string]int{"history": 2000, "10k": 10000}
)

// benchHistory returns the ops of a 200-member circle grown to total ops,
// built once per process.
func benchHistory(tb testing.TB, total int) []*protocol.Op {
	benchMu.Lock()
	once, ok := benchOnce[total]
	if !ok {
		once = new(sync.Once)
		benchOnce[total] = once
	}
	benchMu.Unlock()
	once.Do(func() {
		bc := newBenchCircle(tb)
		bc.admitAll(tb, benchMembers)
		bc.grow(tb, total)
		benchMu.Lock()
		benchOps[total] = bc.ops
		benchMu.Unlock()
	})
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchOps[total] == nil {
		tb.Fatal("building the benchmark history failed")
	}
	return benchOps[total]
}

// benchNode returns a fresh node that has applied the 2,000-op history.
func benchNode(tb testing.TB) *benchCircle {
	ops := benchHistory(tb, benchTotal["history"])
	bc := newBenchCircle(tb)
	for _, op := range ops[1:] {
		if err := bc.e.Apply(op); err != nil {
			tb.Fatal(err)
		}
		bc.ops = append(bc.ops, op)
		name := bc.name(op.Author)
		if isAdmitEnact(op) {
			bc.members = append(bc.members, name)
		}
		bc.commit(op, name)
	}
	bc.members = slices.DeleteFunc(bc.members, func(n string) bool { return !bc.e.State().InSharingSet(bc.c.Actor(n).Key) })
	return bc
}

func (bc *benchCircle) name(k protocol.Key) string {
	if bc.names == nil {
		bc.names = map[protocol.Key]string{}
		for i := range benchMembers {
			n := fmt.Sprintf("M%03d", i)
			bc.names[bc.c.Actor(n).Key] = n
		}
	}
	return bc.names[k]
}

// chain pre-signs n ops, each citing the one before (the first cites the
// current heads), so that each is on top when applied in order.
func (bc *benchCircle) chain(tb testing.TB, n int, next func(i int) (string, protocol.Body)) []*protocol.Op {
	heads := bc.e.Heads()
	out := make([]*protocol.Op, n)
	for i := range out {
		name, body := next(i)
		op := bc.sign(tb, name, body, heads)
		bc.commit(op, name)
		heads = []protocol.Hash{op.Hash()}
		out[i] = op
	}
	return out
}

// applyChains applies pre-signed ops in the timed loop, signing the next
// chunk with the timer stopped.
func applyChains(b *testing.B, bc *benchCircle, next func(i int) (string, protocol.Body)) {
	const chunk = 1024
	var ops []*protocol.Op
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if len(ops) == 0 {
			b.StopTimer()
			ops = bc.chain(b, chunk, func(j int) (string, protocol.Body) { return next(i + j) })
			b.StartTimer()
		}
		if err := bc.e.Apply(ops[0]); err != nil {
			b.Fatal(err)
		}
		ops = ops[1:]
		i++
	}
}

// BenchmarkVerifyOp is protocol's signature check of a typical advisory
// op (about 1 KiB): what every op costs before trust sees it.
func BenchmarkVerifyOp(b *testing.B) {
	bc := newBenchCircle(b)
	op := bc.sign(b, "M001", benchAdvisory(1), bc.e.Heads())
	b.SetBytes(int64(len(op.Bytes())))
	b.ReportAllocs()
	for b.Loop() {
		if err := op.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyAdvisory applies advisories whose preds are the heads, by
// rotating members of a 200-member circle with 2,000 ops of history.
func BenchmarkApplyAdvisory(b *testing.B) {
	bc := benchNode(b)
	applyChains(b, bc, func(i int) (string, protocol.Body) {
		return bc.members[i%len(bc.members)], benchAdvisory(i)
	})
}

// BenchmarkApplyEndorsement applies endorsements on top of the heads: the
// members whose admission is settled in turn endorse 100 applicants in
// turn (a run of about 1,000 ops gives each about ten endorsements).
func BenchmarkApplyEndorsement(b *testing.B) {
	bc := benchNode(b)
	endorsers := bc.endorsers()
	applyChains(b, bc, func(i int) (string, protocol.Body) {
		name := endorsers[i%len(endorsers)]
		return name, bc.endorse(name, fmt.Sprintf("P%03d", i%100))
	})
}

// BenchmarkResolve10k resolves 10,000 ops over 200 members from scratch.
func BenchmarkResolve10k(b *testing.B) {
	ops := benchHistory(b, benchTotal["10k"])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trust.Resolve(ops); err != nil {
			b.Fatal(err)
		}
	}
}

// settleHistory returns a circle of five founders grown to total ops:
// advisories by members in turn, a quarter of them on stale heads, and,
// with admit, now and then an applicant's endorsements and Admit. Every op
// acknowledges what it cites, so most of the log settles as it grows.
func settleHistory(tb testing.TB, total int, admit bool) []*protocol.Op {
	bc := newBenchCircle(tb)
	for len(bc.ops) < total {
		lag := 0
		if bc.rng.IntN(4) == 0 {
			lag = 1 + bc.rng.IntN(8)
		}
		if admit && bc.rng.IntN(50) == 0 && total-len(bc.ops) > 5 {
			bc.admitAll(tb, len(bc.members)+1)
			continue
		}
		bc.do(tb, bc.member(), benchAdvisory(len(bc.ops)), lag)
	}
	return bc.ops
}

// BenchmarkSettle computes Z(S) of the version-2 rules (docs/membership.md
// §3, with §3.4) from scratch over circles of n ops: the closure by closure
// settlement that the Engine does not run yet (§8 asks for it incremental).
func BenchmarkSettle(b *testing.B) {
	for _, n := range []int{100, 400, 1600} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ops := settleHistory(b, n, true)
			b.ReportAllocs()
			for b.Loop() {
				if z := trust.SettleForTest(ops); len(z) < n/2 {
					b.Fatalf("only %d of %d ops settled", len(z), n)
				}
			}
		})
	}
}

// BenchmarkSettleEach computes, op by op as an Engine applies them, the
// validated Z of each op's past and closure, keeping what it computed:
// the cost an Engine on the version-2 rules would pay per op.
//
// "growing" admits a member about every 40 ops (13 members at 400 ops, 46
// at 1,600); "five" keeps the five founders, so the cost per op shows what
// the log's length alone adds; "members-200" is the first ops of the
// 200-member history of the Apply benchmarks (about 800 ops admit the
// members, then advisories follow), where the settle quorum is a majority
// of a large circle and a closure's window spans hundreds of ops.
func BenchmarkSettleEach(b *testing.B) {
	for _, c := range []struct {
		name    string
		n       int
		admit   bool
		members bool
	}{{"growing-400", 400, true, false}, {"growing-1600", 1600, true, false}, {"five-400", 400, false, false},
		{"five-1600", 1600, false, false}, {"five-6400", 6400, false, false}, {"members-200-900", 900, false, true}} {
		n := c.n
		b.Run(c.name, func(b *testing.B) {
			var ops []*protocol.Op
			if c.members {
				ops = benchHistory(b, benchTotal["history"])[:n]
			} else {
				ops = settleHistory(b, n, c.admit)
			}
			b.ReportAllocs()
			for b.Loop() {
				if got := trust.SettleEachForTest(ops); got < n/2 {
					b.Fatalf("only %d of %d ops settled", got, n)
				}
			}
		})
	}
}

// BenchmarkReplay applies the first n ops of the 200-member history to a
// fresh Engine, as a node does when it restarts or catches up: the cost
// of the whole log, and what the Engine keeps of it (B/op).
func BenchmarkReplay(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ops := benchHistory(b, benchTotal["history"])[:n]
			b.ReportAllocs()
			for b.Loop() {
				e, err := trust.New(ops[0])
				if err != nil {
					b.Fatal(err)
				}
				for _, op := range ops[1:] {
					if err := e.Apply(op); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkBurst applies n advisories that one founder of five publishes
// in a row, as a member's threat feed does between two acknowledgements
// of the others: nothing settles, so on the version-2 rules every op
// waits in the window. It measures what a burst costs a node that
// receives it. "three" has three founders publish in turn, each citing
// the others' latest ops, as the testnet's ingest stream does: fewer
// keys than the settle quorum, so nothing settles there either. "chains"
// has each of three founders cite only its own previous op, as the
// testnet's ingest stream does.
func BenchmarkBurst(b *testing.B) {
	three := []string{"M000", "M001", "M002"}
	for _, c := range []struct {
		name    string
		n       int
		authors []string
		chains  bool
	}{{"500", 500, []string{"M000"}, false}, {"2000", 2000, []string{"M000"}, false}, {"three-2000", 2000, three, false},
		{"three-8000", 8000, three, false}, {"chains-8000", 8000, three, true}} {
		b.Run(c.name, func(b *testing.B) {
			src := newBenchCircle(b)
			for i := 1; i <= c.n; i++ {
				name := c.authors[i%len(c.authors)]
				if !c.chains {
					src.do(b, name, benchAdvisory(i), 0)
					continue
				}
				var heads []protocol.Hash
				if _, ok := src.last[name]; !ok {
					heads = []protocol.Hash{src.ops[0].Hash()}
				}
				op := src.sign(b, name, benchAdvisory(i), heads)
				if err := src.e.Apply(op); err != nil {
					b.Fatal(err)
				}
				src.commit(op, name)
				src.ops = append(src.ops, op)
			}
			b.ReportAllocs()
			for b.Loop() {
				e, err := trust.New(src.ops[0])
				if err != nil {
					b.Fatal(err)
				}
				for _, op := range src.ops[1:] {
					if err := e.Apply(op); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
