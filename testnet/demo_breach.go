package testnet

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// breach is step 4: a member leaks an AMBER+STRICT advisory; one member
// blocks it locally, two vote to suspend it, three to revoke it.
func (d *demo) breach(ctx context.Context) error {
	target := d.net.M(kestrel)
	var honest []string
	for _, o := range d.running() {
		if o != kestrel {
			honest = append(honest, o)
		}
	}
	if _, err := until(ctx, "every member connected to "+name(kestrel), func() bool {
		for _, o := range honest {
			if !d.connectedTo(o, kestrel) {
				return false
			}
		}
		return true
	}); err != nil {
		return err
	}
	d.tl.say("%s forwards %s TLP:AMBER+STRICT advisory to a customer outside the circle; the customer tells %s",
		name(kestrel), poss(tidewater), name(polder))

	began := time.Now()
	if err := d.net.M(polder).Node().Block(ctx, target.Key, "forwarded TLP:AMBER+STRICT outside the circle"); err != nil {
		return fmt.Errorf("%s blocking %s: %w", name(polder), name(kestrel), err)
	}
	took := d.tl.measured(d.step, "local block in force at the blocking node (call returned)", time.Since(began))
	if !d.denies(polder, kestrel) {
		return fmt.Errorf("right after the block, %s still talks to %s", name(polder), name(kestrel))
	}
	var still []string
	for _, o := range honest {
		nd := d.net.M(o).Node()
		if o == polder {
			continue
		}
		if !d.connectedTo(o, kestrel) || nd.Standing(target.ID) != node.Sharing {
			return fmt.Errorf("%s stopped sharing with %s over %s local block", name(o), name(kestrel), poss(polder))
		}
		if !nd.State().Equal(d.net.M(polder).Node().State()) {
			return fmt.Errorf("%s local block changed the State: %s differs", poss(polder), name(o))
		}
		still = append(still, name(o))
	}
	d.tl.say("%s blocks %s on its own node: refused and disconnected at once (%s)", name(polder), name(kestrel), dur(took))
	d.tl.note("local only: %s still connected to and sharing with it; the State on every node unchanged", strings.Join(still, ", "))

	leak := "email of the customer forwarding the AMBER+STRICT advisory, with headers"
	suspend, deciding, err := d.vote(ctx, target.Suspend(""), leak, harbourln, veldspan)
	if err != nil {
		return err
	}
	enact, err := d.cutOff(ctx, "suspension", suspend, deciding, honest, func(ks trust.KeyState) bool { return ks.Suspended })
	if err != nil {
		return err
	}
	d.tl.note("suspended network-wide: a suspension is lifted only by an Unsuspend with revoke=%d votes (enactment %s)", d.net.M(harbourln).Node().State().Charter.Revoke, enact.Hash().Short())

	revoke, deciding, err := d.vote(ctx, target.Revoke(), leak+"; "+name(kestrel)+"'s reply admitting it", northwind, polder, tidewater)
	if err != nil {
		return err
	}
	if _, err := d.cutOff(ctx, "revocation", revoke, deciding, honest, func(ks trust.KeyState) bool { return ks.Status == trust.StatusRevoked }); err != nil {
		return err
	}
	d.gone[kestrel] = true
	return d.refuseRevoked(ctx, honest)
}

// vote has each voter vote for motion with the hash of the evidence; the
// first vote fixes the motion (a suspension's case) the others join, and
// the next voter's node shows it in progress (kring motions).
// It returns the motion and the deciding (last) vote.
func (d *demo) vote(ctx context.Context, motion protocol.Motion, evidence string, voters ...string) (protocol.Motion, *protocol.Op, error) {
	hash := protocol.Hash(sha256.Sum256([]byte(evidence)))
	var op *protocol.Op
	for i, v := range voters {
		nd, err := d.ready(ctx, v)
		if err != nil {
			return motion, nil, err
		}
		if op, err = nd.Vote(ctx, motion, hash); err != nil {
			return motion, nil, fmt.Errorf("%s voting to %s: %w", name(v), motion.Kind, err)
		}
		motion = op.Content().(*protocol.Vote).Motion
		d.tl.say("%s votes to %s %s (vote %s, %d of %d, evidence sha256 %s)", name(v), motion.Kind, name(kestrel), op.Hash().Short(), i+1, len(voters), hash.Short())
		if i == 0 && len(voters) > 1 {
			if err := d.showMotions(ctx, voters[1], motion); err != nil {
				return motion, nil, err
			}
		}
	}
	return motion, op, nil
}

