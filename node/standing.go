package node

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// ErrCutOff is why a node configured with ExitWhenCutOff stopped: its log
// says this organisation is suspended, revoked or has left. Err wraps it,
// and the message names the standing.
var ErrCutOff = errors.New("node: cut off from the circle")

// ownStanding names where this organisation stands in st: "member",
// "member, suspended", "revoked", "left", "lapsed", "applicant" or
// "stranger".
func ownStanding(st *trust.State, k protocol.Key) string {
	if st == nil {
		return ""
	}
	ks := st.Key(k)
	if ks.Status == trust.StatusMember && ks.Suspended {
		return "member, suspended"
	}
	return ks.Status.String()
}

// cutOffIn reports whether st cuts this organisation off: a member that
// is suspended, or a key that was revoked or left. Members refuse it at
// the gate, so syncing and dialling them is wasted on both sides.
func cutOffIn(st *trust.State, k protocol.Key) bool {
	ks := st.Key(k)
	return (ks.Status == trust.StatusMember && ks.Suspended) || ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft
}

// noteStanding puts this organisation's standing in st in force: each
// change of it is logged at WARN, once; a node cut off stops syncing and
// dialling members and waits for a notice (knock), or stops with ErrCutOff
// if configured so. prev is the State before, nil at start, when only a
// cut-off standing is worth a warning. It returns the ErrCutOff error when
// the node is to stop.
func (n *Node) noteStanding(prev, st *trust.State) error {
	was, now := ownStanding(prev, n.key), ownStanding(st, n.key)
	if prev != nil && was == now {
		return nil
	}
	cut := cutOffIn(st, n.key)
	if n.cutOff.Swap(cut) != cut {
		n.knocks.reset()
	}
	switch {
	case cut && n.cfg.ExitWhenCutOff:
		n.log.Warn("this organisation's standing changed", "from", was, "to", now, "cut_off", true,
			"then", "stopping (ExitWhenCutOff)")
		return fmt.Errorf("%w: this organisation is %s", ErrCutOff, now)
	case cut:
		n.log.Warn("this organisation's standing changed", "from", was, "to", now, "cut_off", true,
			"then", "no more syncs or dials to members; waiting for a notice of a later decision")
	case prev != nil:
		n.log.Warn("this organisation's standing changed", "from", was, "to", now)
	}
	return nil
}

// knockTurn keys the knock schedule: one for the node, not per peer.
const knockTurn = peer.ID("")

// knockDue knocks at a random member with an address, if this node is cut
// off and its backoff has run out; the redial loop calls it. A knock is
// how a cut-off node learns of later decisions about it: now and then it
// dials one member, which refuses it at the gate but, at most once per
// NoticeInterval, lets the connection through long enough to push every
// enactment about it (noticeAndClose), then closes it. The knocks back off
// from RedialMin to NoticeInterval, with jitter. Nothing else is asked of
// the member, and a knock never syncs.
func (n *Node) knockDue(targets *sharingPeers, now time.Time) {
	if !n.cutOff.Load() || !n.knocks.due(knockTurn, now) {
		return
	}
	var cands []peer.ID
	for _, m := range targets.of(n.State(), n.key) {
		if len(n.host.Peerstore().Addrs(m.id)) > 0 {
			cands = append(cands, m.id)
		}
	}
	if len(cands) == 0 {
		return
	}
	n.knocks.failed(knockTurn, now) // a knock is answered by a push, not a reply
	n.knockAttempts.Add(1)
	p := cands[rand.IntN(len(cands))]
	n.goLoop(func() {
		ctx, cancel := context.WithTimeout(n.ctx, n.cfg.StreamTimeout)
		defer cancel()
		if err := n.host.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
			n.log.Debug("knock", "peer", n.peerName(p), "err", err)
		}
	})
}
