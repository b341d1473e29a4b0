package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// Pace is how fast one member's ops of one class may reach this node from
// others: OpsPerSecond ops and BytesPerSecond bytes of encoded ops, each a
// token bucket (golang.org/x/time/rate) that holds at most Burst ops and
// BurstBytes bytes. A member's node keeps to the pace itself when it
// publishes (with a margin, paceMargin), so an honest member never meets it.
type Pace struct {
	OpsPerSecond   float64
	Burst          int
	BytesPerSecond int
	BurstBytes     int
}

// validate checks that every figure is positive and that a burst holds
// at least one op of the largest size.
func (p Pace) validate(name string) error {
	switch {
	case p.OpsPerSecond <= 0 || p.BytesPerSecond <= 0:
		return fmt.Errorf("%w: %s: the rates must be positive", ErrConfig, name)
	case p.Burst < 1:
		return fmt.Errorf("%w: %s: Burst must be at least 1", ErrConfig, name)
	case p.BurstBytes < protocol.MaxOpSize:
		return fmt.Errorf("%w: %s: BurstBytes %d is below the largest op (%d bytes)", ErrConfig, name, p.BurstBytes, protocol.MaxOpSize)
	}
	return nil
}

// scaled returns p with its rates and bursts multiplied by f.
func (p Pace) scaled(f float64) Pace {
	return Pace{
		OpsPerSecond:   p.OpsPerSecond * f,
		Burst:          max(1, int(float64(p.Burst)*f)),
		BytesPerSecond: max(1, int(float64(p.BytesPerSecond)*f)),
		BurstBytes:     max(protocol.MaxOpSize, int(float64(p.BurstBytes)*f)),
	}
}

// paceMargin is the share of the pace a node allows its own ops: the
// receivers' buckets fill on their own clocks, and gossip delivers a burst
// a little closer together than it was sent.
const paceMargin = 0.8

// paceClass is a class of ops paced apart: a burst of advisories must
// never hold back a member's vote to revoke a breaching member.
type paceClass uint8

const (
	paceAdvisories paceClass = iota // advisories
	paceMembership                  // votes, enactments, leaves, acks
)

func classOf(k protocol.Kind) paceClass {
	if k == protocol.KindAdvisory {
		return paceAdvisories
	}
	return paceMembership
}

// buckets are one author's token buckets of one class.
type buckets struct{ ops, bytes *rate.Limiter }

func newBuckets(p Pace) *buckets {
	return &buckets{
		ops:   rate.NewLimiter(rate.Limit(p.OpsPerSecond), p.Burst),
		bytes: rate.NewLimiter(rate.Limit(p.BytesPerSecond), p.BurstBytes),
	}
}

// pacer paces each member's ops by class. It holds buckets only for keys
// the log knows (its callers check), so its size follows the circle's.
// Safe for concurrent use.
type pacer struct {
	paces [2]Pace
	mu    sync.Mutex
	m     map[protocol.Key]*[2]*buckets
}

func newPacer(advisories, membership Pace) *pacer {
	return &pacer{paces: [2]Pace{advisories, membership}, m: map[protocol.Key]*[2]*buckets{}}
}

func (p *pacer) of(author protocol.Key, c paceClass) *buckets {
	p.mu.Lock()
	defer p.mu.Unlock()
	bs := p.m[author]
	if bs == nil {
		bs = &[2]*buckets{}
		p.m[author] = bs
	}
	if bs[c] == nil {
		bs[c] = newBuckets(p.paces[c])
	}
	return bs[c]
}

// allow takes one op of size bytes from the buckets of op's author and
// class if both hold enough at now, and reports whether it did. An op
// refused takes nothing.
func (p *pacer) allow(op *protocol.Op, now time.Time) bool {
	b := p.of(op.Author, classOf(op.Kind))
	size := len(op.Bytes())
	ro := b.ops.ReserveN(now, 1)
	if !ro.OK() || ro.DelayFrom(now) > 0 {
		ro.CancelAt(now)
		return false
	}
	rb := b.bytes.ReserveN(now, size)
	if !rb.OK() || rb.DelayFrom(now) > 0 {
		ro.CancelAt(now)
		rb.CancelAt(now)
		return false
	}
	return true
}

// budget returns how many of author's ops a sync may take now: what its
// op bucket of the class holds, whole ops only.
func (p *pacer) budget(author protocol.Key, c paceClass, now time.Time) int {
	return max(0, int(p.of(author, c).ops.TokensAt(now)))
}

// charge takes n ops of total bytes that a sync took from author's
// buckets of class c, into debt if they hold less: the author's gossip is
// then paced until the debt is repaid.
func (p *pacer) charge(author protocol.Key, c paceClass, n, bytes int, now time.Time) {
	b := p.of(author, c)
	for ; n > 0; n -= b.ops.Burst() {
		b.ops.ReserveN(now, min(n, b.ops.Burst()))
	}
	for ; bytes > 0; bytes -= b.bytes.Burst() {
		b.bytes.ReserveN(now, min(bytes, b.bytes.Burst()))
	}
}

// ownPacer paces this node's own publishing at paceMargin of the circle's
// pace, so that the members' buckets never refuse its ops.
type ownPacer struct{ b [2]*buckets }

func newOwnPacer(advisories, membership Pace) *ownPacer {
	return &ownPacer{b: [2]*buckets{newBuckets(advisories.scaled(paceMargin)), newBuckets(membership.scaled(paceMargin))}}
}