// cutOff waits until the motion's enactment, published automatically by a
// voter's node, has every honest node apply it (done) and deny the target
// with no connection left to it; it reports the time from the enactment
// to the last node.
func (d *demo) cutOff(ctx context.Context, what string, motion protocol.Motion, deciding *protocol.Op, honest []string, done func(trust.KeyState) bool) (*protocol.Op, error) {
	target := d.net.M(kestrel)
	cut := map[string]time.Time{}
	at, err := until(ctx, name(kestrel)+" cut off by every node ("+what+")", func() bool {
		for _, o := range honest {
			if _, ok := cut[o]; ok {
				continue
			}
			if done(d.net.M(o).Node().State().Key(target.Key)) && d.denies(o, kestrel) {
				cut[o] = time.Now()
			}
		}
		return len(cut) == len(honest)
	})
	if err != nil {
		return nil, err
	}
	enact, ok := d.rec.enactment(motion.Hash())
	if !ok {
		return nil, fmt.Errorf("the %s took effect without an enactment being stored", what)
	}
	from, _ := d.rec.first(enact.Hash())
	voted, _ := d.rec.first(deciding.Hash())
	author := d.orgOf(enact.Author)
	d.tl.say("%s node enacts the %s automatically (%s), %s after the deciding vote",
		poss(author), what, enact.Hash().Short(), dur(from.Sub(voted)))
	took := d.tl.measured(d.step, fmt.Sprintf("%s enactment -> last of %d nodes cut %s off", what, len(honest), name(kestrel)), at.Sub(from))
	var each []string
	for _, o := range honest {
		each = append(each, fmt.Sprintf("%s %s", name(o), dur(max(cut[o].Sub(from), 0))))
	}
	d.tl.say("%s in force on all %d nodes: the last one denied %s and had no connection left to it %s after the enactment",
		what, len(honest), name(kestrel), dur(took))
	d.tl.note("per node: %s", strings.Join(each, "; "))
	return enact, nil
}

// refuseRevoked shows that whatever the revoked member publishes goes
// nowhere: its own node, handed its removal before the members closed their
// connections, refuses to sign; an advisory signed anyway (a tampered
// client) cannot reach any member, and no node accepts it from anyone.
func (d *demo) refuseRevoked(ctx context.Context, honest []string) error {
	kn := d.net.M(kestrel).Node()
	self := d.net.M(kestrel).Key
	// The members hand the target its suspension before they close the
	// connection; that notice is best effort, so allow it a moment.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	told := WaitFor(wctx, "the removed member's node to know", func() bool {
		return !kn.State().InSharingSet(self)
	}) == nil
	cancel()
	if told {
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		_, err := kn.Publish(pctx, &protocol.Advisory{TLP: protocol.TLPAmber, Title: "Kestrel Components: our side of the story"})
		cancel()
		if !errors.Is(err, node.ErrNotSharing) {
			return fmt.Errorf("the removed %s's own node did not refuse to publish (err %v), want ErrNotSharing", name(kestrel), err)
		}
		d.tl.say("%s tries to publish an advisory: its own node, told of its suspension before the members hung up, refuses (%s)", name(kestrel), kn.State().Key(self))
	} else {
		d.tl.say("%s's own node was not told of its removal in time (the notice is best effort)", name(kestrel))
	}
	late, err := d.net.M(kestrel).SignAnyway(&protocol.Advisory{TLP: protocol.TLPAmber, Title: "Kestrel Components: our side of the story"})
	if err != nil {
		return err
	}
	d.tl.say("a tampered client signs it anyway with %s's key (%s)", name(kestrel), late.Hash().Short())
	for _, o := range honest {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = kn.Connect(dctx, d.net.M(o).Node().AddrInfo())
		cancel()
	}
	// Absence is checked for a while, a knock excepted (Net.NoConnectionStands).
	if err := d.net.NoConnectionStands(ctx, kestrel, honest...); err != nil {
		return fmt.Errorf("a member let the revoked %s connect again: %w", name(kestrel), err)
	}
	d.tl.say("it dials all %d members: every gate refuses it (or lets it in only to hand over the decisions about it, and hangs up), no connection stands, it cannot deliver the advisory", len(honest))
	n, err := d.net.M(veldspan).Node().Push(ctx, d.net.M(harbourln).ID, late)
	if n != 0 || !errors.Is(err, node.ErrRefused) {
		return fmt.Errorf("%s accepted %d of the revoked member's ops handed over by %s (err %v), want a refusal", name(harbourln), n, name(veldspan), err)
	}
	d.tl.say("handed to %s by %s as a forwarder would: refused (%v)", name(harbourln), name(veldspan), err)
	for _, o := range honest {
		if live, err := d.net.M(o).Node().Live(ctx, late.Hash()); err != nil || live {
			return fmt.Errorf("%s counts the revoked member's advisory (live %v, err %v)", name(o), live, err)
		}
	}
	d.tl.note("no member's node counts it")
	return nil
}

// orgOf returns the organisation of key k.
func (d *demo) orgOf(k protocol.Key) string {
	for _, o := range d.net.Names() {
		if d.net.M(o).Key == k {
			return o
		}
	}
	return k.Short()
}
