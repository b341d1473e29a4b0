package node

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kring-circle/kring/protocol"
)

// errOpenerStopped reports an op not opened because the node is stopping.
var errOpenerStopped = errors.New("node: stopping; op not verified")

// opener decodes and verifies received ops (protocol.Open) on a fixed set
// of long-lived goroutines, one per core. Signature checks are most of the
// work of ingesting ops, by gossip or by sync. Pubsub runs each validation
// on a fresh goroutine, whose small stack would be grown and copied several
// times by the decoder and the curve arithmetic; the opener's goroutines
// grew their stacks once. A gossiped op is opened alone (open); a batch
// of ops fetched by hash is cut in one chunk per worker (openAll); a range
// answer goes whole to one worker (start), while the sync receives the
// next. Each worker checks a chunk's signatures in one batch
// (protocol.OpenBatch, under the same signature rule), which costs far
// less per signature than one by one, and less the larger the batch.
type opener struct {
	group protocol.Hash
	jobs  chan *openJob
	done  <-chan struct{}
}

// openJob is a batch of ops to open, cut in chunks of chunk ops. The
// workers it is handed to share it: each takes the next unopened chunk
// until none is left, so that a batch costs one handoff per worker, not
// one per op. Each worker calls wg.Done when it is through.
type openJob struct {
	raw   [][]byte
	ops   []*protocol.Op
	errs  []error
	chunk int
	next  atomic.Int64 // the next chunk to take
	wg    sync.WaitGroup
}

// work opens chunks of j until none is left: a chunk of one op alone, a
// larger one with its signatures checked in one batch.
func (j *openJob) work(group protocol.Hash) {
	for {
		lo := int(j.next.Add(1)-1) * j.chunk
		if lo >= len(j.raw) {
			return
		}
		hi := min(lo+j.chunk, len(j.raw))
		if hi-lo == 1 {
			j.ops[lo], j.errs[lo] = protocol.Open(j.raw[lo], group)
			continue
		}
		ops, errs := protocol.OpenBatch(j.raw[lo:hi], group)
		copy(j.ops[lo:hi], ops)
		copy(j.errs[lo:hi], errs)
	}
}

// newOpener starts the opener's goroutines, which stop when ctx ends.
func newOpener(ctx context.Context, group protocol.Hash, wg *sync.WaitGroup) *opener {
	o := &opener{group: group, jobs: make(chan *openJob), done: ctx.Done()}
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case j := <-o.jobs:
					j.work(o.group)
					j.wg.Done()
				case <-o.done:
					return
				}
			}
		}()
	}
	return o
}

// open decodes and verifies one op.
func (o *opener) open(raw []byte) (*protocol.Op, error) {
	j := o.run([][]byte{raw}, 1)
	return j.ops[0], j.errs[0]
}

// openAll decodes and verifies a batch of ops on every core, each core
// checking the signatures of its share in one batch. It returns the ops in
// the order given, or the error of the first op (in that order) that
// fails.
func (o *opener) openAll(raw [][]byte) ([]*protocol.Op, error) {
	return o.hand(raw, min(runtime.GOMAXPROCS(0), len(raw)/openParallelMin+1)).result()
}

// start hands a batch of ops to one worker, which checks their signatures
// in one batch, and returns once a worker has taken it (or the node is
// stopping), without waiting for the verdicts: the job's result does. A
// range pull keeps one answer opening on each core this way, each in the
// largest batch it can.
func (o *opener) start(raw [][]byte) *openJob { return o.hand(raw, 1) }

// result waits until j is opened and returns its ops in the order given,
// or the error of the first op (in that order) that fails.
func (j *openJob) result() ([]*protocol.Op, error) {
	j.finish()
	for i := range j.errs {
		if j.errs[i] != nil {
			return nil, j.errs[i]
		}
	}
	return j.ops, nil
}

// openParallelMin is the batch size from which openAll hands a batch to
// more than one worker: below it, the handoffs cost more than they save.
const openParallelMin = 32

// run hands a job for raw to the given number of workers, one chunk of
// raw each, and waits until it is done. Ops no worker took because the
// node is stopping fail with errOpenerStopped.
func (o *opener) run(raw [][]byte, workers int) *openJob {
	j := o.hand(raw, workers)
	j.finish()
	return j
}

// hand hands a job for raw to the given number of workers, one chunk of
// raw each, and returns once they have taken it, or the node is stopping.
func (o *opener) hand(raw [][]byte, workers int) *openJob {
	j := &openJob{raw: raw, ops: make([]*protocol.Op, len(raw)), errs: make([]error, len(raw))}
	j.chunk = max(1, (len(raw)+workers-1)/workers)
	for range workers {
		j.wg.Add(1)
		select {
		case o.jobs <- j:
		case <-o.done:
			j.wg.Done()
		}
	}
	return j
}

// finish waits until the workers are through with j. Ops no worker took
// because the node is stopping fail with errOpenerStopped.
func (j *openJob) finish() {
	j.wg.Wait()
	for i := range j.errs {
		if j.ops[i] == nil && j.errs[i] == nil {
			j.errs[i] = errOpenerStopped
		}
	}
}
