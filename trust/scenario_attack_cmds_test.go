package trust_test

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust/trusttest"
)

// The scenario verbs that attacks need beyond honest actors:
//
//	A backdate seq=N [after=L] [cite=L1,L2] <verb ...>   A's key signs at seq
//	                              N, citing only its op at N-1 (or the op
//	                              labelled L, one of its twins), the genesis and
//	                              the ops cite names (a stolen or kept key
//	                              writing into the past); applied nowhere
//	A vote|enact charter V [k=] [s=] [r=] [c=]   a charter motion for version V

// backdate signs a backdated op for actor: seq=N, preds {genesis, actor#N-1}.
func (r *runner) backdate(actor string, a args) ([]string, bool) {
	seq, err := strconv.ParseUint(a.opt["seq"], 10, 32)
	if err != nil || seq == 0 || len(a.pos) == 0 {
		return failed("A backdate seq=N <verb ...>")
	}
	delete(a.opt, "seq")
	after, cite := a.opt["after"], a.opt["cite"]
	delete(a.opt, "after")
	delete(a.opt, "cite")
	verb := a.pos[0]
	a.pos = a.pos[1:]
	r.engine(actor)
	body, err := r.body(actor, verb, a)
	if err != nil {
		return failed("%s", r.names(err.Error()))
	}
	g := r.c.Genesis.Hash()
	op := &protocol.Op{Group: g, Seq: seq, Epoch: g, Kind: body.Kind(), Preds: []protocol.Hash{g}}
	if seq > 1 {
		prevLabel := fmt.Sprintf("%s#%d", actor, seq-1)
		if after != "" {
			prevLabel = after
		}
		prev, ok := r.ops[prevLabel]
		if !ok && seq == 2 && r.c.Genesis.Author == protocol.KeyOf(trusttest.KeyFor(actor)) {
			prev, ok = r.c.Genesis, true // founder #1's seq 1 is the genesis
		}
		if !ok {
			return failed("no op %s#%d", actor, seq-1)
		}
		h := prev.Hash()
		op.Prev = &h
		if h != g {
			op.Preds = protocol.SortPreds([]protocol.Hash{g, h})
		}
	}
	if cite != "" {
		for _, l := range strings.Split(cite, ",") {
			c, ok := r.ops[l]
			if !ok {
				return failed("no op %s", l)
			}
			op.Preds = protocol.SortPreds(append(op.Preds, c.Hash()))
		}
	}
	r.c.TS++
	op.TS = r.c.TS
	if err := protocol.Sign(op, body, trusttest.KeyFor(actor)); err != nil {
		return failed("%v", err)
	}
	r.c.Ops = append(r.c.Ops, op)
	l := r.label(op, fmt.Sprintf("%s#%d", actor, seq))
	return []string{fmt.Sprintf("%s: signed at seq %d on the genesis, applied nowhere", l, seq)}, true
}

// charterMotion builds a charter motion for version v from the genesis
// charter with the thresholds given as options.
func (r *runner) charterMotion(v string, opt map[string]string) (protocol.Motion, error) {
	body, _ := r.c.Genesis.Content().(*protocol.Genesis)
	if body == nil {
		return protocol.Motion{}, fmt.Errorf("no genesis body")
	}
	ch := body.Charter
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return protocol.Motion{}, fmt.Errorf("charter version %q", v)
	}
	ch.Version = n
	for k, p := range map[string]*uint32{"k": &ch.Admit, "s": &ch.Suspend, "r": &ch.Revoke, "c": &ch.Change} {
		if s, ok := opt[k]; ok {
			x, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return protocol.Motion{}, fmt.Errorf("%s=%s", k, s)
			}
			*p = uint32(x)
		}
	}
	m := protocol.Motion{Kind: protocol.MotionCharter, Charter: &ch}
	r.notes[m.Hash()] = fmt.Sprintf("(charter v%d)", n)
	return m, nil
}

// motionExtras completes motions the plain motion builder does not know:
// `vote|enact disavow X from=N`, and `keep=LABEL` on an unsuspend (which
// then lifts only the cases named with case=).
func (r *runner) motionExtras(m *protocol.Motion, kind, subject string, opt map[string]string) error {
	switch kind {
	case "disavow":
		from, err := strconv.ParseUint(opt["from"], 10, 64)
		if err != nil || from == 0 {
			return fmt.Errorf("disavow needs from=N")
		}
		target := r.c.Actor(subject).Key
		*m = protocol.Motion{Kind: protocol.MotionDisavow, Target: &target, From: from}
		r.notes[m.Hash()] = fmt.Sprintf("(disavow %s from #%d)", subject, from)
	case "unsuspend":
		l, ok := opt["keep"]
		if !ok {
			return nil
		}
		op, ok := r.ops[l]
		if !ok {
			return fmt.Errorf("no op %s", l)
		}
		h := op.Hash()
		m.Keep = &h
		if _, ok := opt["case"]; !ok {
			m.Lifts = nil
		}
		r.notes[m.Hash()] = fmt.Sprintf("(unsuspend %s keeping %s)", subject, l)
	}
	return nil
}
