package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/trust"
)

// enrol tries, every interval, to enact this organisation's admission
// with its application, until the log says it is a member (or can never
// be one). It logs how many endorsements it is still waiting for.
func (dm *daemon) enrol(ctx context.Context, every time.Duration) {
	n, self := dm.node, dm.node.Key()
	t := time.NewTicker(every)
	defer t.Stop()
	last := -1 // the number of missing endorsements last logged
	if n.State().IsMember(self) {
		last = -2
	}
	var enacted time.Time // when this node last enacted its admission
	for {
		st := n.State()
		ks := st.Key(self)
		switch {
		case st.IsMember(self):
			if last != -2 { // not already a member when the daemon started
				dm.log.Info("admitted: this organisation is a member of the circle", "circle", st.Charter.Name)
			}
			return
		case ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft:
			dm.log.Error("this organisation can never rejoin the circle with this key", "status", ks.Status.String())
			return
		}
		if enacted.IsZero() || time.Since(enacted) > 4*every {
			dm.dialCircle(ctx, st)
			op, err := n.Enroll(ctx, dm.app)
			switch {
			case err == nil:
				dm.log.Info("enacted this organisation's admission", "op", op.Hash().Short(), "application", dm.app.ID().Short())
				enacted = time.Now()
				last = -1
			case ctx.Err() != nil:
				return
			default:
				dm.log.Debug("enrol", "err", err)
			}
		}
		missing, blind := ks.Missing(), ks.Status == trust.StatusStranger || ks.Application != dm.app.ID()
		if blind {
			// Members let this node sync only once its application has k
			// endorsements: until then it knows the charter's k alone.
			missing = int(st.Charter.Admit)
		}
		if enacted.IsZero() && missing != last {
			msg := pluralEndorsements(missing)
			if blind {
				msg = "waiting for up to " + strings.TrimPrefix(msg, "waiting for ")
			}
			dm.log.Info(msg, "needed", st.Charter.Admit, "application", dm.app.ID().Short())
			last = missing
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func pluralEndorsements(n int) string {
	if n == 1 {
		return "waiting for 1 more endorsement"
	}
	return "waiting for " + strconv.Itoa(n) + " more endorsements"
}

// dialCircle dials, at once, every member of the genesis or log and every
// configured peer this node is not connected to: their gates refuse an
// applicant until it has k endorsements, and the node's own redials back
// off to minutes meanwhile.
func (dm *daemon) dialCircle(ctx context.Context, st *trust.State) {
	n := dm.node
	var targets []peer.AddrInfo
	for _, k := range st.SharingSet() {
		if p, err := node.PeerID(k); err == nil && k != n.Key() {
			targets = append(targets, peer.AddrInfo{ID: p})
		}
	}
	for _, a := range dm.cfg.Node.Peers {
		if ai, err := peer.AddrInfoFromString(a); err == nil {
			targets = append(targets, *ai)
		}
	}
	var wg sync.WaitGroup
	for _, ai := range targets {
		if n.Host().Network().Connectedness(ai.ID) == network.Connected {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := n.Connect(cctx, ai); err != nil {
				dm.log.Debug("dialling the circle", "peer", n.PeerName(ai.ID), "err", err)
			}
		}()
	}
	wg.Wait()
}
