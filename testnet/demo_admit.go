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

// admitFirst is step 2: an applicant applies, three founders endorse it,
// it enacts its own admission, and it receives the circle's advisories.
func (d *demo) admitFirst(ctx context.Context) error {
	third, err := d.admit(ctx, tidewater, northwind, harbourln, veldspan)
	if err != nil {
		return err
	}
	at, err := d.waitStored(ctx, d.kickoff, []string{tidewater})
	if err != nil {
		return err
	}
	took := d.tl.measured(d.step, "3rd endorsement -> first advisory at the newcomer", at.Sub(third))
	d.tl.say("%s holds the founders' kick-off advisory, fetched by sync as a member: %s after the 3rd endorsement", name(tidewater), dur(took))
	return nil
}

// admit has org apply, start its node, get endorsed by the endorsers and
// enact its own admission; it returns when the 3rd endorsement was
// published, once every running node counts org as a member.
func (d *demo) admit(ctx context.Context, org string, endorsers ...string) (time.Time, error) {
	members := d.running()
	m, err := d.net.Add(org)
	if err != nil {
		return time.Time{}, err
	}
	id, err := demoMember(org)
	if err != nil {
		return time.Time{}, err
	}
	app := &protocol.Application{Group: d.net.Genesis.Hash(), Member: protocol.Member{EncKey: id.EncKey, Profile: id.Profile}}
	if err := protocol.SignApplication(app, m.Priv); err != nil {
		return time.Time{}, fmt.Errorf("%s signing its application: %w", name(org), err)
	}
	d.apps[org] = app
	p := app.Member.Profile
	d.tl.say("%s (%s) signs its application %s, represented by its %s", p.Name, p.Sector, app.ID().Short(), p.Role)
	for _, c := range p.Claims {
		d.tl.note("claim %-13s %s", c.Requirement, c.Statement)
	}

	var peers []*Member
	for _, o := range members {
		peers = append(peers, d.net.M(o))
	}
	m.SetPeers(peers...)
	if err := m.Start(d.life); err != nil {
		return time.Time{}, err
	}
	for _, o := range members {
		if s := d.net.M(o).Node().Standing(m.ID); s != node.Refused {
			return time.Time{}, fmt.Errorf("%s treats the unendorsed applicant %s as %s, want refused", name(o), name(org), s)
		}
	}
	d.tl.say("%s node starts and dials the %d members: refused at every gate, it has no endorsements yet", poss(org), len(members))

	motion := protocol.Motion{Kind: protocol.MotionAdmit, Application: app}
	var third time.Time
	for _, e := range endorsers {
		evidence := fmt.Sprintf("%s vetted %s: video call with its %s, checked its claims against %d requirements", name(e), p.Name, p.Role, len(p.Claims))
		hash := protocol.Hash(sha256.Sum256([]byte(evidence)))
		op, err := d.endorse(ctx, e, &protocol.Vote{Motion: motion, Evidence: hash})
		if err != nil {
			return time.Time{}, err
		}
		third = time.Now()
		if t, ok := d.rec.at(op.Hash(), e); ok {
			third = t // when the endorsement became durable at its author
		}
		d.tl.say("%s endorses %s (vote %s, evidence sha256 %s kept by %s)", name(e), p.Name, op.Hash().Short(), hash.Short(), name(e))
		if e == endorsers[0] && len(endorsers) > 1 {
			if err := d.showProgress(ctx, org, members); err != nil {
				return time.Time{}, err
			}
		}
	}

	enact, err := d.enrol(ctx, org, members)
	if err != nil {
		return time.Time{}, err
	}
	d.tl.say("%s node reaches a member, checks the %d endorsements and signs its own Admit enactment %s: %s after the 3rd endorsement",
		poss(org), len(endorsers), enact.Hash().Short(), dur(time.Since(third)))
	if e, ok := m.Node().Enrolment(); ok {
		d.tl.note("its own view (kring status, and its log): %s, by %s", e, strings.Join(e.EndorserNames(m.Node().State()), ", "))
	}
	everyone := append(members, org)
	at, err := until(ctx, name(org)+" admitted on every node", func() bool {
		for _, o := range everyone {
			if d.net.M(o).Node().State().Key(m.Key).Status != trust.StatusMember {
				return false
			}
		}
		return true
	})
	if err != nil {
		return time.Time{}, err
	}
	if t, ok := d.rec.last(enact.Hash(), everyone); ok {
		at = t // when the last node made the Admit enactment durable
	}
	took := d.tl.measured(d.step, fmt.Sprintf("3rd endorsement -> %s admitted on all %d nodes", name(org), len(everyone)), at.Sub(third))
	d.tl.say("all %d nodes count %s as a member: %s after the 3rd endorsement", len(everyone), name(org), dur(took))
	if err := m.Node().WaitReady(ctx); err != nil {
		return time.Time{}, fmt.Errorf("%s node getting ready to publish: %w", poss(org), err)
	}
	took = d.tl.measured(d.step, fmt.Sprintf("3rd endorsement -> %s ready to publish", name(org)), time.Since(third))
	d.tl.say("%s node may publish: it has completed syncs with %d members, %s after the 3rd endorsement",
		poss(org), node.DefaultLocalConfig().SyncBeforePublish, dur(took))
	return third, nil
}

