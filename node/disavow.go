package node

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ErrBadFrom is returned by PreviewDisavow for a first seq of 0: a Disavow
// motion reaches the target's ops from seq 1 at the earliest.
var ErrBadFrom = errors.New("node: a disavowal starts at seq 1 or later")

// DisavowPreview is what a Disavow motion would do if it were enacted on
// top of this node's log now (docs/membership.md §4.6): computed before
// anyone votes, so that the members see the lapses it causes.
type DisavowPreview struct {
	// Motion is the Disavow motion: Target and From.
	Motion protocol.Motion
	// Needed is the counting votes its enactment needs (c′), and Voters
	// the members whose votes on it count already.
	Needed int
	Voters []protocol.Key
	// TargetOps counts the target's ops in the log with seq From or
	// higher, TargetTip is its highest seq in the log, and TargetCounting
	// how many of those ops count today.
	TargetOps      int
	TargetTip      uint64
	TargetCounting int
	// Changes are the keys whose standing the disavowal would change,
	// sorted by key: the target's removal, and every member that would
	// lapse (its admission rested on the disavowed ops).
	Changes []StandingChange
	// Voided counts the ops of the log that count today and would be
	// void, Advisories how many of them are advisories.
	Voided     int
	Advisories int
	// Applies is false when the enactment would not take effect, with
	// Why saying why (e.g. too few members could vote for it).
	Applies bool
	Why     string
}

// Lapses returns the keys of Changes that would lapse: members whose
// admission the disavowal voids.
func (p *DisavowPreview) Lapses() []protocol.Key {
	var out []protocol.Key
	for _, c := range p.Changes {
		if c.After.Status == trust.StatusLapsed && c.Before.Status != trust.StatusLapsed {
			out = append(out, c.Key)
		}
	}
	return out
}

// StandingChange is one key whose standing a what-if changes.
type StandingChange struct {
	Key           protocol.Key
	Before, After trust.KeyState
}

// PreviewDisavow works out what a Disavow of target's ops from seq from on
// would do, by the membership rules as they are: it rebuilds the State of
// this node's log in a private engine, adds votes for the motion by c′
// members who may vote (those whose votes count already first, then this
// organisation, then the others by key) and an enactment citing them,
// and compares the State and the verdict of every op before and after the
// enactment. The added ops are never signed, stored or sent. It reads the
// store, not the loop, so it costs the loop nothing; on a large log it
// takes about as long as the daemon's start.
func (n *Node) PreviewDisavow(ctx context.Context, target protocol.Key, from uint64) (*DisavowPreview, error) {
	if from == 0 {
		return nil, ErrBadFrom
	}
	w, err := n.whatIf(ctx)
	if err != nil {
		return nil, err
	}
	m := protocol.Motion{Kind: protocol.MotionDisavow, Target: &target, From: from}
	base := w.e.State()
	p := &DisavowPreview{Motion: m, Needed: base.Thresholds().Change}
	t, ok := base.Tally(m.Hash())
	if ok {
		p.Voters = t.Voters
	}
	for h, op := range w.ops {
		if op.Author != target || op.Seq < from {
			continue
		}
		p.TargetOps++
		if w.e.Live(h) {
			p.TargetCounting++
		}
	}
	p.TargetTip = w.tips[target].seq
	if t.Enacted {
		p.Why = "it is enacted already: what it voids is void in the log as it stands"
		return p, nil
	}
	enact, err := w.voteFor(m, w.voters(base, m, n.key, p.Voters), p.Needed)
	if err != nil {
		p.Why = err.Error()
		return p, nil
	}
	before := w.e.State()
	counted := w.live()
	if err := w.e.Apply(enact); err != nil {
		return nil, fmt.Errorf("node: previewing %s: %w", &m, err)
	}
	after := w.e.State()
	p.Applies = w.e.Live(enact.Hash())
	if !p.Applies {
		p.Why = "the enactment would be admissible but would not take effect as the log stands (the conflict order of docs/membership.md §4.2)"
	}
	for h := range counted {
		if !w.e.Live(h) {
			p.Voided++
			if w.ops[h].Kind == protocol.KindAdvisory {
				p.Advisories++
			}
		}
	}
	for _, k := range mergeKeys(before.Keys(), after.Keys()) {
		b, a := before.Key(k), after.Key(k)
		if b.Status != a.Status || b.Suspended != a.Suspended {
			p.Changes = append(p.Changes, StandingChange{Key: k, Before: b, After: a})
		}
	}
	return p, nil
}

// voters returns who would vote for m in a what-if, in the order they are
// asked: the members whose votes count already, then self, then every
// other member in the sharing set by key; never the target.
func (w *whatIf) voters(st *trust.State, m protocol.Motion, self protocol.Key, already []protocol.Key) []protocol.Key {
	var out []protocol.Key
	add := func(k protocol.Key) {
		if k != m.Subject() && st.InSharingSet(k) && !w.tips[k].forked && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, k := range already {
		add(k)
	}
	add(self)
	for _, k := range st.SharingSet() {
		add(k)
	}
	return out
}

// voteFor adds to the what-if one vote for m by each of voters in turn
// until an enactment citing them would be admissible, and returns that
// enactment, not applied; need is the votes it needs, for the error when
// the voters run out. The enactor is the first voter.
func (w *whatIf) voteFor(m protocol.Motion, voters []protocol.Key, need int) (*protocol.Op, error) {
	var cited []protocol.Hash
	var last *protocol.Hash
	for _, k := range voters {
		preds := []protocol.Hash{}
		if last == nil {
			preds = w.e.Heads()
		} else {
			preds = append(preds, *last)
		}
		v, err := w.sign(k, preds, &protocol.Vote{Motion: m})
		if err != nil {
			return nil, err
		}
		if err := w.e.Apply(v); err != nil {
			continue // this member may not vote for it: ask the next
		}
		w.advance(v)
		h := v.Hash()
		cited, last = append(cited, h), &h
		slices.SortFunc(cited, compareHashes)
		enact, err := w.sign(voters[0], []protocol.Hash{h}, &protocol.Enact{Motion: m, Votes: slices.Clone(cited)})
		if err != nil {
			return nil, err
		}
		if w.e.Check(enact) == nil {
			return enact, nil
		}
	}
	return nil, fmt.Errorf("it needs %d counting votes, and only %d member%s in the sharing set could cast one (the target never votes on its own disavowal)",
		need, len(cited), plural(len(cited)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func mergeKeys(a, b []protocol.Key) []protocol.Key {
	out := append(slices.Clone(a), b...)
	slices.SortFunc(out, compareKeys)
	return slices.Compact(out)
}
