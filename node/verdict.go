package node

import (
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/kring-circle/kring/trust"
)

// Verdict is the node's judgement of one op it received.
type Verdict struct {
	// Result is what gossip does with it: Accept stores and forwards,
	// Reject drops it and penalises the forwarder, Ignore drops it
	// without penalty.
	Result pubsub.ValidationResult
	// Reason names why: ReasonAccepted, a protocol or trust reason
	// (ReasonBadSignature, ReasonAuthorRemoved, …), ReasonDuplicate,
	// ReasonMissingPreds, ReasonVoid or ReasonNotSharing.
	Reason Reason
	// Err is the protocol or trust error behind a refusal, for
	// errors.Is; nil when the node's own rule decided (a duplicate, a
	// void op, …).
	Err error
}

func accept() Verdict              { return Verdict{Result: pubsub.ValidationAccept, Reason: ReasonAccepted} }
func ignore(reason Reason) Verdict { return Verdict{Result: pubsub.ValidationIgnore, Reason: reason} }
func reject(reason Reason) Verdict { return Verdict{Result: pubsub.ValidationReject, Reason: reason} }

// openVerdict rejects an op protocol.Open refused with err.
func openVerdict(err error) Verdict {
	return Verdict{Result: pubsub.ValidationReject, Reason: openReason(err), Err: err}
}

// applyVerdict turns the engine's answer into a gossip verdict: the op is
// invalid for every honest node (Reject), not usable now (Ignore), or good.
func applyVerdict(err error) Verdict {
	if err == nil {
		return accept()
	}
	r, ok := TrustReason(err)
	if !ok {
		r = ReasonOther
	}
	if trust.IsTransient(err) {
		return Verdict{Result: pubsub.ValidationIgnore, Reason: r, Err: err}
	}
	return Verdict{Result: pubsub.ValidationReject, Reason: r, Err: err}
}

// counters counts verdicts by result and reason; safe for concurrent use.
// It counts under the pair itself and names it ("accept/accepted") only
// in a snapshot, so that counting an op allocates nothing.
type counters struct {
	mu sync.Mutex
	m  map[verdictKey]uint64
}

// verdictKey is what counters counts a verdict under.
type verdictKey struct {
	result pubsub.ValidationResult
	reason Reason
}

func (c *counters) add(v Verdict) { c.addN(v, 1) }

// addN counts n ops of verdict v.
func (c *counters) addN(v Verdict, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[verdictKey]uint64{}
	}
	c.m[verdictKey{v.Result, v.Reason}] += n
}

// snapshot returns the counts by "result/reason", for example
// "reject/bad-signature".
func (c *counters) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		return nil
	}
	m := make(map[string]uint64, len(c.m))
	for k, n := range c.m {
		m[resultName(k.result)+"/"+k.reason.String()] += n
	}
	return m
}

func resultName(r pubsub.ValidationResult) string {
	switch r {
	case pubsub.ValidationAccept:
		return "accept"
	case pubsub.ValidationReject:
		return "reject"
	}
	return "ignore"
}
