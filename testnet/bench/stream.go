package bench

import (
	"crypto/ed25519"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/testnet"
)

// streamFounders are the founders of the circles that ingest or catch up
// with a pre-signed stream; streamAuthors author it. A testnet genesis
// depends only on its founders, so one stream serves every such circle.
var (
	streamFounders = []string{"A", "B", "C", "D", "E"}
	streamAuthors  = []string{"A", "B", "C"}
)

// stream is a pre-signed sequence of advisories in causal order: the
// authors' chains interleaved round-robin, each op citing its author's
// previous op (the first cites the genesis).
type stream struct {
	ops   []*protocol.Op
	bytes int // total encoded size
}

// streamOf returns (signing once, on all cores) a stream of count ops for
// the circle founded by streamFounders.
func (e *env) streamOf(genesis *protocol.Op, count int) (*stream, error) {
	key := fmt.Sprintf("%s/%d", genesis.Hash(), count)
	if s, ok := e.streams[key]; ok {
		return s, nil
	}
	chains := make([][]*protocol.Op, len(streamAuthors))
	errs := make([]error, len(streamAuthors))
	var wg sync.WaitGroup
	for a, name := range streamAuthors {
		n := count / len(streamAuthors)
		if a < count%len(streamAuthors) {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			chains[a], errs[a] = signChain(genesis, testnet.KeyFor(name), n, a)
		}()
	}
	wg.Wait()
	s := &stream{}
	for i := 0; len(s.ops) < count; i++ {
		for a := range chains {
			if err := errs[a]; err != nil {
				return nil, err
			}
			if i < len(chains[a]) {
				s.ops = append(s.ops, chains[a][i])
				s.bytes += len(chains[a][i].Bytes())
			}
		}
	}
	e.streams[key] = s
	return s, nil
}

// signChain signs n small advisories by priv, continuing its chain from
// the genesis (which is founder #1's seq 1).
func signChain(genesis *protocol.Op, priv ed25519.PrivateKey, n, tag int) ([]*protocol.Op, error) {
	return chainFrom(genesis, priv, 0, nil, n, tag)
}

// chainFrom signs n small advisories by priv after its op prev of seq
// (none: seq 0), the first citing the genesis too.
func chainFrom(genesis *protocol.Op, priv ed25519.PrivateKey, seq uint64, prev *protocol.Hash, n, tag int) ([]*protocol.Op, error) {
	return chainOf(genesis, priv, seq, prev, n, func(i int) *protocol.Advisory {
		return &protocol.Advisory{Title: fmt.Sprintf("bench stream advisory %d-%d", tag, i), TLP: protocol.TLPGreen,
			Summary: "Indicator update: new C2 addresses seen in the sector."}
	})
}

// chainOf signs n advisories body(0) … body(n-1) by priv after its op
// prev of seq (none: seq 0), the first citing the genesis too.
func chainOf(genesis *protocol.Op, priv ed25519.PrivateKey, seq uint64, prev *protocol.Hash, n int, body func(i int) *protocol.Advisory) ([]*protocol.Op, error) {
	g := genesis.Hash()
	if seq == 0 && genesis.Author == protocol.KeyOf(priv) {
		seq, prev = 1, &g
	}
	out := make([]*protocol.Op, 0, n)
	ts := time.Now().UnixMilli()
	for i := range n {
		op := &protocol.Op{Group: g, Seq: seq + uint64(i) + 1, Preds: []protocol.Hash{g}, Epoch: g, Kind: protocol.KindAdvisory, TS: ts}
		switch {
		case i > 0:
			p := out[i-1].Hash()
			op.Prev, op.Preds = &p, []protocol.Hash{p}
		case prev != nil:
			op.Prev, op.Preds = prev, protocol.SortPreds([]protocol.Hash{*prev, g})
		}
		if err := protocol.Sign(op, body(i), priv); err != nil {
			return nil, fmt.Errorf("bench: signing the stream: %w", err)
		}
		out = append(out, op)
	}
	return out, nil
}

// avg is the stream's mean op size in bytes.
func (s *stream) avg() int { return s.bytes / max(1, len(s.ops)) }

// putStream writes the stream into the store in dir, whose node must not
// run: as if the node had received it.
func putStream(dir string, s *stream) error {
	st, err := store.Open(dir, store.DefaultOptions())
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	for i := 0; i < len(s.ops); i += 1000 {
		if err := st.Put(s.ops[i:min(i+1000, len(s.ops))]...); err != nil {
			st.Close()
			return fmt.Errorf("bench: writing the stream: %w", err)
		}
	}
	return st.Close()
}

// verifyCeiling times bare Ed25519 verification of every op of s on all
// cores (GOMAXPROCS workers): the ceiling of any ingest. It returns ops/s.
func verifyCeiling(s *stream) (float64, error) {
	type job struct{ pub, msg, sig []byte }
	jobs := make([]job, len(s.ops))
	for i, op := range s.ops {
		msg, err := signedMessage(op)
		if err != nil {
			return 0, err
		}
		jobs[i] = job{op.Author[:], msg, op.Sig}
	}
	if !ed25519.Verify(jobs[0].pub, jobs[0].msg, jobs[0].sig) {
		return 0, fmt.Errorf("bench: reconstructed signing bytes do not verify")
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	bad := make([]int, workers)
	t0 := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += workers {
				if !ed25519.Verify(jobs[i].pub, jobs[i].msg, jobs[i].sig) {
					bad[w]++
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	for _, b := range bad {
		if b > 0 {
			return 0, fmt.Errorf("bench: %d ops of the stream do not verify", b)
		}
	}
	return float64(len(jobs)) / d.Seconds(), nil
}

// signedMessage rebuilds what an op's author signed: the domain, a zero
// byte, and the op's canonical encoding without Sig. Sig is the last
// entry of the op's CBOR map (key 10, a 64-byte string: 3 bytes of head,
// 64 of signature), so the encoding without it is the same map with one
// entry fewer.
func signedMessage(op *protocol.Op) ([]byte, error) {
	b := op.Bytes()
	const sigEntry = 1 + 2 + ed25519.SignatureSize
	if len(b) < sigEntry+1 || b[0] < 0xa1 || b[0] > 0xb7 || b[len(b)-sigEntry] != 0x0a {
		return nil, fmt.Errorf("bench: op %s: unexpected encoding", op.Hash().Short())
	}
	msg := make([]byte, 0, len(protocol.DomainOp)+1+len(b))
	msg = append(msg, protocol.DomainOp...)
	msg = append(msg, 0, b[0]-1)
	return append(msg, b[1:len(b)-sigEntry]...), nil
}
