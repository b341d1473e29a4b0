package testnet

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// found is step 1: the initiator drafts the genesis, every founder signs
// it, another founder finalizes it, and the five nodes start from it.
func (d *demo) found(ctx context.Context) error {
	charter := demoCharter()
	g := &protocol.Genesis{Charter: charter}
	for _, o := range demoFounders {
		m, err := demoMember(o)
		if err != nil {
			return err
		}
		g.Founders = append(g.Founders, m)
	}
	drafted := time.Now()
	d.tl.say("%s, the initiator, drafts the genesis of the %s with %d founders", name(northwind), charter.Name, len(g.Founders))
	d.tl.note("thresholds: admit=%d endorsements to admit, suspend=%d votes to suspend, revoke=%d votes to revoke, charter changes by quorum",
		charter.Admit, charter.Suspend, charter.Revoke)
	for _, r := range charter.Requirements {
		d.tl.note("requirement %-13s %s", r.ID, r.Text)
	}
	d.tl.note("TLP policy: %s", charter.TLPPolicy)
	d.tl.note("meetings %s; annual plan: %s", charter.Cadence, strings.Join(charter.Topics, ", "))
	for _, f := range g.Founders {
		d.tl.note("founder %-24s %s, represented by its %s (key %s)", f.Profile.Name, f.Profile.Sector, f.Profile.Role, f.Key.Short())
	}

	ts := time.Now().UnixMilli()
	opSig, err := protocol.SignGenesisOp(g, ts, KeyFor(northwind))
	if err != nil {
		return fmt.Errorf("the initiator signing the genesis op: %w", err)
	}
	d.tl.say("%s signs the genesis op as its author when drafting; the draft goes round the founders", name(northwind))
	for i, o := range demoFounders {
		if i == len(demoFounders)-1 {
			_, err := protocol.SealGenesis(g, ts, opSig)
			if !errors.Is(err, protocol.ErrBadSignature) {
				return fmt.Errorf("finalizing before %s signed: got %v, want a refusal (bad signature)", name(o), err)
			}
			d.tl.say("an early finalize, still without the signature of %s, is refused: %v", name(o), err)
		}
		began := time.Now()
		if err := protocol.SignGenesis(g, ts, KeyFor(o)); err != nil {
			return fmt.Errorf("%s signing the genesis: %w", name(o), err)
		}
		signed := len(g.Founders) - len(g.MissingSignatures(ts))
		d.tl.say("%s signs the draft (%d of %d signatures, %s)", name(o), signed, len(g.Founders), dur(time.Since(began)))
	}
	op, err := protocol.SealGenesis(g, ts, opSig)
	if err != nil {
		return fmt.Errorf("finalizing the genesis: %w", err)
	}
	d.tl.measured(d.step, "genesis drafted, co-signed by 5 founders and finalized", time.Since(drafted))
	d.tl.say("%s finalizes the genesis: every founder's signature checks; the circle exists", name(veldspan))
	d.tl.note("circle id (hash of the genesis): %s", op.Hash())

	net, err := New(Options{Dir: d.dir, Founders: demoFounders, Genesis: op, Logger: d.logger, Config: d.rec.configure})
	if err != nil {
		return err
	}
	d.net = net
	began := time.Now()
	for _, o := range demoFounders {
		if err := net.M(o).Start(d.life); err != nil {
			return err
		}
	}
	if err := net.ConnectAll(ctx); err != nil {
		return err
	}
	for _, o := range demoFounders {
		if err := net.M(o).Node().WaitReady(ctx); err != nil {
			return fmt.Errorf("%s node getting ready: %w", poss(o), err)
		}
	}
	took := d.tl.measured(d.step, "five founders' nodes started, connected and synced", time.Since(began))
	d.tl.say("five nodes start from the genesis, connect in a full mesh and sync (%s)", dur(took))
	for _, o := range demoFounders {
		nd := net.M(o).Node()
		id := nd.ID().String()
		d.tl.note("%-24s peer %s…%s  listens on %s", name(o), id[:8], id[len(id)-6:], nd.AddrInfo().Addrs[0])
	}
	op, err = d.share(ctx, northwind, protocol.Advisory{TLP: protocol.TLPGreen,
		Title:   "Kick-off: annual plan 2026 and the Q3 joint OT exercise",
		Summary: "Agenda of the first monthly meeting; exercise scenario: a compromised firmware update from a supplier."}, demoFounders)
	if err != nil {
		return err
	}
	d.kickoff = op.Hash()
	return nil
}

// demoMember is an organisation's identity: its demo signing key, a fresh
// encryption key (for the RED encryption of a later version) and its
// profile.
func demoMember(org string) (protocol.Member, error) {
	enc, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return protocol.Member{}, fmt.Errorf("%s encryption key: %w", poss(org), err)
	}
	m := protocol.Member{Key: protocol.KeyOf(KeyFor(org)), Profile: cast[org]}
	copy(m.EncKey[:], enc.PublicKey().Bytes())
	return m, nil
}
