package node

import (
	"errors"
	"maps"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Verdict is the node's judgement of one op it received.
type Verdict struct {
	// Result is what gossip does with it: Accept stores and forwards,
	// Reject drops it and penalises the forwarder, Ignore drops it
	// without penalty.
	Result pubsub.ValidationResult
	// Reason names why: "accepted", a protocol or trust reason
	// ("bad-signature", "author-removed", …), "duplicate",
	// "missing-preds", "void" or "not-sharing".
	Reason string
}

func accept() Verdict              { return Verdict{pubsub.ValidationAccept, "accepted"} }
func ignore(reason string) Verdict { return Verdict{pubsub.ValidationIgnore, reason} }
func reject(reason string) Verdict { return Verdict{pubsub.ValidationReject, reason} }

// protocolReasons names the protocol errors an op can fail decoding or
// verification with.
var protocolReasons = []struct {
	err  error
	name string
}{
	{protocol.ErrTooLarge, "too-large"},
	{protocol.ErrMalformed, "malformed"},
	{protocol.ErrNonCanonical, "non-canonical"},
	{protocol.ErrUnknownKind, "unknown-kind"},
	{protocol.ErrUnknownField, "unknown-field"},
	{protocol.ErrBadSignature, "bad-signature"},
	{protocol.ErrWrongGroup, "wrong-group"},
	{protocol.ErrSeqPrev, "seq-prev"},
	{protocol.ErrPreds, "preds"},
	{protocol.ErrTooManyPreds, "too-many-preds"},
	{protocol.ErrInvalidBody, "invalid-body"},
	{protocol.ErrBadHex, "bad-hex"},
}

// openReason names why protocol.Open refused an op.
func openReason(err error) string {
	for _, r := range protocolReasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "malformed"
}

// applyVerdict turns the engine's answer into a gossip verdict: the op is
// invalid for every honest node (Reject), not usable now (Ignore), or good.
func applyVerdict(err error) Verdict {
	switch {
	case err == nil:
		return accept()
	case trust.IsTransient(err):
		return ignore(trust.Reason(err))
	}
	return reject(trust.Reason(err))
}

// counters counts verdicts by result and reason; safe for concurrent use.
type counters struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (c *counters) add(v Verdict) { c.addN(v, 1) }

// addN counts n ops of verdict v.
func (c *counters) addN(v Verdict, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[resultName(v.Result)+"/"+v.Reason] += n
}

func (c *counters) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
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
