package testnet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/protocol"
	"github.com/kring-circle/kring/trust"
)

// shareTLP is step 3: one advisory at each TLP level, each from another
// member, reaches every node. The RED one is refused first, and published
// only with its publisher's acknowledgement that it travels in plaintext.
func (d *demo) shareTLP(ctx context.Context) error {
	to := d.running()
	for _, a := range tlpAdvisories {
		red := a.adv.TLP == protocol.TLPRed
		if red {
			if err := d.refuseRed(ctx, a.by, a.adv); err != nil {
				return err
			}
		}
		if _, err := d.shareAdvisory(ctx, a.by, a.adv, to, red); err != nil {
			return err
		}
		if red {
			d.tl.note("NOTE: end-to-end encryption of TLP:RED (HPKE to the named recipients' encryption keys) is not in this build:")
			d.tl.note("this RED advisory travelled signed but readable to every member node, like AMBER, and reaches future members by sync.")
		}
	}
	return d.converged(ctx, to)
}

// refuseRed shows that org's node refuses to publish the TLP:RED
// advisory adv without its publisher's acknowledgement.
func (d *demo) refuseRed(ctx context.Context, org string, adv protocol.Advisory) error {
	nd, err := d.ready(ctx, org)
	if err != nil {
		return err
	}
	if _, err := nd.Publish(ctx, &adv); !errors.Is(err, node.ErrPlaintextRed) {
		return fmt.Errorf("%s node, asked to publish a TLP:RED advisory without acknowledgement, answered %v; want node.ErrPlaintextRed", poss(org), err)
	}
	d.tl.say("TLP:%-12s %s node refuses %q: Kring cannot yet encrypt it to named recipients, so it would reach every member and future member in plaintext",
		adv.TLP, poss(org), adv.Title)
	d.tl.note("%s acknowledges this and publishes it anyway (kring publish --plaintext-red).", name(org))
	return nil
}

// converged waits until the named nodes hold the identical log and State,
// and says so.
func (d *demo) converged(ctx context.Context, orgs []string) error {
	if err := d.net.WaitConverged(ctx, orgs...); err != nil {
		return err
	}
	snap, err := d.net.M(orgs[0]).Snapshot()
	if err != nil {
		return err
	}
	d.tl.say("all %d nodes hold the identical log (%d ops, %d heads) and membership State", len(orgs), snap.Len, len(snap.Heads))
	return nil
}

// goOn is step 5: the initiator leaves for good; the remaining members
// admit a new organisation without it and keep sharing.
func (d *demo) goOn(ctx context.Context) error {
	initiator := d.net.M(northwind)
	var rest []string
	for _, o := range d.running() {
		if o != northwind {
			rest = append(rest, o)
		}
	}
	leave, err := d.publish(ctx, northwind, &protocol.Leave{Reason: "the initiator steps back; the circle runs on its charter"})
	if err != nil {
		return err
	}
	d.tl.say("%s, the initiator, publishes its Leave %s", name(northwind), leave.Hash().Short())
	at, err := until(ctx, name(northwind)+" departed and disconnected on every node", func() bool {
		for _, o := range rest {
			if d.net.M(o).Node().State().Key(initiator.Key).Status != trust.StatusLeft || !d.denies(o, northwind) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	from, ok := d.rec.first(leave.Hash())
	if !ok {
		return fmt.Errorf("no node reported storing the Leave %s", leave.Hash().Short())
	}
	took := d.tl.measured(d.step, fmt.Sprintf("Leave -> departed and disconnected on all %d other nodes", len(rest)), at.Sub(from))
	d.tl.say("every other node records %s as departed and has closed its connections to it: %s after the Leave", name(northwind), dur(took))
	d.gone[northwind] = true
	if err := initiator.Stop(); err != nil {
		return fmt.Errorf("stopping %s node: %w", poss(northwind), err)
	}
	st := d.net.M(rest[0]).Node().State()
	var names []string
	for _, o := range rest {
		names = append(names, name(o))
	}
	d.tl.say("%s stops its node. %d members remain: %s; the charter stands (admit=%d, suspend=%d, revoke=%d), no initiator needed",
		name(northwind), st.MemberCount(), strings.Join(names, ", "), st.Charter.Admit, st.Charter.Suspend, st.Charter.Revoke)

	if _, err := d.admit(ctx, lumen, harbourln, polder, tidewater); err != nil {
		return err
	}
	everyone := d.running()
	if _, err := d.share(ctx, veldspan, protocol.Advisory{TLP: protocol.TLPAmber,
		Title:   "Malicious update server for a meter head-end: indicators",
		Summary: "Lookalike update host serving a trojanised firmware bundle; block and check your update logs."}, everyone); err != nil {
		return err
	}
	if n, err := d.net.M(lumen).Node().StoredOps(); err == nil {
		d.tl.note("%s also holds the whole history by sync: %d ops", name(lumen), n)
	}
	return d.converged(ctx, everyone)
}
