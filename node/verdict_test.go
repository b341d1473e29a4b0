package node

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// msg wraps op bytes as a gossip message.
func msg(b []byte) *pubsub.Message { return &pubsub.Message{Message: &pb.Message{Data: b}} }

// forge returns op's encoding with one signature bit flipped (Sig is the
// encoding's last field).
func forge(op *protocol.Op) []byte {
	b := append([]byte(nil), op.Bytes()...)
	b[len(b)-1] ^= 1
	return b
}

// TestVerdicts runs ops of every verdict through the validator and
// submit, on node D of circle {A..E} where E is revoked, and checks each
// verdict and the counts Verdicts keeps.
func TestVerdicts(t *testing.T) {
	c := newCircle(t, "A", "B", "C", "D", "E")
	op := must(t)
	concurrent := op(c.Advise("E", "before the revocation reaches E", protocol.TLPGreen))
	for _, who := range []string{"A", "B", "C"} {
		op(c.Vote(who, c.Revoke("E")))
	}
	syncActor(t, c, "A", "B", "C")
	op(c.Enact("A", c.Revoke("E")))
	syncActor(t, c, "E", "A")
	late, err := c.Advise("E", "after the revocation", protocol.TLPGreen)
	if !errors.Is(err, trust.ErrAuthorRemoved) {
		t.Fatalf("E's engine took an advisory after its revocation: %v", err)
	}
	stranger, err := c.Sign("S", &protocol.Advisory{Title: "from a stranger", TLP: protocol.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	fresh := op(c.Advise("B", "never delivered intact", protocol.TLPGreen))
	other := newCircle(t, "P", "Q", "R")
	foreign := must(t)(other.Advise("P", "another circle", protocol.TLPGreen))

	n := startNode(t, c, "D", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var history []*protocol.Op
	for _, o := range c.Ops[1:] {
		if o != concurrent && o != fresh {
			history = append(history, o)
		}
	}
	vs, err := n.submit(ctx, history)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v != accept() {
			t.Fatalf("%s: %+v, want accept", history[i], v)
		}
	}
	if n.State().Key(c.Actor("E").Key).Status != trust.StatusRevoked {
		t.Fatal("E is not revoked on the node")
	}

	B, S, E := peerOf(t, c, "B"), peerOf(t, c, "S"), peerOf(t, c, "E")
	cases := []struct {
		name string
		from peer.ID // empty: this node itself
		data []byte
		want pubsub.ValidationResult
	}{
		{"forged signature", B, forge(fresh), pubsub.ValidationReject},
		{"another circle", B, foreign.Bytes(), pubsub.ValidationReject},
		{"garbage", B, []byte{0xff, 0x00, 0x01}, pubsub.ValidationReject},
		{"advisory by a stranger", B, stranger.Bytes(), pubsub.ValidationReject},
		{"revoked author, concurrent", B, concurrent.Bytes(), pubsub.ValidationIgnore},
		// late cites concurrent, its author's prev.
		{"revoked author, revocation in its past", B, late.Bytes(), pubsub.ValidationReject},
		{"duplicate", B, history[0].Bytes(), pubsub.ValidationIgnore},
		{"forwarded by a stranger", S, fresh.Bytes(), pubsub.ValidationIgnore},
		{"forwarded by a revoked member", E, fresh.Bytes(), pubsub.ValidationIgnore},
		{"own publish, not stored", "", fresh.Bytes(), pubsub.ValidationIgnore},
		{"own publish, stored", "", history[0].Bytes(), pubsub.ValidationAccept},
	}
	for _, tc := range cases {
		from := tc.from
		if from == "" {
			from = n.ID()
		}
		if got := n.validate(ctx, from, msg(tc.data)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, resultName(got), resultName(tc.want))
		}
	}
	// A panic in the validator is recovered and the op rejected.
	if got := n.validate(ctx, B, &pubsub.Message{}); got != pubsub.ValidationReject {
		t.Errorf("a message that panics: %s, want reject", resultName(got))
	}
	if ok, _ := n.store.Has(fresh.Hash()); ok {
		t.Error("an op forwarded by a non-member was stored")
	}
	if live, err := n.Live(ctx, concurrent.Hash()); err != nil || live {
		t.Errorf("Live(void advisory) = %v, %v; want false", live, err)
	}
	if ok, _ := n.store.Has(concurrent.Hash()); !ok {
		t.Error("the void advisory is not stored (ops citing it could not be applied)")
	}
	want := map[string]uint64{
		"accept/accepted":       uint64(len(history)),
		"reject/bad-signature":  1,
		"reject/wrong-group":    1,
		"reject/malformed":      1,
		"reject/not-member":     1,
		"reject/author-removed": 1,
		"ignore/void":           1,
		"ignore/duplicate":      1,
		"ignore/not-sharing":    2,
		"reject/panic":          1,
	}
	if got := n.Verdicts(); !maps.Equal(got, want) {
		t.Errorf("Verdicts =\n%v\nwant\n%v", got, want)
	}
}

// TestApplyVerdict: the engine's error decides the result and the named
// reason, and the verdict keeps the error itself for errors.Is.
func TestApplyVerdict(t *testing.T) {
	cases := []struct {
		err    error
		result pubsub.ValidationResult
		reason Reason
	}{
		{fmt.Errorf("x: %w", trust.ErrDuplicate), pubsub.ValidationIgnore, ReasonDuplicate},
		{fmt.Errorf("x: %w", trust.ErrMissingPreds), pubsub.ValidationIgnore, ReasonMissingPreds},
		{fmt.Errorf("x: %w", trust.ErrAuthorRemoved), pubsub.ValidationReject, ReasonAuthorRemoved},
		{fmt.Errorf("x: %w", trust.ErrAuthorSuspended), pubsub.ValidationReject, ReasonAuthorSuspended},
		{fmt.Errorf("x: %w", trust.ErrNotMember), pubsub.ValidationReject, ReasonNotMember},
		{fmt.Errorf("x: %w", trust.ErrTooFewVotes), pubsub.ValidationReject, ReasonTooFewVotes},
		{errors.New("something else"), pubsub.ValidationReject, ReasonOther},
	}
	if got := applyVerdict(nil); got != accept() || got.Err != nil {
		t.Errorf("applyVerdict(nil) = %+v, want accept", got)
	}
	for _, tc := range cases {
		got := applyVerdict(tc.err)
		if got.Result != tc.result || got.Reason != tc.reason || got.Err != tc.err {
			t.Errorf("applyVerdict(%v) = %+v, want %s/%s with the error", tc.err, got, resultName(tc.result), tc.reason)
		}
	}
}

func TestOpenReason(t *testing.T) {
	for _, r := range protocolReasons {
		err := fmt.Errorf("protocol: %w", r.err)
		if got := openReason(err); got != r.reason {
			t.Errorf("openReason(%v) = %s, want %s", r.err, got, r.reason)
		}
		if v := openVerdict(err); v.Result != pubsub.ValidationReject || v.Reason != r.reason || !errors.Is(v.Err, r.err) {
			t.Errorf("openVerdict(%v) = %+v, want a reject for %s with the error", r.err, v, r.reason)
		}
	}
	if got := openReason(errors.New("unknown")); got != ReasonMalformed {
		t.Errorf("openReason(unknown) = %s, want malformed", got)
	}
	c := newCircle(t, "A", "B", "C")
	adv := must(t)(c.Advise("A", "x", protocol.TLPGreen))
	_, err := protocol.Open(forge(adv), c.Genesis.Hash())
	if got := openReason(err); got != ReasonBadSignature {
		t.Errorf("openReason of a forged op = %s (%v), want bad-signature", got, err)
	}
	_, err = protocol.Open(adv.Bytes(), protocol.Hash{1})
	if got := openReason(err); got != ReasonWrongGroup {
		t.Errorf("openReason of another circle's op = %s (%v), want wrong-group", got, err)
	}
}

func TestCounters(t *testing.T) {
	var c counters
	if got := c.snapshot(); len(got) != 0 {
		t.Fatalf("empty counters: %v", got)
	}
	c.add(accept())
	c.add(accept())
	c.add(reject(ReasonBadSignature))
	c.add(ignore(ReasonVoid))
	c.add(Verdict{Reason: ReasonPublished})
	want := map[string]uint64{"accept/accepted": 2, "reject/bad-signature": 1, "ignore/void": 1, "accept/published": 1}
	snap := c.snapshot()
	if !maps.Equal(snap, want) {
		t.Fatalf("snapshot = %v, want %v", snap, want)
	}
	c.add(accept())
	if snap["accept/accepted"] != 2 {
		t.Fatal("a snapshot changed after it was taken")
	}
}