// showProgress waits until org's node, endorsed once, reaches a member
// (the gates now let it ask about its application) and sees the
// endorsement, and narrates the applicant's own view (kring status).
func (d *demo) showProgress(ctx context.Context, org string, members []string) error {
	nd := d.net.M(org).Node()
	var asked time.Time
	_, err := until(ctx, poss(org)+" node to see its first endorsement", func() bool {
		for _, o := range members {
			if d.connectedTo(org, o) && time.Since(asked) > 100*time.Millisecond {
				asked = time.Now()
				_, _ = nd.Enrol(ctx, d.apps[org]) // short of endorsements: it learns its progress
				break
			}
		}
		e, ok := nd.Enrolment()
		return ok && e.Known && len(e.Endorsers) > 0
	})
	if err != nil {
		return err
	}
	e, _ := nd.Enrolment()
	d.tl.note("its own view (kring status): %s, by %s; %s", e, strings.Join(e.EndorserNames(nd.State()), ", "), e.Next())
	return nil
}

// enrol waits until org's node reaches one of the members (the gates let
// an endorsed applicant through) and enacts its admission there. A member
// that has not counted the last endorsement yet refuses; enrol tries again
// until ctx is done.
func (d *demo) enrol(ctx context.Context, org string, members []string) (*protocol.Op, error) {
	m := d.net.M(org)
	nd := m.Node()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		reached := false
		for _, o := range members {
			reached = reached || d.connectedTo(org, o)
		}
		if reached {
			op, err := nd.Enrol(ctx, d.apps[org])
			if err == nil {
				return op, nil
			}
			last = err
		}
		select {
		case <-ctx.Done():
			if last == nil {
				return nil, fmt.Errorf("%s node never reached a member: %w", poss(org), ctx.Err())
			}
			return nil, fmt.Errorf("%s enacting its admission: %w (%v)", name(org), last, ctx.Err())
		case <-tick.C:
		}
	}
}

// endorse publishes an endorsement from org. A member endorses once its
// own admission is settled in its view (docs/membership.md §5): a member
// admitted earlier in the demo whose node has not yet seen the
// acknowledgements that settle it is refused, and tries again when more
// of the circle's ops have arrived.
func (d *demo) endorse(ctx context.Context, org string, v *protocol.Vote) (*protocol.Op, error) {
	for {
		op, err := d.publish(ctx, org, v)
		if !errors.Is(err, trust.ErrUnsettledEndorser) {
			return op, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (%v)", err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
