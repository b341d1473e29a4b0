package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/trust"
)

// enrol tries, every interval, to enact this organisation's admission
// with its application, until the log says it is a member (or can never
// be one). It logs the application's progress (endorsements n of k, by
// whom, what is missing, what happens next) whenever it changes.
func (dm *daemon) enrol(ctx context.Context, every time.Duration) {
	n, self := dm.node, dm.node.Key()
	t := time.NewTicker(every)
	defer t.Stop()
	wasMember := n.State().IsMember(self)
	logged := ""          // the progress last logged (progressSig)
	var enacted time.Time // when this node last enacted its admission
	for {
		st := n.State()
		ks := st.Key(self)
		switch {
		case st.IsMember(self):
			if !wasMember {
				dm.log.Info("admitted: this organisation is a member of the circle", "circle", st.Charter.Name)
			}
			return
		case ks.Status == trust.StatusRevoked || ks.Status == trust.StatusLeft:
			dm.log.Error("this organisation can never rejoin the circle with this key", "status", ks.Status.String())
			return
		}
		if enacted.IsZero() || time.Since(enacted) > 4*every {
			dm.dialCircle(ctx, st)
			op, err := n.Enrol(ctx, dm.app)
			dm.logProgress(st, &logged)
			switch {
			case err == nil:
				dm.log.Info("enacted this organisation's admission", "op", op.Hash().Short(), "application", dm.app.ID().Short())
				enacted = time.Now()
			case ctx.Err() != nil:
				return
			default:
				dm.log.Debug("enrol", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logProgress logs the application's progress at INFO if it changed since
// the line *logged (progressSig) was logged.
func (dm *daemon) logProgress(st *trust.State, logged *string) {
	e, ok := dm.node.Enrolment()
	if !ok || e.Application != dm.app.ID() || progressSig(e) == *logged {
		return
	}
	dm.log.Info("application progress: "+e.String(), "application", dm.app.ID().Short(),
		"endorsed_by", strings.Join(e.EndorserNames(st), ", "), "missing", e.Missing(), "next", e.Next())
	*logged = progressSig(e)
}

// progressSig is what of an application's progress is worth a log line
// when it changes: whether a member answered, the endorsers, the charter's
// k, and whether they are enough.
func progressSig(e node.Enrolment) string {
	return fmt.Sprint(e.Known, e.Endorsers, e.Needed, e.Enough)
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
		if n.Connected(ai.ID) {
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