// wait blocks until op may be gossiped at the node's own pace, or ctx
// ends.
func (o *ownPacer) wait(ctx context.Context, op *protocol.Op) error {
	b := o.b[classOf(op.Kind)]
	if err := b.ops.Wait(ctx); err != nil {
		return fmt.Errorf("node: pacing an own op: %w", err)
	}
	if err := b.bytes.WaitN(ctx, min(len(op.Bytes()), b.bytes.Burst())); err != nil {
		return fmt.Errorf("node: pacing an own op: %w", err)
	}
	return nil
}

// pacedPenalty is what each op refused for its pace costs the forwarder
// that is the op's own author, in the gossip score's app-specific part
// (see penalties): a member flooding past its pace falls below the gossip
// thresholds. A forwarder relaying another member's ops is never charged:
// its own buckets for that author fill on its own clock.
const pacedPenalty = 1

// pacesAuthor reports whether the pace applies to author's ops at this
// node, st being its State: not to its own ops, and not to keys the log
// does not know (their ops are refused anyway, and a bucket for each would
// let strangers grow the pacer).
func (n *Node) pacesAuthor(st *trust.State, author protocol.Key) bool {
	return n.pace != nil && author != n.key && st.Key(author).Status != trust.StatusStranger
}

// paced reports whether op, which from forwarded and which this node does
// not store, comes faster than its author's pace; it counts the verdict
// and charges from when from is the author's own node. This node's own
// ops, ops it stores, and ops of keys the log does not know (refused
// anyway) are never paced.
func (n *Node) paced(from peer.ID, op *protocol.Op) bool {
	return n.pacedUnless(from, op, func(h protocol.Hash) bool {
		has, err := n.store.Has(h)
		return err != nil || has
	})
}

// pacedUnless is paced, with held telling whether this node holds an op
// already (held ops are never paced): the loop asks its engine, which
// holds every applied op, written or not, without reading the store.
func (n *Node) pacedUnless(from peer.ID, op *protocol.Op, held func(protocol.Hash) bool) bool {
	if !n.pacesAuthor(n.State(), op.Author) || held(op.Hash()) {
		return false
	}
	now := time.Now()
	if n.pace.allow(op, now) {
		return false
	}
	n.verdicts.add(ignore(ReasonPaced))
	if p, err := PeerID(op.Author); err == nil && p == from {
		n.penalties.charge(from, pacedPenalty, now)
	}
	return true
}

// syncPace returns up to which seq a sync takes author's ops, of which
// this node holds up to have and the peer up to tip, and whether the sync
// is paced. A sync takes no more of a member's ops than its advisory
// bucket holds (the rest waits for a later sync, counted as
// ignore/paced), so that a member flooding past its pace gains nothing by
// sync that gossip refused it. Not paced: this node's own ops, keys the
// log does not know, and every sync until the node is ready (it is
// catching up on history, which may hold a day of a member's ops).
// Fetches by hash are never paced: an op that others cite stays
// obtainable, or their ops would wait for it for ever.
func (n *Node) syncPace(author protocol.Key, have, tip uint64) (uint64, bool) {
	if tip > have && author != n.key && n.disk.low.Load() {
		// The disk is low: a range may hold advisories. What membership
		// ops cite still comes, fetched by hash.
		n.verdicts.addN(ignore(ReasonDiskLow), tip-have)
		return have, true
	}
	if tip <= have || !n.pacesAuthor(n.State(), author) || n.ready() != nil {
		return tip, false
	}
	budget := uint64(n.pace.budget(author, paceAdvisories, time.Now()))
	if tip-have > budget {
		n.verdicts.addN(ignore(ReasonPaced), tip-have-budget)
		return have + budget, true
	}
	return tip, true
}

// twinBudget returns how many of n tip hashes of author a sync may fetch:
// all of them unless the pace applies (syncPace), else as many as the
// author's advisory bucket holds now, and at least one (the tip itself).
// A fork storm, hundreds of twins at one seq, so costs a node no more than
// the author's pace; a twin that another member cites is fetched as a
// pred (chargePace), never refused.
func (n *Node) twinBudget(author protocol.Key, count int) int {
	if !n.pacesAuthor(n.State(), author) || n.ready() != nil {
		return count
	}
	return max(1, min(count, n.pace.budget(author, paceAdvisories, time.Now())))
}

// chargeBatch drops from a paced range's batch the author's ops above to,
// and those past the *left the range may still take (a range holds every
// twin of a seq), and charges the others to their authors' pace.
func (s *syncer) chargeBatch(author protocol.Key, to uint64, left *uint64, ops []*protocol.Op) []*protocol.Op {
	out := ops[:0]
	for _, op := range ops {
		if op.Author != author {
			out = append(out, op)
		} else if op.Seq <= to && *left > 0 {
			*left--
			out = append(out, op)
		}
	}
	s.node.chargePace(out)
	return out
}

// chargePace charges ops that a sync or fetch took, once the node is
// ready, to their authors' pace, into debt if need be. Fetches by hash
// are never refused (causal closure), but they are paid for: a member
// that gets one op of a long chain through gossip, and lets the fetch of
// its preds bring the rest, waits out the whole chain's worth of pace
// before gossip takes its next op.
func (n *Node) chargePace(ops []*protocol.Op) {
	if n.pace == nil || n.ready() != nil {
		return
	}
	now := time.Now()
	st := n.State()
	for _, op := range ops {
		if n.pacesAuthor(st, op.Author) {
			n.pace.charge(op.Author, classOf(op.Kind), 1, len(op.Bytes()), now)
		}
	}
}
