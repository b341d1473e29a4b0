package node

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/kring-circle/kring/protocol"
)

// errOpenerStopped reports an op not opened because the node is stopping.
var errOpenerStopped = errors.New("node: stopping; op not verified")

// opener decodes and verifies received ops (protocol.Open) on a fixed set
// of long-lived goroutines, one per core. Signature checks are most of the
// work of ingesting ops, by gossip or by sync. Pubsub runs each validation
// on a fresh goroutine, whose small stack would be grown and copied several
// times by the decoder and the curve arithmetic; the opener's goroutines
// grew their stacks once.
type opener struct {
	group protocol.Hash
	jobs  chan *openJob
	done  <-chan struct{}
}

// openJob is one op to open; the worker fills op or err, then calls
// wg.Done.
type openJob struct {
	raw []byte
	op  *protocol.Op
	err error
	wg  *sync.WaitGroup
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
					j.op, j.err = protocol.Open(j.raw, o.group)
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
	var wg sync.WaitGroup
	j := openJob{raw: raw, wg: &wg}
	o.run(&j)
	wg.Wait()
	return j.op, j.err
}

// openAll decodes and verifies a batch of ops on every core. It returns
// the ops in the order given, or the error of the first op (in that order)
// that fails.
func (o *opener) openAll(raw [][]byte) ([]*protocol.Op, error) {
	var wg sync.WaitGroup
	jobs := make([]openJob, len(raw))
	for i := range raw {
		jobs[i] = openJob{raw: raw[i], wg: &wg}
		o.run(&jobs[i])
	}
	wg.Wait()
	ops := make([]*protocol.Op, len(raw))
	for i := range jobs {
		if jobs[i].err != nil {
			return nil, jobs[i].err
		}
		ops[i] = jobs[i].op
	}
	return ops, nil
}

// run hands j to a worker, or fails it when the node is stopping.
func (o *opener) run(j *openJob) {
	j.wg.Add(1)
	select {
	case o.jobs <- j:
	case <-o.done:
		j.err = errOpenerStopped
		j.wg.Done()
	}
}
