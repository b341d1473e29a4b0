package trust_test

import (
	"crypto/sha256"
	"testing"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/trusttest"
)

// fuzzActors sign the fuzzed ops: founders, a member admitted in the base
// history, an applicant and a stranger.
var fuzzActors = []string{"A", "B", "C", "D", "E", "X", "Y", "Z"}

// baseHistory is a small circle's log for the fuzz target to build on.
func baseHistory(t testing.TB) *trusttest.Circle {
	c, err := trusttest.NewCircle(protocol.DefaultCharter("fuzz"), "A", "B", "C", "D", "E")
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (*protocol.Op, error){
		func() (*protocol.Op, error) { return c.Endorse("A", "X", "e") },
		func() (*protocol.Op, error) { return c.Endorse("B", "X", "e") },
		func() (*protocol.Op, error) { return c.Endorse("C", "X", "e") },
		func() (*protocol.Op, error) { return c.Enact("X", c.Admit("X")) },
		func() (*protocol.Op, error) { return c.Endorse("D", "Y", "e") },
		func() (*protocol.Op, error) { return c.Vote("A", c.Suspend("E", "1")) },
		func() (*protocol.Op, error) { return c.Advise("X", "a", protocol.TLPAmber) },
	}
	for _, step := range steps {
		c.Sync("X", "A")
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
		c.SyncAll("A", "B", "C", "D", "E", "X")
	}
	return c
}

// FuzzApplyForged feeds an engine ops that are properly signed by actors who
// hold real keys (members, an applicant, a stranger) but whose every other
// field is chosen by the fuzzer: any seq, any prev, any preds among the
// known ops, any kind of body about anyone. The engine must never panic,
// must refuse what it refuses with a named reason, and must end in the
// State that Resolve computes from the ops it accepted.
func FuzzApplyForged(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{5, 2, 1, 0, 3, 3, 3, 7, 1, 9, 2, 2, 4, 0, 0, 1})
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"))
	c := baseHistory(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		engine, err := trust.New(c.Genesis)
		if err != nil {
			t.Fatal(err)
		}
		accepted := []*protocol.Op{c.Genesis}
		for _, op := range c.Ops[1:] {
			if err := engine.Apply(op); err != nil {
				t.Fatalf("base op %s: %v", op, err)
			}
			accepted = append(accepted, op)
		}
		in := fuzzInput(data)
		for range 8 {
			if in.done() {
				break
			}
			op := forge(c, accepted, &in)
			if op == nil {
				continue
			}
			err := engine.Apply(op)
			switch {
			case err == nil:
				accepted = append(accepted, op)
			case trust.Reason(err) == "other":
				t.Fatalf("%s refused without a named reason: %v", op, err)
			}
		}
		want, err := trust.Resolve(accepted)
		if err != nil {
			t.Fatalf("Resolve of the accepted ops: %v", err)
		}
		if got := engine.State(); !got.Equal(want) {
			t.Fatalf("engine state differs from Resolve:\n%s\nwant\n%s", got, want)
		}
	})
}

// fuzzInput hands out the fuzzer's bytes as small choices.
type fuzzInput []byte

func (in *fuzzInput) done() bool { return len(*in) == 0 }

func (in *fuzzInput) pick(n int) int {
	if len(*in) == 0 || n <= 0 {
		return 0
	}
	b := (*in)[0]
	*in = (*in)[1:]
	return int(b) % n
}

// forge signs one op whose fields the input chooses.
func forge(c *trusttest.Circle, known []*protocol.Op, in *fuzzInput) *protocol.Op {
	author := c.Actor(fuzzActors[in.pick(len(fuzzActors))])
	subject := c.Actor(fuzzActors[in.pick(len(fuzzActors))])
	prev := known[in.pick(len(known))]
	preds := []protocol.Hash{known[in.pick(len(known))].Hash(), known[in.pick(len(known))].Hash()}
	op := &protocol.Op{Group: c.Genesis.Hash(), Epoch: c.Genesis.Hash(), TS: int64(in.pick(256))}
	switch in.pick(3) {
	case 0: // a first op
		op.Seq = 1
	case 1: // after prev, whoever wrote it
		op.Seq = prev.Seq + 1
		h := prev.Hash()
		op.Prev = &h
		preds = append(preds, h)
	default: // a seq chosen at random, with prev
		op.Seq = uint64(in.pick(6) + 2)
		h := prev.Hash()
		op.Prev = &h
		preds = append(preds, h)
	}
	op.Preds = protocol.SortPreds(preds)
	target := subject.Key
	var body protocol.Body
	switch in.pick(8) {
	case 0:
		body = &protocol.Advisory{Title: "forged", TLP: protocol.TLPRed}
	case 1:
		body = &protocol.Leave{}
	case 2:
		body = &protocol.Vote{Motion: c.Admit(subject.Name), Evidence: sha256.Sum256([]byte("e"))}
	case 3:
		body = &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionRevoke, Target: &target}}
	case 4:
		body = &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionSuspend, Target: &target, Case: []byte{1}}}
	case 5:
		m := c.Admit(subject.Name)
		body = &protocol.Enact{Motion: m, Votes: votesAmong(known, in)}
	case 6:
		body = &protocol.Enact{Motion: protocol.Motion{Kind: protocol.MotionSuspend, Target: &target, Case: []byte{1}}, Votes: votesAmong(known, in)}
	default:
		cs := protocol.DefaultCharter("fuzz")
		cs.Version = uint64(in.pick(3) + 1)
		body = &protocol.Vote{Motion: protocol.Motion{Kind: protocol.MotionCharter, Charter: &cs}}
	}
	op.Kind = body.Kind()
	if err := protocol.Sign(op, body, author.Priv); err != nil {
		return nil
	}
	return op
}

// votesAmong cites up to three known ops, votes or not.
func votesAmong(known []*protocol.Op, in *fuzzInput) []protocol.Hash {
	var hs []protocol.Hash
	for range in.pick(3) + 1 {
		hs = append(hs, known[in.pick(len(known))].Hash())
	}
	return protocol.SortPreds(hs)
}
